// Test support: which npm packages a deployed bundle evaluates when it loads (and after a given step), without changing its behaviour.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type BuildOptions, type Plugin } from 'esbuild';

const REPO_ROOT = join(__dirname, '../..');
const MARKER = '__firebreakEvaluatedPackages';

/** The npm package a bundled file belongs to, from its last node_modules segment. */
const packageOf = (file: string): string | undefined => /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)[\\/](?!.*node_modules[\\/])/.exec(file)?.[1]?.replace(/\\/g, '/');

/** Appends to every module of the watched packages a statement that records the package when the module is evaluated. */
function recordEvaluation(watched: RegExp): Plugin {
  return {
    name: 'record-evaluation',
    setup(esbuild) {
      esbuild.onLoad({ filter: /node_modules[\\/].*\.[cm]?js$/ }, (args) => {
        const pkg = packageOf(args.path);
        if (!pkg || !watched.test(pkg)) return undefined;
        const record = `\n(globalThis.${MARKER} ??= new Set()).add(${JSON.stringify(pkg)});\n`;
        return { contents: readFileSync(args.path, 'utf8') + record, loader: 'js' };
      });
    },
  };
}

/**
 * Bundles `entry` with the deployment's esbuild settings, loads it in a fresh Node process with `env`,
 * optionally runs `then` (JavaScript with `handler` in scope, awaited), and returns the watched packages
 * evaluated by then, sorted. Lazy files beside the bundle are built the same way.
 */
export async function evaluatedPackages(entry: string, watched: RegExp, env: NodeJS.ProcessEnv, outDir: string, then = ''): Promise<string[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the deployment's own esbuild settings (CommonJS)
  const deployed = (require(join(REPO_ROOT, 'esbuild.config.js')) as () => BuildOptions)();
  const outfile = join(outDir, 'handler.js');
  await build({ ...deployed, sourcemap: false, entryPoints: [entry], outfile, logLevel: 'silent', plugins: [recordEvaluation(watched), ...(deployed.plugins ?? [])] });
  const script = `
    const { handler } = require(${JSON.stringify(outfile)});
    (async () => { ${then} })().then(
      () => console.log(JSON.stringify([...(globalThis.${MARKER} ?? [])].sort())),
      (error) => { console.error(error); process.exitCode = 1; },
    );`;
  const run = spawnSync(process.execPath, ['-e', script], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`the bundle of ${entry} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '[]') as string[];
}
