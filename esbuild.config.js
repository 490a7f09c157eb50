// Used by serverless-esbuild for every function: one minified, tree-shaken bundle per handler, one copy of each module.
// Code a handler needs on some paths only is reached through `import()`, evaluated only when that path first runs:
// inside the bundle (the SDK's full credential chain), or, for the Kubernetes client library, a file beside it.
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

/** Firebreak's one module of the Kubernetes client library: what it uses of it, re-exported. */
const KUBERNETES_LIBRARY = path.join(__dirname, 'shared', 'k8s', 'library.ts');

/** The base name of the handler's output file: `handler` for `…/handler.js`. */
function outputBase(options) {
  if (options.outfile) return path.basename(options.outfile).replace(/\.[cm]?js$/, '');
  const entries = Array.isArray(options.entryPoints) ? options.entryPoints : [];
  if (entries.length !== 1 || typeof entries[0] !== 'string') throw new Error('the Kubernetes client file needs exactly one entry point given as a path');
  return path.basename(entries[0]).replace(/\.[cm]?[jt]sx?$/, '');
}

/**
 * The Kubernetes client library (about 1.9 MB with undici) in a file of its own beside the handler,
 * `handler.kubernetes.js`, built from shared/k8s/library.ts (what Firebreak uses of it, tree-shaken),
 * which every import of that module requires. Inside the bundle, even unevaluated, it
 * would add about 75 ms to the cold start of respond and scaleDeployment (Node still parses it); beside
 * it, Node reads it the first time a deployment is acted on, through the one `import()` that reaches
 * shared/remediation/kube-deployments.ts. The file holds the library alone, none of Firebreak's modules,
 * so there is one copy of each: its classes are the ones `instanceof` sees, and no state exists twice.
 */
const kubernetesClientFile = {
  name: 'kubernetes-client-file',
  setup(build) {
    const options = build.initialOptions;
    // The file is written only where the build's metafile says the bundle requires it. Asked for here, not in
    // the exported options: serverless-esbuild would package a handler-meta.json for those into every zip.
    options.metafile = true;
    const file = `./${outputBase(options)}.kubernetes.js`;
    build.onResolve({ filter: /[\\/]library(\.ts)?$/ }, async (args) => {
      if (args.pluginData?.kubernetesLibrary) return undefined;
      const resolved = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { kubernetesLibrary: true } });
      return resolved.path === KUBERNETES_LIBRARY ? { path: file, external: true } : undefined;
    });
    build.onEnd(async (result) => {
      // Built only when the bundle still requires it once tree-shaking is done (scaleNodegroup's code never reaches it).
      const required = Object.values(result.metafile?.outputs ?? {}).some((output) => output.imports.some((i) => i.path === file && i.external));
      if (!required || result.errors.length > 0) return;
      const { outdir: _outdir, outExtension: _outExtension, entryPoints: _entryPoints, plugins: _plugins, ...rest } = options;
      const dir = options.outfile ? path.dirname(options.outfile) : options.outdir;
      const library = await build.esbuild.build({ ...rest, entryPoints: [KUBERNETES_LIBRARY], outfile: path.join(dir, file), plugins: [] });
      result.errors.push(...library.errors);
      result.warnings.push(...library.warnings);
      if (result.metafile && library.metafile) Object.assign(result.metafile.outputs, library.metafile.outputs);
    });
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
  plugins: [dropZodLocales, environmentCredentialsFirst, kubernetesClientFile],
});
