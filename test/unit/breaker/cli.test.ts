// Unit tests: the breaker operator CLI — argument parsing, output, DRY_RUN — against mocked SSM.
import { GetParameterCommand, GetParametersByPathCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { parseBreakerArgs, runBreakerCli, UsageError } from '../../../shared/breaker/cli';
import { serialiseFlag } from '../../../shared/breaker/flag';
import { ssmFlagStore } from '../../../shared/breaker/store';

const ssm = mockClient(SSMClient);
const PREFIX = '/firebreak/prod/breakers';
const now = new Date('2026-11-21T04:00:00.000Z');

function run(argv: string[], dryRun = false) {
  const lines: string[] = [];
  const code = runBreakerCli(argv, {
    io: { print: (l) => lines.push(l), error: (l) => lines.push(l), env: { STAGE: 'prod', DRY_RUN: String(dryRun) } },
    store: () => ssmFlagStore(PREFIX, new SSMClient({ region: 'us-east-1' })),
    now: () => now,
    operator: 'alice',
  });
  return code.then((c) => ({ code: c, out: lines.join('\n') }));
}

beforeEach(() => ssm.reset());

describe('breaker CLI', () => {
  it('opens a flag with the operator reason and ttl, and prints the new state', async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'nf', $metadata: {} }));
    ssm.on(PutParameterCommand).resolves({ Version: 1 });
    const { code, out } = await run(['open', 'retail-prediction-api', '--reason', 'bad deploy', '--ttl', '15']);

    expect(code).toBe(0);
    expect(out).toContain('retail-prediction-api: opened');
    expect(out).toContain('OPEN');
    const input = ssm.commandCalls(PutParameterCommand)[0]?.args[0].input;
    expect(input?.Name).toBe(`${PREFIX}/retail-prediction-api`);
    expect(JSON.parse(input?.Value ?? '')).toEqual({ state: 'open', reason: 'bad deploy', alarm: null, openedAt: now.toISOString(), expiresAt: '2026-11-21T04:15:00.000Z' });
  });

  it('closes a flag, naming the operator when no reason is given', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: serialiseFlag({ state: 'open', reason: 'x', alarm: 'A', openedAt: now.toISOString(), expiresAt: now.toISOString() }) } });
    ssm.on(PutParameterCommand).resolves({ Version: 2 });
    const { code, out } = await run(['close', 'retail-prediction-api']);
    expect(code).toBe(0);
    expect(out).toContain('closed');
    expect(JSON.parse(ssm.commandCalls(PutParameterCommand)[0]?.args[0].input.Value ?? '')).toMatchObject({ state: 'closed', reason: 'closed by operator alice' });
  });

  it('prints status of one flag, a missing one, and all of them', async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'nf', $metadata: {} }));
    expect((await run(['status', 'checkout'])).out).toBe('checkout: no flag (applications read it as closed)');
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [{ Name: `${PREFIX}/checkout`, Value: '{"state":"closed","reason":"ok"}' }] });
    expect((await run(['status'])).out).toContain('checkout: CLOSED');
  });

  it('status of all flags prints every flag and names a parameter that is not one, with a failing exit code', async () => {
    ssm.on(GetParametersByPathCommand).resolves({
      Parameters: [
        { Name: `${PREFIX}/hand-edited`, Value: 'yes' },
        { Name: `${PREFIX}/checkout`, Value: '{"state":"open","reason":"bad deploy"}' },
      ],
    });
    const { code, out } = await run(['status']);
    expect(out).toContain('hand-edited: UNREADABLE Breaker flag hand-edited is not JSON');
    expect(out).toContain('checkout: OPEN');
    expect(code).toBe(1);
  });

  it('under DRY_RUN says so and writes nothing', async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'nf', $metadata: {} }));
    const { out } = await run(['open', 'retail-prediction-api'], true);
    expect(out).toContain('DRY_RUN: not written');
    expect(ssm).not.toHaveReceivedCommand(PutParameterCommand);
  });

  it('answers a bad command line with the fix, where the help is, and exit code 2, touching nothing', async () => {
    const { code, out } = await run(['open']);
    expect(code).toBe(2);
    expect(out).toContain('breaker: open needs a flag name');
    expect(out).toContain('see: firebreak breaker --help');
    expect(ssm.calls()).toHaveLength(0);
  });

  it.each([
    [['restart', 'x'], 'unknown command restart'],
    [['open', 'a/b'], 'may hold only'],
    [['open', 'x', '--ttl', '0'], '--ttl must be'],
    [['open', 'x', '--reason'], '--reason needs a value'],
    [['close', 'x', '--force'], 'unknown option --force'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseBreakerArgs(argv)).toThrow(UsageError);
    expect(() => parseBreakerArgs(argv)).toThrow(message);
  });

  it('accepts --reason=text', () => {
    expect(parseBreakerArgs(['close', 'x', '--reason=rolled back'])).toMatchObject({ command: 'close', name: 'x', reason: 'rolled back' });
  });
});
