// Operator CLI: `firebreak silence add|list|expire` against the stage's STATE_TABLE in DynamoDB, with the usual AWS credentials.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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
        new DynamoDbSilenceStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region, maxAttempts: 3 }), { marshallOptions: { removeUndefinedValues: true } }), table),
      now: () => new Date(),
      operator: operator(),
    }),
};
