// Used by serverless-esbuild for every function: one minified, tree-shaken bundle per handler (plus the lazy files below).
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
 * that each function would compile at cold start. Lambda always gives credentials in the environment, so
 * the SDK gets `shared/aws/credential-chain.ts` instead: the environment first, the SDK's full chain
 * (loaded from its own lazy file) only when the environment has none.
 */
const environmentCredentialsFirst = {
  name: 'environment-credentials-first',
  setup(build) {
    build.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, (args) => (args.importer === CREDENTIAL_CHAIN ? undefined : { path: CREDENTIAL_CHAIN }));
  },
};

/** The modules that wire a function's adapters (AWS SDK clients, Slack, PagerDuty), each loaded with `import()`. */
const ADAPTER_WIRING = [
  path.join(__dirname, 'shared', 'remediation', 'scale-nodegroup-deps.ts'),
  path.join(__dirname, 'shared', 'remediation', 'scale-deployment-deps.ts'),
  path.join(__dirname, 'shared', 'responder', 'deps.ts'),
];

/**
 * Modules a function loads with `import()` on some paths only. Each is built into its own file beside the
 * handler (`handler.<name>.js`) instead of into it, so Node reads and compiles it only when such a path
 * runs. A lazy file is a bundle of its own: modules both sides use are copied into it, so errors that
 * cross the boundary are recognised by their name, never by `instanceof`, and process-wide instances
 * (the logger) are kept where every copy finds them (shared/logger.ts).
 */
const LAZY_FILES = [
  // The SDK's full credential chain: only where the environment has no credentials (a laptop, not Lambda).
  { name: 'aws-credential-chain', matches: (file) => /[\\/]node_modules[\\/]@aws-sdk[\\/]credential-provider-node[\\/]/.test(file) },
  // The Kubernetes client (about 1.4 MB): scaleDeployment and the responder load it the first time they act on a deployment.
  { name: 'kubernetes', matches: (file) => file === path.join(__dirname, 'shared', 'remediation', 'kube-deployments.ts') },
  // The adapters of the functions that receive every alarm of the topic and act on few: loaded by the first
  // alarm a rule matches (scaleNodegroup, scaleDeployment) or a service owns (respond), or the schedule.
  { name: 'adapters', matches: (file) => ADAPTER_WIRING.includes(file) },
  // The Slack error digest's adapters (DynamoDB, SSM, Slack's client): forwardLogs loads them for its first batch with a digest to send.
  { name: 'digest-delivery', matches: (file) => file === path.join(__dirname, 'shared', 'logs', 'digest-delivery.ts') },
];

/** The base name of the handler's output file: `handler` for `…/handler.js`. */
function outputBase(options) {
  if (options.outfile) return path.basename(options.outfile).replace(/\.[cm]?js$/, '');
  const entries = Array.isArray(options.entryPoints) ? options.entryPoints : [];
  if (entries.length !== 1 || typeof entries[0] !== 'string') throw new Error('lazy files need exactly one entry point given as a path');
  return path.basename(entries[0]).replace(/\.[cm]?[jt]sx?$/, '');
}

/** Built into a handler's bundle; the builds of its lazy files get `handler` (their handler's output), so each is built once. */
function lazyFiles(handler) {
  return {
    name: 'lazy-files',
    setup(build) {
      const options = build.initialOptions;
      const output = handler ?? { base: outputBase(options), dir: options.outfile ? path.dirname(options.outfile) : options.outdir, built: new Set() };
      const wanted = new Map();
      // A build context (serverless-esbuild uses one) may build again: every build writes its lazy files anew.
      if (!handler) {
        build.onStart(() => {
          wanted.clear();
          output.built.clear();
        });
      }
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind !== 'dynamic-import' || args.pluginData?.lazyFiles) return undefined;
        const resolved = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { lazyFiles: true } });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        const lazy = LAZY_FILES.find((candidate) => candidate.matches(resolved.path));
        if (!lazy) return undefined;
        wanted.set(lazy.name, resolved.path);
        return { path: `./${output.base}.${lazy.name}.js`, namespace: 'lazy-file' };
      });
      // The `import()` becomes a CommonJS require of the file beside the handler: Node loads it as it loads the
      // handler, without the ESM loader's extra scan of a CommonJS file for its export names.
      build.onLoad({ filter: /.*/, namespace: 'lazy-file' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
      build.onResolve({ filter: /.*/, namespace: 'lazy-file' }, (args) => ({ path: args.path, external: true }));
      build.onEnd(async (result) => {
        if (result.errors.length > 0) return;
        for (const [name, entry] of wanted) {
          if (output.built.has(name)) continue;
          output.built.add(name);
          const plugins = options.plugins.map((plugin) => (plugin.name === 'lazy-files' ? lazyFiles(output) : plugin));
          const { outdir: _outdir, outExtension: _outExtension, ...rest } = options;
          const outfile = path.join(output.dir, `${output.base}.${name}.js`);
          const lazy = await build.esbuild.build({ ...rest, entryPoints: [entry], outfile, plugins });
          result.errors.push(...lazy.errors);
          result.warnings.push(...lazy.warnings);
          if (result.metafile && lazy.metafile) Object.assign(result.metafile.outputs, lazy.metafile.outputs);
        }
      });
    },
  };
}

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
  plugins: [dropZodLocales, environmentCredentialsFirst, lazyFiles()],
});

module.exports.LAZY_FILES = LAZY_FILES;
