// Property tests: `runFirebreak` over generated command lines — offline commands only (policy, breaker with SSM mocked, help).
import { SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { EXIT, type CliIo } from '../../shared/cli/command';
import { COMMANDS, runFirebreak } from '../../shared/cli/main';
import { oddString } from './arbitraries';
import { refuseNetwork } from './expectations';
import { propertyParameters } from './settings';

// Only the commands that need no AWS account and no network: bench builds bundles, replay and sandbox call AWS.
const OFFLINE = { policy: COMMANDS.policy!, breaker: COMMANDS.breaker! };

const ssm = mockClient(SSMClient);
const network = refuseNetwork();

beforeAll(() => {
  // breaker reads and writes SSM: every call refused as if there were no credentials, and recorded.
  ssm.rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
});
afterAll(() => {
  ssm.restore();
});

const flag = fc.oneof(
  fc.constantFrom('--help', '-h', '--stage', '--region', '--dry-run', '--yes', '--json', '--', '-', '--stage=prod', '--stage=__proto__', '--region=', '--bogus', '-x', '--no-dry-run'),
  oddString.map((s) => `--${s}`),
);
const word = fc.oneof(fc.constantFrom('local', 'dev', 'prod', 'status', 'open', 'close', 'list', 'help', 'events/alarm-high-cpu-alarm.json', 'events/sns-plain-text.json', 'events/logs-api.json', 'package.json', '/nonexistent.json', '.', '__proto__'), oddString);
const argument = fc.oneof(flag, word);

const argv = fc.oneof(
  fc.array(oddString, { maxLength: 5 }),
  fc.tuple(fc.constantFrom('policy', 'breaker', 'help', '--help', '-h', 'bench', 'replay', 'sandbox', 'toString', '__proto__', 'constructor'), fc.array(argument, { maxLength: 6 })).map(([command, rest]) => [command, ...rest]),
);

describe('runFirebreak over generated command lines', () => {
  it('resolves to 0, 1 or 2, never throws, and a non-zero exit says why on io.error', async () => {
    await fc.assert(
      fc.asyncProperty(argv, fc.constantFrom<Record<string, string | undefined>>({}, { STAGE: 'dev' }, { STAGE: '__proto__' }, { STAGE: '' }), async (args, env) => {
        const errors: string[] = [];
        const io: CliIo = { print: () => undefined, error: (line) => errors.push(line), env };

        const code = await runFirebreak(args, io, OFFLINE);

        expect([EXIT.done, EXIT.failed, EXIT.usage]).toContain(code);
        if (code !== EXIT.done) expect(errors.join('\n').trim()).not.toBe('');
      }),
      propertyParameters(),
    );
  });

  it('never reaches the network or AWS through a real client', () => {
    expect(network).toEqual([]);
  });
});
