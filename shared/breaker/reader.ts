// Breaker reader for applications: is a flag open? Cached per flag with an explicit expiry, so a hot path costs no SSM call.
import type { BreakerFlag } from './flag';
import { ssmFlagStore, type FlagStore } from './store';

/** Seconds a read flag is reused before SSM is asked again: how fast applications notice a change. */
export const DEFAULT_BREAKER_CACHE_SECONDS = 15;

export interface BreakerReaderOptions {
  /** The SSM path of the flags, e.g. `/firebreak/prod/breakers`. */
  readonly prefix: string;
  readonly cacheSeconds?: number;
  /** Another store (tests, or a different client). Defaults to SSM under `prefix`. */
  readonly store?: FlagStore;
  readonly clock?: () => number;
}

/** What applications call; `isOpen` is the fail-fast / shed-load check. */
export interface BreakerReader {
  /** The flag as stored, or undefined when there is none. */
  read(name: string): Promise<BreakerFlag | undefined>;
  /**
   * True while the flag says open. An open flag past `expiresAt` still reads open: expiry asks the
   * responder to re-evaluate; only the responder or an operator closes it. A missing flag is closed.
   */
  isOpen(name: string): Promise<boolean>;
  /** Forgets cached flags, e.g. after an operator change in the same process. */
  clear(): void;
}

/**
 * Creates a reader. Concurrent reads of one flag share one SSM call. A failed read is thrown, not
 * guessed: the application chooses whether to fail open or closed.
 */
export function createBreakerReader(options: BreakerReaderOptions): BreakerReader {
  const store = options.store ?? ssmFlagStore(options.prefix);
  const ttlMs = (options.cacheSeconds ?? DEFAULT_BREAKER_CACHE_SECONDS) * 1000;
  const clock = options.clock ?? Date.now;
  const cache = new Map<string, { until: number; value: Promise<BreakerFlag | undefined> }>();

  const read = (name: string): Promise<BreakerFlag | undefined> => {
    const hit = cache.get(name);
    if (hit && hit.until > clock()) return hit.value;
    const value = store.read(name);
    cache.set(name, { until: clock() + ttlMs, value });
    // A failed read is not cached: the next call asks again.
    value.catch(() => {
      if (cache.get(name)?.value === value) cache.delete(name);
    });
    return value;
  };
  return {
    read,
    async isOpen(name) {
      return (await read(name))?.state === 'open';
    },
    clear: () => cache.clear(),
  };
}
