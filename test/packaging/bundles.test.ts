// Packaging: what each function's deployed bundle carries — zod/mini's tree-shaken core, never classic zod or its locales; one copy of each module.
import { join } from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { STAGES_DIR, stageNames } from '../../shared/policy/load';
import { FUNCTION_NAMES, REPO_ROOT, type FunctionName } from './serverless';

jest.setTimeout(120_000);

const KiB = 1024;

/** esbuild.config.js as serverless-esbuild applies it. */
function deployOptions(): BuildOptions {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { exclude: _pluginOnly, ...options } = (require(join(REPO_ROOT, 'esbuild.config.js')) as () => BuildOptions & { exclude?: string[] })();
  return options;
}

/** The inputs that ended up in a bundle's code, with their bytes; nothing is written to disk. */
async function bundledInputs(entry: Pick<BuildOptions, 'entryPoints' | 'stdin'>): Promise<Map<string, number>> {
  const result = await build({ ...deployOptions(), ...entry, outfile: join(REPO_ROOT, '.bundle-check', 'out.js'), write: false, metafile: true, logLevel: 'silent' });
  const output = Object.values(result.metafile.outputs).find((o): o is Metafile['outputs'][string] & { entryPoint: string } => o.entryPoint !== undefined);
  return new Map(Object.entries(output!.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([path, input]) => [path, input.bytesInOutput]));
}

const zodPart = (path: string) => /node_modules\/zod\/(.*)$/.exec(path)?.[1];
const isClassic = (part: string) => /^(v4\/classic|v3)\/|^index\.js$/.test(part);
const isOtherLocale = (part: string) => /^v4\/locales\//.test(part) && part !== 'v4/locales/en.js';

describe.each(FUNCTION_NAMES)('the %s bundle', (name: FunctionName) => {
  let zodParts: Map<string, number>;
  let inputs: Map<string, number>;

  beforeAll(async () => {
    inputs = await bundledInputs({ entryPoints: [join(REPO_ROOT, 'functions', name, 'handler.ts')] });
    zodParts = new Map([...inputs].flatMap(([path, bytes]) => (zodPart(path) ? [[zodPart(path)!, bytes] as const] : [])));
  });

  it(`carries the policy of every stage in ${STAGES_DIR}, found when it was packaged (a new stage is a new file, no code change)`, () => {
    const bundled = [...inputs.keys()].filter((path) => path.startsWith(`${STAGES_DIR}/`)).sort();
    expect(bundled).toEqual(stageNames().map((stage) => `${STAGES_DIR}/${stage}.json`));
  });

  it('builds its schemas with zod/mini and carries no classic zod', () => {
    expect([...zodParts.keys()].some((part) => part.startsWith('v4/mini/'))).toBe(true);
    expect([...zodParts.keys()].filter(isClassic)).toEqual([]);
  });

  it('carries English messages and no other locale', () => {
    expect(zodParts.has('v4/locales/en.js')).toBe(true);
    expect([...zodParts.keys()].filter(isOtherLocale)).toEqual([]);
  });

  it('keeps only the parts of zod it uses (classic zod alone was about 200 KiB)', () => {
    const zodBytes = [...zodParts.values()].reduce((sum, bytes) => sum + bytes, 0);
    expect(zodBytes).toBeLessThan(64 * KiB);
  });
});

describe.each(['respond', 'scaleDeployment'] as const)('the %s bundle and the Kubernetes client file beside it', (name) => {
  let outputs: Metafile['outputs'];
  beforeAll(async () => {
    const result = await build({ ...deployOptions(), entryPoints: [join(REPO_ROOT, 'functions', name, 'handler.ts')], outfile: join(REPO_ROOT, '.bundle-check', name, 'handler.js'), write: false, metafile: true, logLevel: 'silent' });
    outputs = result.metafile.outputs;
  });
  const inputsOf = (file: string) => {
    const output = Object.entries(outputs).find(([path]) => path.endsWith(`/${file}`))?.[1];
    if (!output) throw new Error(`no ${file} in the build`);
    return Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([path]) => path);
  };

  it('keeps the library out of the handler, which requires the file for it', () => {
    expect(inputsOf('handler.js').filter((path) => path.includes('node_modules/@kubernetes/client-node/'))).toEqual([]);
    expect(outputs[Object.keys(outputs).find((path) => path.endsWith('/handler.js'))!]?.imports).toContainEqual(expect.objectContaining({ path: './handler.kubernetes.js', external: true }));
  });

  it("puts the library in the file and none of Firebreak's modules but the one that re-exports it, so nothing exists twice", () => {
    const inputs = inputsOf('handler.kubernetes.js');
    expect(inputs.some((path) => path.includes('node_modules/@kubernetes/client-node/'))).toBe(true);
    expect(inputs.filter((path) => !path.includes('node_modules/'))).toEqual(['shared/k8s/library.ts']);
  });
});

describe('the zod locales plugin', () => {
  // `import { z }` uses zod's namespace object, which keeps every export, the locales namespace included.
  it.each([
    ['classic zod', "import { z } from 'zod'; console.log(z.string().parse('x'));"],
    ['zod/mini', "import { z } from 'zod/mini'; console.log(z.string().parse('x'));"],
  ])('replaces the locales namespace of %s with an empty module', async (_label, contents) => {
    const inputs = await bundledInputs({ stdin: { contents, resolveDir: REPO_ROOT, loader: 'ts' } });

    expect([...inputs.keys()].map((path) => zodPart(path) ?? '').filter(isOtherLocale)).toEqual([]);
    expect([...inputs.keys()]).toContain('empty:zod-locales');
  });
});
