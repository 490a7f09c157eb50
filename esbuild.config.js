// Used by serverless-esbuild for every function: one minified, tree-shaken bundle per handler.

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
  plugins: [dropZodLocales],
});
