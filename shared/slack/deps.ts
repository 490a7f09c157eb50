// Wiring: slackActions' dependencies — the signing secret, the request ledger, the Slack app, PagerDuty, silences, the audit trail, and the invocation that performs a click — built from the configuration.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { dynamoDb } from '../aws/dynamodb';
import { pagerDutyClient, slackAppFor } from '../channels/clients';
import { required, type Config } from '../config';
import { ConfigError } from '../errors';
import { logger } from '../logger';
import type { Policy } from '../policy/schema';
import { resolveSecret } from '../secrets';
import { DynamoDbSilenceStore, InMemorySilenceStore } from '../silence/store';
import { dynamoClickAudit, loggingClickAudit } from './audit';
import type { InteractionDeps } from './interaction';
import type { PerformDeps } from './perform';
import { DynamoDbSlackRequestLedger, InMemorySlackRequestLedger } from './request-ledger';

export interface SlackActionsDeps {
  readonly interaction: InteractionDeps;
  readonly perform: PerformDeps;
  readonly dryRun: boolean;
}

/**
 * slackActions' dependencies, checked at cold start: the policy's notify.slackApp (who may press what), a
 * signing secret, and in a live run STATE_TABLE and the function's own name (a click is performed by an
 * asynchronous invocation of the function itself). A dry run verifies and authorises as a live one does,
 * then logs what it would do instead of doing it.
 */
export function slackActionsDeps(config: Config, policy: Policy, lambda: Pick<LambdaClient, 'send'> = new LambdaClient({ maxAttempts: 3 })): SlackActionsDeps {
  const slackApp = policy.notify.slackApp;
  if (!slackApp) throw new ConfigError(`the ${config.stage} policy has no notify.slackApp: slackActions has no buttons to answer`);
  if (config.slackSigningSecret.kind === 'none') throw new ConfigError('SLACK_SIGNING_SECRET or SLACK_SIGNING_SECRET_PARAM must be set: slackActions verifies every request with it');
  const table = config.dryRun ? config.stateTable : required(config.stateTable, 'STATE_TABLE');
  const functionName = config.dryRun ? config.functionName : required(config.functionName, 'AWS_LAMBDA_FUNCTION_NAME');
  const slack = slackAppFor(config);
  const audit = config.dryRun || !table ? loggingClickAudit : dynamoClickAudit(dynamoDb, table);
  const perform: PerformDeps = {
    pagerduty: config.dryRun ? { send: async (event) => logger.info('DRY_RUN: would send to PagerDuty', { event }) } : pagerDutyClient(config),
    silences: config.dryRun || !table ? new InMemorySilenceStore() : new DynamoDbSilenceStore(dynamoDb, table),
    slack: config.dryRun ? { post: async (channel, message, threadTs) => (logger.info('DRY_RUN: would post to Slack', { channel, threadTs, text: message.text }), { channel, ts: 'dry-run' }), respond: async (url, reply) => logger.info('DRY_RUN: would reply', { reply, to: new URL(url).host }) } : slack,
    audit,
  };
  return {
    dryRun: config.dryRun,
    perform,
    interaction: {
      policy: slackApp,
      signingSecret: async () => {
        const secret = await resolveSecret(config.slackSigningSecret);
        if (!secret) throw new ConfigError('SLACK_SIGNING_SECRET or SLACK_SIGNING_SECRET_PARAM must be set');
        return secret;
      },
      requests: config.dryRun || !table ? new InMemorySlackRequestLedger() : new DynamoDbSlackRequestLedger(dynamoDb, table),
      slack,
      audit,
      now: () => new Date(),
      perform: async (click) => {
        if (config.dryRun || !functionName) {
          logger.info('DRY_RUN: would perform the click in a second invocation', { click });
          return;
        }
        // Asynchronous: the request is answered now, within Slack's 3 seconds; Lambda retries the work if it fails.
        await lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(click)) }));
      },
    },
  };
}
