// Packaging: lazily loaded parts of a bundle live in their own files and load, with their exports, from the handler's directory.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, context, type BuildOptions, type Metafile } from 'esbuild';
import { REPO_ROOT } from './serverless';

jest.setTimeout(120_000);

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the deployment's own esbuild settings (CommonJS)
const deployOptions = require(join(REPO_ROOT, 'esbuild.config.js')) as () => BuildOptions;

let outDir: string;
let metafile: Metafile;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'firebreak-lazy-files-'));
  const result = await build({ ...deployOptions(), entryPoints: [join(REPO_ROOT, 'functions/respond/handler.ts')], outfile: join(outDir, 'handler.js'), logLevel: 'silent', metafile: true });
  metafile = result.metafile;
});

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

/** The npm packages bundled into one output file. */
const packagesIn = (file: string): Set<string> =>
  new Set(
    Object.keys(metafile.outputs[Object.keys(metafile.outputs).find((o) => o.endsWith(`/${file}`)) ?? '']?.inputs ?? {}).flatMap((input) => {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(input);
      return match ? [match[1]!] : [];
    }),
  );

it('keeps the adapters, the Kubernetes client and the SDK credential chain out of the handler file, in files of their own', () => {
  expect(packagesIn('handler.js').has('@kubernetes/client-node')).toBe(false);
  expect(packagesIn('handler.js').has('@aws-sdk/credential-provider-sso')).toBe(false);
  expect(packagesIn('handler.kubernetes.js').has('@kubernetes/client-node')).toBe(true);
  expect(packagesIn('handler.aws-credential-chain.js').has('@aws-sdk/credential-provider-sso')).toBe(true);
  expect(packagesIn('handler.js').has('@aws-sdk/client-cloudwatch')).toBe(false);
  expect(packagesIn('handler.adapters.js').has('@aws-sdk/client-cloudwatch')).toBe(true);
  // The handler loads its adapters, which load the Kubernetes client: each from beside it.
  expect(readFileSync(join(outDir, 'handler.js'), 'utf8')).toContain('require("./handler.adapters.js")');
  expect(readFileSync(join(outDir, 'handler.adapters.js'), 'utf8')).toContain('require("./handler.kubernetes.js")');
});

it('loads the handler, then each lazy file from beside it with the exports the handler calls', () => {
  const probe = `
    const handler = require('./handler.js');
    Promise.all([import('./handler.adapters.js'), import('./handler.kubernetes.js'), import('./handler.aws-credential-chain.js')]).then(([adapters, kube, chain]) => {
      console.log(JSON.stringify({ handler: typeof handler.handler, adapters: typeof adapters.defaultResponderDeps, actuator: typeof kube.configuredDeploymentActuator, provider: typeof chain.defaultProvider }));
    });`;
  const run = spawnSync(process.execPath, ['-e', probe], {
    cwd: outDir,
    env: { PATH: process.env.PATH, STAGE: 'local', AWS_REGION: 'us-east-1', POWERTOOLS_DEV: 'false' },
    encoding: 'utf8',
  });
  expect(run.stderr).toBe('');
  expect(JSON.parse(run.stdout)).toEqual({ handler: 'function', adapters: 'function', actuator: 'function', provider: 'function' });
});

it('writes the lazy files again on every build of a build context (as serverless-esbuild builds)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-lazy-rebuild-'));
  const ctx = await context({ ...deployOptions(), sourcemap: false, entryPoints: [join(REPO_ROOT, 'functions/respond/handler.ts')], outdir: dir, logLevel: 'silent' });
  try {
    const builds: string[][] = [];
    for (let i = 0; i < 2; i++) {
      for (const file of readdirSync(dir)) rmSync(join(dir, file));
      await ctx.rebuild();
      builds.push(readdirSync(dir).sort());
    }
    const expected = ['handler.adapters.js', 'handler.aws-credential-chain.js', 'handler.js', 'handler.kubernetes.js'];
    expect(builds).toEqual([expected, expected]);
  } finally {
    await ctx.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('logs from a lazy file with the Lambda context the handler was given', () => {
  const probe = `
    const { handler } = require('./handler.js');
    const event = require(${JSON.stringify(join(REPO_ROOT, 'events/alarm-high-error-rate-alarm.json'))});
    const context = { awsRequestId: 'request-from-lambda', functionName: 'firebreak-local-respond', invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:firebreak-local-respond', memoryLimitInMB: '512', getRemainingTimeInMillis: () => 30000 };
    handler(event, context).then(() => undefined, (error) => { console.error(error); process.exitCode = 1; });`;
  const run = spawnSync(process.execPath, ['-e', probe], {
    cwd: outDir,
    env: { PATH: process.env.PATH, STAGE: 'local', AWS_REGION: 'us-east-1', POWERTOOLS_DEV: 'false', AWS_EC2_METADATA_DISABLED: 'true', HOME: outDir },
    encoding: 'utf8',
  });
  expect(run.status).toBe(0);
  const lines = run.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { message: string; function_request_id?: string });
  // The pager of a dry run lives in the adapters' lazy file.
  const fromAdapters = lines.filter((l) => /would page/i.test(l.message));
  expect(fromAdapters.length).toBeGreaterThan(0);
  expect(fromAdapters.map((l) => l.function_request_id)).toEqual(fromAdapters.map(() => 'request-from-lambda'));
});
