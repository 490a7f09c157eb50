// Property tests' run settings: in npm test a fixed seed and few runs per property (fast, repeatable); under
// `npm run fuzz` (FIREBREAK_FUZZ_RUNS) many runs with a random seed that is printed, so a failure can be replayed.
import type { Parameters } from 'fast-check';

/** The seed `npm test` uses; `npm run fuzz` draws its own and prints it. */
export const FIXED_SEED = 20_261_204;
/** Runs per property in `npm test`. */
export const TEST_RUNS = 150;

const fuzzRuns = Number(process.env.FIREBREAK_FUZZ_RUNS ?? '');
const fuzzSeed = Number(process.env.FIREBREAK_FUZZ_SEED ?? '');

/** fast-check's parameters for one property: `npm test`'s, or the fuzz run's (seed from FIREBREAK_FUZZ_SEED, else the one printed at start). */
export function propertyParameters<T>(overrides: Parameters<T> = {}): Parameters<T> {
  if (!Number.isInteger(fuzzRuns) || fuzzRuns <= 0) return { seed: FIXED_SEED, numRuns: TEST_RUNS, ...overrides };
  return { ...overrides, seed: Number.isInteger(fuzzSeed) ? fuzzSeed : FIXED_SEED, numRuns: fuzzRuns };
}
