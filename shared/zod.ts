// Validation: the zod every schema in Firebreak is built with — zod/mini, set up once before anything parses.
import * as mini from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// zod/mini is zod's validation core with a functional API: a bundle carries only the schema kinds and
// checks it uses, where classic zod puts every method on every schema and cannot be tree-shaken.
// Unlike classic zod it loads no locale by itself; without English every default message would read
// "Invalid input". Every schema is parsed about once per container (settings and the policy at cold
// start, one message per record after): zod's compiled fast path costs more to build than it saves,
// so it is off. Set here because every schema module imports this one, so it runs before any parse.
mini.config({ ...en(), jitless: true });

/**
 * zod/mini, configured (English messages, no JIT). Import it as a namespace, `import * as z from '../zod'`:
 * re-exported name by name so bundles keep only what they use (a re-exported namespace object would
 * keep all of zod, locales included).
 */
export * from 'zod/mini';

/**
 * What `build` returns, built on its first use and then kept. A policy section's schemas are hundreds of
 * objects: built when their module loads, every function would pay at cold start for every section,
 * even the ones it never reads. Export them as `z.lazy(() => schemas().x)`.
 */
export function builtOnFirstUse<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => (built ??= build());
}
