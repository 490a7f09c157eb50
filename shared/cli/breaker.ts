// Operator CLI: `firebreak breaker status|open|close <name>` against the stage's SSM flags, with the usual AWS credentials.
import { SSMClient } from '@aws-sdk/client-ssm';
import { BREAKER_USAGE, runBreakerCli } from '../breaker/cli';
import { ssmFlagStore } from '../breaker/store';
import type { CliCommand } from './command';
import { operator } from './operator';

/** `firebreak breaker`: the composition root of the breaker commands (an SSM client in the stage's region). */
export const breakerCommand: CliCommand = {
  name: 'breaker',
  summary: 'read, open and close circuit-breaker flags (SSM parameters applications read)',
  help: BREAKER_USAGE,
  run: (argv, io) =>
    runBreakerCli(argv, {
      io,
      store: (prefix, region) => ssmFlagStore(prefix, new SSMClient({ region, maxAttempts: 3 })),
      now: () => new Date(),
      operator: operator(),
    }),
};
