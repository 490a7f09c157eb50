// Unit: the `firebreak sandbox` command line — help, usage errors, a start-up that fails, and the summary it prints before waiting for Ctrl-C.
import { createSandboxCommand, describeSandbox, sandboxCommand, shellQuote, type Sandbox } from '../../../shared/cli/sandbox';
import type { CliIo } from '../../../shared/cli/command';

function capture(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, print: (line) => out.push(line), error: (line) => err.push(line), env: {} };
}

/** A started sandbox as far as the command reads it. */
function fakeSandbox(stop: () => Promise<void>): Sandbox {
  const env = { DRY_RUN: 'false', AWS_ENDPOINT_URL: 'http://127.0.0.1:4566', KUBECONFIG: '/tmp/a kube/config.yaml' };
  return {
    region: 'us-east-1',
    endpoints: { aws: 'http://127.0.0.1:4566', slack: 'http://127.0.0.1:1/s', pagerDuty: 'http://127.0.0.1:2/v2/enqueue', logSink: 'http://127.0.0.1:3/ingest', kubernetes: 'https://127.0.0.1:4', kubeconfig: '/tmp/a kube/config.yaml' },
    env,
    flags: [],
    invokeEnvironment: () => env,
    invocations: [{ fn: 'notify', event: 'events/alarm-high-error-rate-alarm.json', args: [], command: 'npx serverless invoke local --stage local -f notify -p events/alarm-high-error-rate-alarm.json -e DRY_RUN=false' }],
    stateTable: 'firebreak-local-state',
    emailTopicArn: 'arn:aws:sns:us-east-1:123456789012:firebreak-local-email',
    asgName: 'eks-retail-prediction-nodegroup-1',
    received: {} as Sandbox['received'],
    kube: {} as Sandbox['kube'],
    created: ['STATE_TABLE firebreak-local-state (pk, sk; TTL expiresAt)'],
    clients: {} as Sandbox['clients'],
    stop,
  };
}

describe('firebreak sandbox (command line)', () => {
  it('--help prints the whole help and exits 0', async () => {
    const io = capture();
    expect(await sandboxCommand.run(['--help'], io)).toBe(0);
    expect(io.out.join('\n')).toContain('usage: firebreak sandbox');
    expect(io.out.join('\n')).toContain('pip install "moto[server]"');
  });

  it.each([
    [['--stage', 'dev'], 'sandbox: unknown option --stage: firebreak sandbox takes --help (firebreak sandbox --help)'],
    [['now'], 'sandbox: unexpected argument now: firebreak sandbox takes only --help'],
  ])('refuses %j with exit 2, naming the fix', async (argv, message) => {
    const io = capture();
    expect(await sandboxCommand.run(argv, io)).toBe(2);
    expect(io.err[0]).toBe(message);
  });

  it('exits 1 with the reason when the sandbox cannot start', async () => {
    const io = capture();
    const command = createSandboxCommand({
      start: async () => {
        throw new Error('firebreak sandbox needs moto in server mode ... Install it with: pip install "moto[server]"');
      },
      until: () => ({ interrupted: new Promise(() => undefined), dispose: () => undefined }),
    });
    expect(await command.run([], io)).toBe(1);
    expect(io.err).toEqual(['sandbox: firebreak sandbox needs moto in server mode ... Install it with: pip install "moto[server]"']);
  });

  it('prints the flags and the invoke lines, then stops the sandbox when interrupted and exits 0', async () => {
    const io = capture();
    const stop = jest.fn(async () => undefined);
    let disposed = false;
    const command = createSandboxCommand({
      start: async () => fakeSandbox(stop),
      until: () => ({ interrupted: Promise.resolve(), dispose: () => (disposed = true) }),
    });

    expect(await command.run([], io)).toBe(0);

    const printed = io.out.join('\n');
    expect(printed).toContain('  -e DRY_RUN=false');
    expect(printed).toContain(`  -e 'KUBECONFIG=/tmp/a kube/config.yaml'`);
    expect(printed).toContain('  npx serverless invoke local --stage local -f notify -p events/alarm-high-error-rate-alarm.json -e DRY_RUN=false');
    expect(stop).toHaveBeenCalledTimes(1);
    expect(disposed).toBe(true);
    expect(io.out.at(-1)).toContain('stopped');
  });

  it('describes where each receiver is and what was created', () => {
    const lines = describeSandbox(fakeSandbox(async () => undefined));
    expect(lines).toContain('  STATE_TABLE firebreak-local-state (pk, sk; TTL expiresAt)');
    expect(lines.some((l) => l.includes('PagerDuty') && l.includes('http://127.0.0.1:2/v2/enqueue'))).toBe(true);
  });

  it('quotes for the shell only what needs it', () => {
    expect(shellQuote('http://127.0.0.1:4566/v2/enqueue')).toBe('http://127.0.0.1:4566/v2/enqueue');
    expect(shellQuote('arn:aws:sns:us-east-1:123456789012:firebreak-local-email')).toBe('arn:aws:sns:us-east-1:123456789012:firebreak-local-email');
    expect(shellQuote("it's here")).toBe(`'it'\\''s here'`);
  });
});
