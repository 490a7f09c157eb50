// Used by serverless-esbuild for every function: one minified, tree-shaken bundle per handler, one copy of each module.
// Code a handler needs on some paths only (the Kubernetes client, the SDK's full credential chain) is reached through
// `import()`, which esbuild keeps in the same file but evaluates only when that path first runs.
const path = require('node:path');

/**
 * zod's classic, core and mini entries re-export every error-message locale as a namespace (`z.locales`),
 * which no bundler can tree-shake once the namespace object is used (`import { z } from 'zod'`): about
 * 300 KB per bundle. Firebreak never calls `z.locales`; English is imported on its own (shared/zod.ts),
 * so the namespace is replaced with an empty module.
 */
const dropZodLocales = {
  name: 'drop-zod-locales',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core|mini)[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'empty' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'export {}', loader: 'js' }));
  },
};

const CREDENTIAL_CHAIN = path.join(__dirname, 'shared', 'aws', 'credential-chain.ts');

/**
 * Every AWS SDK client takes its default credentials from `@aws-sdk/credential-provider-node`, about 300 KiB
 * that each function would evaluate at cold start. Lambda always gives credentials in the environment, so
 * the SDK gets `shared/aws/credential-chain.ts` instead: the environment first, the SDK's full chain
 * (behind an `import()`, evaluated on first use) only when the environment has none.
 */
const environmentCredentialsFirst = {
  name: 'environment-credentials-first',
  setup(build) {
    build.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, (args) => (args.importer === CREDENTIAL_CHAIN ? undefined : { path: CREDENTIAL_CHAIN }));
  },
};

module.exports = () => ({
  bundle: true,
  minify: true,
  treeShaking: true,
  sourcemap: 'linked',
  sourcesContent: false,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  keepNames: true,
  // The bundle carries the exact AWS SDK clients it was tested with, not the runtime's copy.
  external: [],
  mainFields: ['module', 'main'],
  plugins: [dropZodLocales, environmentCredentialsFirst],
});
