// Benchmark of what gets deployed: each function's minified bundle size and the cold initialisation of a fresh Node process that loads it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { lambdaHeapFlags } from './logs';

const REPO_ROOT = resolve(__dirname, '..');

export const FUNCTIONS = ['notify', 'scaleNodegroup', 'scaleDeployment', 'forwardLogs', 'respond'] as const;
type FunctionName = (typeof FUNCTIONS)[number];

const MB = 1024 * 1024;
/** Budgets from the deployment's requirements; scaleDeployment carries the Kubernetes client. */
const BUDGETS: Record<FunctionName, { maxBytes: number; maxInitRatio: number }> = {
  notify: { maxBytes: 1 * MB, maxInitRatio: 3 },
  scaleNodegroup: { maxBytes: 1 * MB, maxInitRatio: 3 },
  scaleDeployment: { maxBytes: 3 * MB, maxInitRatio: 5 },
  forwardLogs: { maxBytes: 1 * MB, maxInitRatio: 3 },
  respond: { maxBytes: 1 * MB, maxInitRatio: 3 },
};

/** Each function's memorySize in serverless.yml (a packaging test holds them equal): Lambda sizes the V8 heap from it. */
export const DEPLOYED_MEMORY_MB: Record<FunctionName, number> = { notify: 512, scaleNodegroup: 512, scaleDeployment: 1024, forwardLogs: 1024, respond: 512 };

/** Rounds of the interleaved cold-start measurement; each round starts every process once. */
const ROUNDS = 21;

// The environment of a local-stage function: enough for module-scope configuration to load, no AWS.
const FUNCTION_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  STAGE: 'local',
  DRY_RUN: 'true',
  AWS_REGION: 'us-east-1',
  STATE_TABLE: 'firebreak-local-state',
  EMAIL_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:firebreak-local-email',
  POWERTOOLS_SERVICE_NAME: 'firebreak',
  POWERTOOLS_METRICS_NAMESPACE: 'Firebreak',
  POWERTOOLS_DEV: 'false',
};

interface Bundle {
  name: FunctionName;
  file?: string;
  bytes?: number;
  /** Files built beside the handler and loaded with `import()` only on some paths (esbuild.config.js LAZY_FILES), with their sizes. */
  lazy?: [string, number][];
  /** Bytes in the bundle per npm package (or `(firebreak)` for this repository's code), largest first. */
  contributors?: [string, number][];
  problem?: string;
}

/** The npm package an input path belongs to, from its last node_modules segment. */
function packageOf(inputPath: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(inputPath);
  return match ? match[1]! : '(firebreak)';
}

/** Bundles one handler exactly as serverless-esbuild does for deployment (esbuild.config.js). */
async function bundle(name: FunctionName, outDir: string): Promise<Bundle> {
  const entry = join(REPO_ROOT, 'functions', name, 'handler.ts');
  if (!existsSync(entry)) return { name, problem: 'handler not found' };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const deployOptions = (require(join(REPO_ROOT, 'esbuild.config.js')) as () => BuildOptions & { exclude?: string[] })();
  const { exclude: _pluginOnly, ...options } = deployOptions;
  const file = join(outDir, `${name}.js`);
  const result = await build({ ...options, entryPoints: [entry], outfile: file, logLevel: 'silent', metafile: true });
  const byPackage = new Map<string, number>();
  const lazy: [string, number][] = [];
  for (const [path, output] of Object.entries(result.metafile.outputs)) {
    if (path.endsWith('.map')) continue;
    if (!path.endsWith(`/${name}.js`)) {
      lazy.push([path.slice(path.lastIndexOf('/') + 1), output.bytes]);
      continue;
    }
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      byPackage.set(packageOf(input), (byPackage.get(packageOf(input)) ?? 0) + bytesInOutput);
    }
  }
  const contributors = [...byPackage].sort((a, b) => b[1] - a[1]);
  return { name, file, bytes: statSync(file).size, lazy, contributors };
}

/** Wall time of one fresh process, in milliseconds. */
function timeProcess(args: string[]): { ms: number; error?: string } {
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { env: FUNCTION_ENV, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return run.status === 0 ? { ms } : { ms, error: (run.stderr || run.stdout).trim().split('\n').slice(-3).join(' | ') };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const loadArgs = (file: string) => ['-e', `require(${JSON.stringify(file)})`];

/** Lambda always has credentials in the environment, so the SDK's full credential chain file is never loaded there. */
const loadedOnSomePaths = (b: Bundle): string[] => (b.lazy ?? []).map(([file]) => file).filter((file) => !file.includes('.aws-credential-chain.'));

/** The bundle, then the lazy files a path may load (the Kubernetes client, the digest adapters), as the first such invocation would. */
const loadWithLazyArgs = (file: string, lazyFiles: string[]) => [
  '-e',
  `require(${JSON.stringify(file)}); Promise.all(${JSON.stringify(lazyFiles.map((f) => join(dirname(file), f)))}.map((f) => import(f)))`,
];

export async function run(): Promise<void> {
  const outDir = mkdtempSync(join(tmpdir(), 'firebreak-bundles-'));
  try {
    const bundles = await Promise.all(FUNCTIONS.map((name) => bundle(name, outDir)));
    const loadable = bundles.filter((b): b is Bundle & { file: string; bytes: number } => b.file !== undefined);

    // Bare node and every bundle, interleaved round by round so machine noise hits all alike.
    const bare: number[] = [];
    const samples = new Map<FunctionName, number[]>(loadable.map((b) => [b.name, []]));
    const withLambdaFlags = new Map<FunctionName, number[]>(loadable.map((b) => [b.name, []]));
    const withLazy = new Map<FunctionName, number[]>(loadable.filter((b) => loadedOnSomePaths(b).length > 0).map((b) => [b.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      bare.push(timeProcess(['-e', '0']).ms);
      for (const b of loadable) {
        const timing = timeProcess(loadArgs(b.file));
        if (timing.error) b.problem ??= `fails to load: ${timing.error}`;
        samples.get(b.name)!.push(timing.ms);
        withLambdaFlags.get(b.name)!.push(timeProcess([...lambdaHeapFlags(DEPLOYED_MEMORY_MB[b.name]), ...loadArgs(b.file)]).ms);
        if (!withLazy.has(b.name)) continue;
        const full = timeProcess(loadWithLazyArgs(b.file, loadedOnSomePaths(b)));
        if (full.error) b.problem ??= `fails to load its lazy files: ${full.error}`;
        withLazy.get(b.name)!.push(full.ms);
      }
    }

    const bareMs = median(bare);
    console.log(`bundles: Node ${process.version}, ${ROUNDS} interleaved rounds, bare \`node -e 0\` median ${bareMs.toFixed(1)} ms`);
    console.log('function          bundle (min)  budget    init median  ratio  budget  verdict      loaded lazily, on some paths only');
    for (const b of bundles) {
      const budget = BUDGETS[b.name];
      if (b.bytes === undefined || b.problem) {
        console.log(`${b.name.padEnd(16)}  ${b.problem ?? 'not built'}`);
        continue;
      }
      const initMs = median(samples.get(b.name)!);
      const ratio = initMs / bareMs;
      const ok = b.bytes <= budget.maxBytes && ratio <= budget.maxInitRatio;
      console.log(
        [
          b.name.padEnd(16),
          `${(b.bytes / 1024).toFixed(0)} KiB`.padStart(12),
          `<= ${budget.maxBytes / MB} MB`.padStart(8),
          `${initMs.toFixed(1)} ms`.padStart(11),
          `${ratio.toFixed(2)}x`.padStart(6),
          `<= ${budget.maxInitRatio}x`.padStart(6),
          (ok ? ' ok' : ' OVER BUDGET').padEnd(12),
          (b.lazy ?? []).map(([file, bytes]) => `${file} ${(bytes / 1024).toFixed(0)} KiB`).join(', '),
        ].join('  '),
      );
    }
    const flagged = loadable.map((b) => {
      const ms = median(withLambdaFlags.get(b.name)!);
      return `${b.name} ${ms.toFixed(1)} ms ${(ms / bareMs).toFixed(2)}x (${DEPLOYED_MEMORY_MB[b.name]} MB)`;
    });
    console.log(`with the heap flags Lambda passes for each function's memory size: ${flagged.join('; ')}`);
    for (const [name, timings] of withLazy) {
      const b = bundles.find((candidate) => candidate.name === name)!;
      const ms = median(timings);
      console.log(`${name}: with ${loadedOnSomePaths(b).join(', ')} loaded too, as by the first invocation that needs them: ${ms.toFixed(1)} ms, ${(ms / bareMs).toFixed(2)}x bare`);
    }
    console.log('largest parts of each bundle:');
    for (const b of bundles) {
      if (!b.contributors) continue;
      const top = b.contributors.slice(0, 4).map(([pkg, bytes]) => `${pkg} ${(bytes / 1024).toFixed(0)} KiB`);
      console.log(`  ${b.name.padEnd(16)}${top.join(', ')}`);
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
