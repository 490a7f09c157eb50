// Packaging: README's bundle sizes are the ones the build makes (sizes are deterministic for a lockfile; timings are not, and come from `npm run bench`).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { FUNCTION_NAMES, REPO_ROOT, type FunctionName } from './serverless';

jest.setTimeout(120_000);

/** esbuild.config.js as serverless-esbuild applies it. */
function deployOptions(): BuildOptions {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { exclude: _pluginOnly, ...options } = (require(join(REPO_ROOT, 'esbuild.config.js')) as () => BuildOptions & { exclude?: string[] })();
  return options;
}

/** KiB of each file the build writes for a function (`handler.js`, and `handler.kubernetes.js` where it has one), as the bench prints them. */
async function builtKiB(name: FunctionName): Promise<Map<string, number>> {
  const result = await build({ ...deployOptions(), entryPoints: [join(REPO_ROOT, 'functions', name, 'handler.ts')], outfile: join(REPO_ROOT, '.bundle-check', `readme-${name}`, 'handler.js'), write: false, metafile: true, logLevel: 'silent' });
  // The metafile has every file of the build, the Kubernetes client file that esbuild.config.js builds beside the handler included.
  return new Map(Object.entries(result.metafile.outputs).filter(([path]) => path.endsWith('.js')).map(([path, output]) => [path.slice(path.lastIndexOf('/') + 1), Math.round(output.bytes / 1024)]));
}

/** The row of the bundles table in README for a function: `| notify | 494 KiB → 623 KiB | …`. */
function readmeRow(readme: string, name: FunctionName): string {
  const row = readme.split('\n').find((line) => line.startsWith(`| ${name} | `) && line.includes('KiB'));
  if (!row) throw new Error(`README has no bundles row for ${name}`);
  return row;
}

describe.each(FUNCTION_NAMES)("README's figures for %s", (name) => {
  it('give the size of the bundle the build makes now, and of the Kubernetes client file beside it where there is one', async () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const row = readmeRow(readme, name);
    const sizes = await builtKiB(name);

    // `new → 728 KiB` for a function that came after the layout change the table compares.
    const [, after] = /(?:\d+ KiB|new) → (\d+) KiB/.exec(row) ?? [];
    // On a difference: update the after sizes in README's bundles table (`npm run bench -- bundles` prints them, with the timings).
    expect({ name, handler: Number(after) }).toEqual({ name, handler: sizes.get('handler.js') });
    const kubernetes = sizes.get('handler.kubernetes.js');
    const beside = /\+(\d+) KiB Kubernetes client/.exec(row)?.[1];
    expect({ name, kubernetes: beside === undefined ? undefined : Number(beside) }).toEqual({ name, kubernetes });
  });
});
