// Unit tests: `firebreak breaker` — its command line, the stage's prefix and region, and a dry run with no AWS credentials at all.
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { runBreakerCli } from '../../../shared/breaker/cli';
import { ssmFlagStore } from '../../../shared/breaker/store';
import { breakerCommand } from '../../../shared/cli/breaker';
import { EXIT, type CliIo } from '../../../shared/cli/command';

const now = new Date('2026-11-21T04:00:00.000Z');

/** A real SSM client whose credential chain found nothing, as on a laptop with no AWS account: it never sends a request. */
const noCredentials = (region: string) =>
  new SSMClient({
    region,
    maxAttempts: 1,
    credentials: () => Promise.reject(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' })),
  });

async function run(argv: string[], env: CliIo['env'] = {}, client: (region: string) => SSMClient = noCredentials) {
  const out: string[] = [];
  const err: string[] = [];
  const stores: { prefix: string; region: string }[] = [];
  const code = await runBreakerCli(argv, {
    io: { print: (l) => out.push(l), error: (l) => err.push(l), env },
    store: (prefix, region) => {
      stores.push({ prefix, region });
      return ssmFlagStore(prefix, client(region));
    },
    now: () => now,
    operator: 'alice',
  });
  return { code, out: out.join('\n'), err: err.join('\n'), stores };
}

describe('firebreak breaker', () => {
  it('prints its help and exits 0 for --help, whatever else is on the line', async () => {
    for (const argv of [['--help'], ['open', '-h'], ['status', '--stage', 'nowhere', '--help']]) {
      const { code, out, err } = await run(argv);
      expect({ argv, code, err }).toEqual({ argv, code: EXIT.done, err: '' });
      expect(out).toContain('Usage: npm run breaker -- <command> [name] [options]');
      expect(out).toContain('or: firebreak breaker <command> [name] [options]');
    }
  });

  it('is the breaker command of the firebreak table, with the same help', async () => {
    const out: string[] = [];
    expect(await breakerCommand.run(['--help'], { print: (l) => out.push(l), error: () => undefined, env: {} })).toBe(EXIT.done);
    expect(out.join('\n')).toBe(breakerCommand.help);
  });

  it.each([
    [['open'], 'open needs a flag name: firebreak breaker open <name>'],
    [[], 'a command is needed: give status, open or close'],
    [['status', 'x', '--ttl', '5'], 'status takes no --reason or --ttl: they are for open and close'],
    [['open', 'x', '--dry-run=false'], '--dry-run takes no value: write --dry-run alone'],
    [['open', 'x', '--reason', ''], '--reason needs a value: --reason <value> or --reason=<value>'],
    [['open', 'x', '--reason', '--ttl', '5'], '--reason needs a value'],
    [['open', 'x', '--stage', 'qa'], 'unknown stage "qa": give --stage dev|local|prod, or add shared/policy/stages/qa.json to make it one'],
    [['open', 'x', '--region', 'Ireland'], '--region Ireland is not a region code: give one such as eu-west-1'],
    [['open', 'x', '--colour'], 'unknown option --colour: firebreak breaker takes --stage <value>, --region <value>, --dry-run, --reason <value>, --ttl <value>, --help'],
  ])('exits 2 for %j, naming the fix, and reads nothing', async (argv, message) => {
    const { code, err, stores } = await run(argv);
    expect(code).toBe(EXIT.usage);
    expect(err).toContain(message);
    expect(stores).toEqual([]);
  });

  it('exits 2 naming the variable when the environment has a bad setting', async () => {
    const { code, err } = await run(['status'], { DRY_RUN: 'maybe' });
    expect(code).toBe(EXIT.usage);
    expect(err).toContain('DRY_RUN');
    expect(err).toContain('(in the environment: fix or unset it)');
  });

  it("works on the stage's prefix in the stage's region from serverless.yml, unless --region or BREAKER_PREFIX say otherwise", async () => {
    expect((await run(['status', 'x'])).stores).toEqual([{ prefix: '/firebreak/local/breakers', region: 'us-east-1' }]);
    expect((await run(['status', 'x', '--stage', 'prod'])).stores).toEqual([{ prefix: '/firebreak/prod/breakers', region: 'eu-west-1' }]);
    expect((await run(['status', 'x'], { STAGE: 'dev' })).stores).toEqual([{ prefix: '/firebreak/dev/breakers', region: 'eu-west-1' }]);
    expect((await run(['status', 'x', '--stage', 'prod', '--region', 'us-west-2'], { BREAKER_PREFIX: '/ops/flags' })).stores).toEqual([{ prefix: '/ops/flags', region: 'us-west-2' }]);
  });

  describe('with no AWS credentials', () => {
    it('open in a dry run (stage local by default) prints the flag it would write and says what it could not read, exit 0', async () => {
      const { code, out, err } = await run(['open', 'retail-prediction-api', '--reason', 'bad rollout', '--ttl', '15']);
      expect(code).toBe(EXIT.done);
      expect(err).toBe(
        'could not read /firebreak/local/breakers/retail-prediction-api in us-east-1: no AWS credentials. Give credentials (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or aws sso login), or point AWS_ENDPOINT_URL at an emulator',
      );
      expect(out.split('\n')).toEqual([
        'dry run (the default in stage local): nothing is written; DRY_RUN=false writes',
        'retail-prediction-api: would be opened, unless it is open and not yet due (then nothing changes) (DRY_RUN: not written)',
        'retail-prediction-api: OPEN {"state":"open","reason":"bad rollout","alarm":null,"openedAt":"2026-11-21T04:00:00.000Z","expiresAt":"2026-11-21T04:15:00.000Z"}',
      ]);
    });

    it('close under --dry-run on a deployed stage says what it would do, exit 0', async () => {
      const { code, out, err } = await run(['close', 'retail-prediction-api', '--stage', 'prod', '--dry-run']);
      expect(code).toBe(EXIT.done);
      expect(err).toContain('could not read /firebreak/prod/breakers/retail-prediction-api in eu-west-1: no AWS credentials. Give credentials');
      expect(out).toContain('dry run (--dry-run): nothing is written');
      expect(out).toContain('retail-prediction-api: would be closed if it is open, keeping its alarm and openedAt (DRY_RUN: not written)');
      expect(out).toContain('retail-prediction-api: CLOSED reason "closed by operator alice", expiresAt null');
    });

    it('status says it cannot read SSM without credentials and how to give them, exit 1', async () => {
      const one = await run(['status', 'retail-prediction-api']);
      expect(one).toMatchObject({ code: EXIT.failed, out: '' });
      expect(one.err).toContain('could not read /firebreak/local/breakers/retail-prediction-api in us-east-1: no AWS credentials. Give credentials (AWS_PROFILE');
      const all = await run(['status']);
      expect(all.code).toBe(EXIT.failed);
      expect(all.err).toContain('could not read the flags under /firebreak/local/breakers in us-east-1: no AWS credentials');
    });

    it('a live open fails, saying why, and acts on nothing it could not read, exit 1', async () => {
      const { code, out, err } = await run(['open', 'retail-prediction-api'], { STAGE: 'prod' });
      expect(code).toBe(EXIT.failed);
      expect(out).toBe('');
      expect(err).toContain('could not open /firebreak/prod/breakers/retail-prediction-api in eu-west-1: no AWS credentials. Give credentials');
    });
  });

  it('refuses, even in a dry run, a parameter that is there but is not a flag, exit 1', async () => {
    const ssm = mockClient(SSMClient);
    try {
      ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'yes' } });
      const { code, out, err } = await run(['open', 'hand-edited'], {}, (region) => new SSMClient({ region, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }));
      expect(code).toBe(EXIT.failed);
      expect(err).toBe('Breaker flag hand-edited is not JSON');
      expect(out).not.toContain('would be opened');
      expect(ssm).not.toHaveReceivedCommand(PutParameterCommand);
    } finally {
      ssm.restore();
    }
  });
});
