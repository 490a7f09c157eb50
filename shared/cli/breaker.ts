// Operator CLI: `firebreak breaker status|open|close <name>` against the stage's SSM flags, with the usual AWS credentials.
import { userInfo } from 'node:os';
import { SSMClient } from '@aws-sdk/client-ssm';
import { BREAKER_USAGE, runBreakerCli } from '../breaker/cli';
import { ssmFlagStore } from '../breaker/store';
import type { CliCommand } from './command';

const operator = (): string => {
  try {
    return userInfo().username;
  } catch {
    // userInfo throws where the user has no passwd entry (some containers); the name is only a label.
    return 'unknown';
  }
};

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
