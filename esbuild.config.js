// Used by serverless-esbuild for every function: one minified, tree-shaken bundle per handler.
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
  // The Lambda runtime's AWS SDK is not relied upon: the bundle carries the exact clients it was tested with.
  external: [],
  exclude: [],
  mainFields: ['module', 'main'],
});
