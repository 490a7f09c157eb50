// Benchmark of what gets deployed: each function's minified bundle size and the cold initialisation of a fresh Node process that loads it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { lambdaHeapFlags } from './logs';
import type { BenchVerdict } from './verdict';

const REPO_ROOT = resolve(__dirname, '..');

export const FUNCTIONS = ['notify', 'scaleNodegroup', 'scaleDeployment', 'forwardLogs', 'respond', 'slackActions'] as const;
type FunctionName = (typeof FUNCTIONS)[number];

const MB = 1024 * 1024;
/** Budgets from the deployment's requirements; scaleDeployment carries the Kubernetes client. */
const BUDGETS: Record<FunctionName, { maxBytes: number; maxInitRatio: number }> = {
  notify: { maxBytes: 1 * MB, maxInitRatio: 3 },
  scaleNodegroup: { maxBytes: 1 * MB, maxInitRatio: 3 },
  scaleDeployment: { maxBytes: 3 * MB, maxInitRatio: 5 },
  forwardLogs: { maxBytes: 1 * MB, maxInitRatio: 3 },
  respond: { maxBytes: 1 * MB, maxInitRatio: 3 },
  slackActions: { maxBytes: 1 * MB, maxInitRatio: 3 },
};

/** Each function's memorySize in serverless.yml (a packaging test holds them equal): Lambda sizes the V8 heap from it. */
export const DEPLOYED_MEMORY_MB: Record<FunctionName, number> = { notify: 512, scaleNodegroup: 512, scaleDeployment: 1024, forwardLogs: 1024, respond: 512, slackActions: 512 };

/** Rounds of the interleaved cold-start measurement; each round starts every process once. */
const ROUNDS = 21;

// The environment of a local-stage function: enough for module-scope configuration to load, no AWS: no
// credentials anywhere (no instance metadata either), so every AWS read fails at once and the dry run plans around it.
const FUNCTION_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: tmpdir(),
  AWS_CONFIG_FILE: join(tmpdir(), 'firebreak-bench-no-aws-config'),
  AWS_SHARED_CREDENTIALS_FILE: join(tmpdir(), 'firebreak-bench-no-aws-credentials'),
  AWS_EC2_METADATA_DISABLED: 'true',
  STAGE: 'local',
  DRY_RUN: 'true',
  AWS_REGION: 'us-east-1',
  STATE_TABLE: 'firebreak-local-state',
  EMAIL_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:firebreak-local-email',
  POWERTOOLS_SERVICE_NAME: 'firebreak',
  POWERTOOLS_METRICS_NAMESPACE: 'Firebreak',
  POWERTOOLS_DEV: 'false',
  // slackActions verifies every request with it; the sample event's signature is not this secret's.
  SLACK_SIGNING_SECRET: 'bench-signing-secret',
};

/** The sample event each function acts on (events/), for its first acting invocation. */
const ACTING_EVENT: Record<FunctionName, string> = {
  notify: 'alarm-high-error-rate-alarm',
  scaleNodegroup: 'alarm-high-cpu-alarm',
  scaleDeployment: 'alarm-high-cpu-alarm',
  forwardLogs: 'logs-api',
  respond: 'alarm-high-error-rate-alarm',
  // Its signature is a sample's, so the first invocation refuses it (401): verification is what every request runs first.
  slackActions: 'slack-interaction',
};

interface Bundle {
  name: FunctionName;
  file?: string;
  bytes?: number;
  /** Other files the build wrote beside the handler, with their sizes (none: each function is one bundle). */
  beside?: [string, number][];
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
  const beside: [string, number][] = [];
  for (const [path, output] of Object.entries(result.metafile.outputs)) {
    if (path.endsWith('.map')) continue;
    if (!path.endsWith(`/${name}.js`)) {
      beside.push([path.slice(path.lastIndexOf('/') + 1), output.bytes]);
      continue;
    }
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      byPackage.set(packageOf(input), (byPackage.get(packageOf(input)) ?? 0) + bytesInOutput);
    }
  }
  const contributors = [...byPackage].sort((a, b) => b[1] - a[1]);
  return { name, file, bytes: statSync(file).size, beside, contributors };
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

/**
 * The bundle loaded, then its handler invoked once on the function's acting sample event, dry run and
 * offline: what the first invocation that acts evaluates (the Kubernetes client for scaleDeployment,
 * which reads its deployment) on top of cold start. Without credentials the SDK's full credential
 * chain is evaluated too, which Lambda (credentials in the environment) never does: an upper bound.
 */
const invokeArgs = (file: string, name: FunctionName) => [
  '-e',
  [
    `const { handler } = require(${JSON.stringify(file)});`,
    `const event = require(${JSON.stringify(join(REPO_ROOT, 'events', `${ACTING_EVENT[name]}.json`))});`,
    `const context = { functionName: 'firebreak-local-${name}', awsRequestId: 'bench', getRemainingTimeInMillis: () => 30000 };`,
    // Whether it succeeded is the function's own tests' business; a failure is still a complete first invocation.
    `Promise.resolve(handler(event, context)).catch(() => undefined).then(() => process.exit(0));`,
  ].join(' '),
];

export async function run(print: (line: string) => void): Promise<BenchVerdict[]> {
  const outDir = mkdtempSync(join(tmpdir(), 'firebreak-bundles-'));
  try {
    const bundles = await Promise.all(FUNCTIONS.map((name) => bundle(name, outDir)));
    const loadable = bundles.filter((b): b is Bundle & { file: string; bytes: number } => b.file !== undefined);

    // Bare node and every bundle, interleaved round by round so machine noise hits all alike.
    const bare: number[] = [];
    const samples = new Map<FunctionName, number[]>(loadable.map((b) => [b.name, []]));
    const withLambdaFlags = new Map<FunctionName, number[]>(loadable.map((b) => [b.name, []]));
    const firstActing = new Map<FunctionName, number[]>(loadable.map((b) => [b.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      bare.push(timeProcess(['-e', '0']).ms);
      for (const b of loadable) {
        const timing = timeProcess(loadArgs(b.file));
        if (timing.error) b.problem ??= `fails to load: ${timing.error}`;
        samples.get(b.name)!.push(timing.ms);
        withLambdaFlags.get(b.name)!.push(timeProcess([...lambdaHeapFlags(DEPLOYED_MEMORY_MB[b.name]), ...loadArgs(b.file)]).ms);
        const acting = timeProcess(invokeArgs(b.file, b.name));
        if (acting.error) b.problem ??= `fails its first invocation: ${acting.error}`;
        firstActing.get(b.name)!.push(acting.ms);
      }
    }

    const verdicts: BenchVerdict[] = [];
    const bareMs = median(bare);
    print(`bundles: Node ${process.version}, ${ROUNDS} interleaved rounds, bare \`node -e 0\` median ${bareMs.toFixed(1)} ms`);
    print('function          bundle (min)  budget    init median  ratio  budget  verdict      first acting invocation  files beside the bundle');
    for (const b of bundles) {
      const budget = BUDGETS[b.name];
      if (b.bytes === undefined || b.problem) {
        print(`${b.name.padEnd(16)}  ${b.problem ?? 'not built'}`);
        verdicts.push({ target: `bundles: ${b.name} builds, loads and runs its first invocation`, met: false });
        continue;
      }
      const initMs = median(samples.get(b.name)!);
      const ratio = initMs / bareMs;
      const ok = b.bytes <= budget.maxBytes && ratio <= budget.maxInitRatio;
      verdicts.push({ target: `bundles: ${b.name} <= ${budget.maxBytes / MB} MB and init <= ${budget.maxInitRatio}x bare node`, met: ok });
      print(
        [
          b.name.padEnd(16),
          `${(b.bytes / 1024).toFixed(0)} KiB`.padStart(12),
          `<= ${budget.maxBytes / MB} MB`.padStart(8),
          `${initMs.toFixed(1)} ms`.padStart(11),
          `${ratio.toFixed(2)}x`.padStart(6),
          `<= ${budget.maxInitRatio}x`.padStart(6),
          (ok ? ' ok' : ' OVER BUDGET').padEnd(12),
          `${median(firstActing.get(b.name)!).toFixed(1)} ms ${(median(firstActing.get(b.name)!) / bareMs).toFixed(2)}x`.padStart(23),
          (b.beside ?? []).map(([file, bytes]) => `${file} ${(bytes / 1024).toFixed(0)} KiB`).join(', ') || 'none',
        ].join('  '),
      );
    }
    const flagged = loadable.map((b) => {
      const ms = median(withLambdaFlags.get(b.name)!);
      return `${b.name} ${ms.toFixed(1)} ms ${(ms / bareMs).toFixed(2)}x (${DEPLOYED_MEMORY_MB[b.name]} MB)`;
    });
    print(`with the heap flags Lambda passes for each function's memory size: ${flagged.join('; ')}`);
    print('largest parts of each bundle:');
    for (const b of bundles) {
      if (!b.contributors) continue;
      const top = b.contributors.slice(0, 4).map(([pkg, bytes]) => `${pkg} ${(bytes / 1024).toFixed(0)} KiB`);
      print(`  ${b.name.padEnd(16)}${top.join(', ')}`);
    }
    return verdicts;
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
