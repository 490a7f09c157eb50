// Packaging-test harness: runs the Serverless CLI offline (no AWS credentials at all) and reads what it produced.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inflateRawSync } from 'node:zlib';

export const REPO_ROOT = resolve(__dirname, '../..');
const SERVERLESS_BIN = join(REPO_ROOT, 'node_modules/osls/bin/serverless.js');

/** The serverless.yml function keys (DESIGN.md contract). */
export const FUNCTION_NAMES = ['notify', 'scaleNodegroup', 'scaleDeployment', 'forwardLogs', 'respond', 'slackActions'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** The functions CloudWatch alarms reach through the alarms topic. */
export const ALARM_SUBSCRIBERS: readonly FunctionName[] = ['notify', 'scaleNodegroup', 'scaleDeployment', 'respond'];

/** CloudFormation's logical id for a function key, as the framework names it (`notify` -> `NotifyLambdaFunction`). */
export const functionLogicalId = (name: FunctionName) => `${name[0]!.toUpperCase()}${name.slice(1)}LambdaFunction`;

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Resource {
  Type: string;
  Properties: JsonObject;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
}

export interface Template {
  Resources: Record<string, Resource>;
  Outputs?: Record<string, JsonObject>;
}

// The bundler writes into the repository's .esbuild folder, so two builds must never overlap, even from two test files.
const BUILD_LOCK = join(tmpdir(), `firebreak-build-lock-${Buffer.from(REPO_ROOT).toString('hex').slice(-24)}`);
const LOCK_WAIT_MS = 200;
const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function ownerAlive(): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(BUILD_LOCK, 'pid'), 'utf8'));
  } catch {
    // Just taken, its pid not yet written: alive unless it has stayed like that for long.
    try {
      return Date.now() - statSync(BUILD_LOCK).mtimeMs < 10_000;
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs `build` while holding a cross-process lock on the repository's build folder. */
export function withBuildLock<T>(build: () => T): T {
  for (;;) {
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A holder that died leaves its lock behind; a live one is waited for.
      if (!ownerAlive()) rmSync(BUILD_LOCK, { recursive: true, force: true });
      else sleep(LOCK_WAIT_MS);
    }
  }
  try {
    writeFileSync(join(BUILD_LOCK, 'pid'), String(process.pid));
    return build();
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

export interface RunResult {
  /** The exit code; null when the run was killed (see `timedOut`). */
  status: number | null;
  /** True when the run was still going at its time limit and was killed. */
  timedOut: boolean;
  stdout: string;
  /** stdout and stderr together, for assertions on what was said and for failure messages. */
  output: string;
}

export interface RunOptions {
  /** The service directory: the repository, unless a test works on a copy of it (`serviceCopy`). */
  cwd?: string;
  /** Killed after this long (a run that should end must not hold the suite); 240 s unless told. */
  timeoutMs?: number;
  /** Variables removed from the CLI's environment, besides every `AWS_` one. */
  unset?: string[];
}

/**
 * Runs the CLI with every credential source removed: no key variables, no profile, no shared
 * files, no instance metadata. Whatever it does must work on a machine with no AWS account.
 */
export function runServerless(args: string[], home: string, options: RunOptions = {}): RunResult {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AWS_') && !options.unset?.includes(key)) env[key] = value;
  }
  Object.assign(env, {
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
  });
  const run = spawnSync(process.execPath, [SERVERLESS_BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 240_000,
  });
  const timedOut = (run.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  return { status: run.status, timedOut, stdout: run.stdout, output: `${run.stdout}${run.stderr}` };
}

/** What a copy of the service needs to build and run: the rest of the repository stays out. */
const SERVICE_FILES = ['serverless.yml', 'esbuild.config.js', 'package.json', 'tsconfig.json', 'functions', 'shared', 'serverless', 'events', 'runbooks'];

/**
 * A copy of the service in a temporary directory, sharing the repository's node_modules, for a test that
 * must change a file (a broken stage policy, say) without touching the repository others work in.
 */
export function serviceCopy(): { directory: string; cleanup(): void } {
  const directory = mkdtempSync(join(tmpdir(), 'firebreak-service-'));
  for (const file of SERVICE_FILES) cpSync(join(REPO_ROOT, file), join(directory, file), { recursive: true });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(directory, 'node_modules'), 'dir');
  return { directory, cleanup: () => rmSync(directory, { recursive: true, force: true }) };
}

/** A stage packaged into a fresh directory, with the update-stack template parsed. */
export interface PackagedStage {
  template: Template;
  directory: string;
  output: string;
  cleanup(): void;
}

/** Runs `serverless package --stage <stage>` offline into a temporary directory; throws with the CLI's output on failure. */
export function packageStage(stage: string, params: Readonly<Record<string, string>> = {}): PackagedStage {
  const missing = FUNCTION_NAMES.filter((name) => !existsSync(join(REPO_ROOT, 'functions', name, 'handler.ts')));
  if (missing.length > 0) throw new Error(`cannot package: no handler for ${missing.map((n) => `functions/${n}/handler.ts`).join(', ')}`);
  const directory = mkdtempSync(join(tmpdir(), `firebreak-package-${stage}-`));
  const home = mkdtempSync(join(tmpdir(), 'firebreak-home-'));
  const cleanup = () => {
    rmSync(directory, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  };
  // `--param` overrides a stage param, as `serverless deploy --param` would.
  const overrides = Object.entries(params).map(([key, value]) => `--param=${key}=${value}`);
  const run = withBuildLock(() => runServerless(['package', '--stage', stage, '--package', directory, ...overrides], home));
  if (run.status !== 0) {
    cleanup();
    throw new Error(`serverless package --stage ${stage} exited with ${run.status}:\n${run.output}`);
  }
  const template = JSON.parse(
    readFileSync(join(directory, 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as Template;
  return { template, directory, output: run.output, cleanup };
}

/** The service configuration as the CLI resolves it for a stage (`serverless print`), without building anything. */
export function printStage(stage: string): JsonObject {
  const home = mkdtempSync(join(tmpdir(), 'firebreak-home-'));
  try {
    const run = runServerless(['print', '--stage', stage, '--format', 'json'], home);
    if (run.status !== 0) throw new Error(`serverless print --stage ${stage} exited with ${run.status}:\n${run.output}`);
    const start = run.output.indexOf('{');
    return JSON.parse(run.output.slice(start)) as JsonObject;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** Resources of one CloudFormation type, by logical id. */
export function resourcesOfType(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

/** One resource by logical id, failing clearly when absent. */
export function resource(template: Template, logicalId: string): Resource {
  const found = template.Resources[logicalId];
  if (!found) throw new Error(`the template has no resource ${logicalId}`);
  return found;
}

export interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: Json;
  Condition?: JsonObject;
}

/** Every statement of a role's inline policies. */
export function roleStatements(role: Resource): Statement[] {
  // Template JSON is untyped; a role's Policies have this shape by CloudFormation's schema.
  const policies = (role.Properties.Policies ?? []) as unknown as { PolicyDocument: { Statement: Statement[] } }[];
  return policies.flatMap((p) => p.PolicyDocument.Statement);
}

export const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** The logical id an intrinsic `{ Ref }` or `{ Fn::GetAtt }` points at, if the value is one. */
export function referencedId(value: Json | undefined): string | undefined {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    if (typeof value.Ref === 'string') return value.Ref;
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  }
  return undefined;
}

export interface InvokeOptions extends RunOptions {
  /** Settings for the run, each `KEY=value`, given as `-e KEY=value`. */
  env?: string[];
}

/** `serverless invoke local` of one function with a sample event from events/, offline, in a fresh home. */
export function invokeLocal(stage: string, fn: FunctionName, eventFile: string, options: InvokeOptions = {}): RunResult {
  const home = mkdtempSync(join(tmpdir(), 'firebreak-home-'));
  const settings = (options.env ?? []).flatMap((setting) => ['-e', setting]);
  try {
    return withBuildLock(() => runServerless(['invoke', 'local', '--stage', stage, '-f', fn, '-p', eventFile, ...settings], home, options));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

interface ZipDirectoryEntry {
  name: string;
  method: number;
  compressedSize: number;
  localHeader: number;
}

/** A zip archive's central directory, read from the archive itself. */
function zipDirectory(file: string): { zip: Buffer; entries: ZipDirectoryEntry[] } {
  const zip = readFileSync(file);
  const END_OF_DIRECTORY = 0x06054b50;
  const DIRECTORY_ENTRY = 0x02014b50;
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== END_OF_DIRECTORY) end--;
  if (end < 0) throw new Error(`${file} is not a zip archive`);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: ZipDirectoryEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== DIRECTORY_ENTRY) throw new Error(`${file}: damaged central directory`);
    const nameLength = zip.readUInt16LE(at + 28);
    entries.push({
      name: zip.toString('utf8', at + 46, at + 46 + nameLength),
      method: zip.readUInt16LE(at + 10),
      compressedSize: zip.readUInt32LE(at + 20),
      localHeader: zip.readUInt32LE(at + 42),
    });
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return { zip, entries };
}

/** The file names in a zip archive, from its central directory (no extraction, no external tool). */
export function zipEntries(file: string): string[] {
  return zipDirectory(file).entries.map((entry) => entry.name);
}

/** One file of a zip archive as Lambda would unpack it (stored or deflated), or undefined when absent. */
export function zipEntry(file: string, name: string): Buffer | undefined {
  const { zip, entries } = zipDirectory(file);
  const entry = entries.find((e) => e.name === name);
  if (!entry) return undefined;
  const LOCAL_HEADER = 0x04034b50;
  if (zip.readUInt32LE(entry.localHeader) !== LOCAL_HEADER) throw new Error(`${file}: damaged local header of ${name}`);
  const start = entry.localHeader + 30 + zip.readUInt16LE(entry.localHeader + 26) + zip.readUInt16LE(entry.localHeader + 28);
  const data = zip.subarray(start, start + entry.compressedSize);
  if (entry.method === 0) return Buffer.from(data);
  if (entry.method === 8) return inflateRawSync(data);
  throw new Error(`${file}: ${name} uses compression method ${entry.method}`);
}
