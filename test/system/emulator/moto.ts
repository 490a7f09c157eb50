// System suite: the emulated AWS account (moto in server mode, with the gaps of moto_server.py closed) and its administrator.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';

const LAUNCHER = join(__dirname, 'moto_server.py');
const PYTHON = process.env.FIREBREAK_PYTHON ?? 'python3';
/** The IAM user the suite's Lambda service signs as when it assumes a function's role (moto_server.py, gap 4). */
export const LAMBDA_SERVICE_USER = 'lambda.amazonaws.com';
/** moto's default account. */
export const ACCOUNT_ID = '123456789012';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** One authorisation decision the emulator made, read back from its audit file. */
export interface Authorisation {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly allowed: boolean;
}

export interface Emulator {
  /** `http://127.0.0.1:<port>`: every SDK client's `AWS_ENDPOINT_URL`. */
  readonly endpoint: string;
  /** Full rights, for the suite's own set-up and checks. */
  readonly admin: Credentials;
  /** The identity that assumes the functions' roles, as the Lambda service does. */
  readonly lambdaService: Credentials;
  /** Every authorisation decision so far (IAM is enforced once `start` returns). */
  authorisations(): Authorisation[];
  /** The emulator's recent output (its own errors and tracebacks), for failure messages. */
  output(): string;
  /** Python tracebacks the emulator printed (an internal error answers 500): a scenario fails on any. */
  tracebacks(): string[];
  stop(): Promise<void>;
}

/** Fails with what to install when python3 or moto's server extras are missing: the suite never skips. `who` opens the message. */
export function assertMotoAvailable(who = 'The system suite'): void {
  const probe = spawnSync(PYTHON, ['-c', 'import moto, moto.server, werkzeug, flask; print(moto.__version__)'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `${who} needs moto in server mode and could not load it with ${PYTHON} (${probe.error?.message ?? probe.stderr.trim()}).\n` +
        'Install it with: pip install "moto[server]"   (moto 5.x; set FIREBREAK_PYTHON to use another interpreter)',
    );
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitUntilUp(endpoint: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the emulator exited with ${child.exitCode}:\n${log()}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`the emulator did not answer on ${endpoint} within 30 s:\n${log()}`);
}

async function createUser(iam: IAMClient, name: string, policy: object): Promise<Credentials> {
  await iam.send(new CreateUserCommand({ UserName: name }));
  await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'suite', PolicyDocument: JSON.stringify(policy) }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  if (!AccessKey?.AccessKeyId || !AccessKey.SecretAccessKey) throw new Error(`the emulator made no access key for ${name}`);
  return { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey };
}

export interface EmulatorOptions {
  /**
   * `enforced` (the suite): every request after start-up is authenticated and authorised. `open` (the
   * sandbox, where functions run as the developer, not under their roles): any keys are accepted.
   */
  readonly iam?: 'enforced' | 'open';
  /** Opens the message when moto is missing. */
  readonly who?: string;
}

/**
 * Starts moto on a free loopback port, creates the suite's administrator and Lambda service user, then
 * turns IAM enforcement on (unless `iam: 'open'`): from then on every request is authenticated and authorised.
 * `lambdaServiceUrl` receives moto's deliveries to Lambda functions and email subscriptions.
 */
export async function startEmulator(lambdaServiceUrl: string, options: EmulatorOptions = {}): Promise<Emulator> {
  assertMotoAvailable(options.who);
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const workDir = mkdtempSync(join(tmpdir(), 'firebreak-emulator-'));
  const auditFile = join(workDir, 'authorisations.jsonl');
  writeFileSync(auditFile, '');
  let output = '';
  const child = spawn(PYTHON, [LAUNCHER, '--port', String(port), '--lambda-service', lambdaServiceUrl, '--audit', auditFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-200_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(workDir, { recursive: true, force: true });
  };
  try {
    await waitUntilUp(endpoint, child, () => output);
    const iam = new IAMClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'setup', secretAccessKey: 'setup' } });
    const admin = await createUser(iam, 'firebreak-system-suite', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
    // The Lambda service user may only assume roles; each role's trust policy decides which (gap 4).
    const lambdaService = await createUser(iam, LAMBDA_SERVICE_USER, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] });
    if (options.iam !== 'open') {
      const enforced = await fetch(`${endpoint}/moto-api/reset-auth`, { method: 'POST', body: '0' });
      if (!enforced.ok) throw new Error(`could not turn IAM enforcement on: ${enforced.status} ${await enforced.text()}`);
    }
    return {
      endpoint,
      admin,
      lambdaService,
      authorisations: () =>
        readFileSync(auditFile, 'utf8')
          .split('\n')
          .filter((line) => line.length > 0)
          .map((line) => JSON.parse(line) as Authorisation),
      output: () => output,
      tracebacks: () => {
        const blocks = output.split(/(?=Traceback \(most recent call last\):)/).slice(1);
        return blocks.map((b) => b.split('\n').filter((l) => !l.startsWith('127.0.0.1')).slice(0, 40).join('\n'));
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
