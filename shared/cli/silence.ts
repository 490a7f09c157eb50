// Operator CLI: `firebreak silence add|list|expire` against the stage's STATE_TABLE in DynamoDB, with the usual AWS credentials.
import { documentClient } from '../aws/dynamodb';
import { runSilenceCli, SILENCE_USAGE } from '../silence/cli';
import { DynamoDbSilenceStore } from '../silence/store';
import type { CliCommand } from './command';
import { operator } from './operator';

/** `firebreak silence`: the composition root of the silence commands (a DynamoDB document client in the stage's region). */
export const silenceCommand: CliCommand = {
  name: 'silence',
  summary: 'add, list and expire silences: alarms whose notifications (and, if asked, remediation) are held back for a while',
  help: SILENCE_USAGE,
  run: (argv, io) =>
    runSilenceCli(argv, {
      io,
      store: (table, region) =>
        new DynamoDbSilenceStore(documentClient({ region }), table),
      now: () => new Date(),
      operator: operator(),
    }),
};
