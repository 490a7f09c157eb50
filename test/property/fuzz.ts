// `npm run fuzz`: the property tests with many runs (FIREBREAK_FUZZ_RUNS, default 100,000 per property) and a random
// seed, printed first; fast-check prints the seed, the path and the shrunk counterexample of any failure.
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';

const runs = process.env.FIREBREAK_FUZZ_RUNS ?? '100000';
const seed = process.env.FIREBREAK_FUZZ_SEED ?? String(randomInt(1, 2 ** 31 - 1));
console.log(`fuzz: ${runs} runs per property, seed ${seed} (replay with FIREBREAK_FUZZ_SEED=${seed} npm run fuzz)`);
const started = Date.now();
const jest = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--selectProjects', 'property', '--testTimeout', '0', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, FIREBREAK_FUZZ_RUNS: runs, FIREBREAK_FUZZ_SEED: seed },
});
console.log(`fuzz: ${((Date.now() - started) / 1000).toFixed(0)} s, seed ${seed}, ${jest.status === 0 ? 'no failure' : 'FAILED'}`);
process.exitCode = jest.status ?? 1;
