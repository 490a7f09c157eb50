// Entry point: the alarms SNS topic → notify every routed channel (email, Slack, PagerDuty).
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { config, required } from '../../shared/config';
import { dynamoDb } from '../../shared/aws/dynamodb';
import { ConfigError } from '../../shared/errors';
import { logger } from '../../shared/logger';
import { policy } from '../../shared/policy/load';
import { DynamoDbDeliveryLedger, InMemoryDeliveryLedger } from '../../shared/notify/ledger';
import { createNotifiers, unconfiguredChannels } from '../../shared/notify/notifiers';
import { notifyEvent } from '../../shared/notify/process-event';
import type { FanOutDeps } from '../../shared/notify/fan-out';

const routed = [...policy.notify.routes.flatMap((r) => r.channels), ...policy.notify.defaultRoute.channels];
const missing = unconfiguredChannels(config, routed);
if (missing.length > 0 && !config.dryRun) {
  throw new ConfigError(`The ${config.stage} policy routes to channels that are not configured: ${missing.join(', ')}`);
}

const deps: FanOutDeps = {
  policy: policy.notify,
  stage: config.stage,
  runbookBaseUrl: config.runbookBaseUrl,
  dryRun: config.dryRun,
  notifiers: createNotifiers(config),
  // A dry run writes nothing anywhere, the delivery ledger included.
  ledger: config.dryRun ? new InMemoryDeliveryLedger() : new DynamoDbDeliveryLedger(dynamoDb, required(config.stateTable, 'STATE_TABLE')),
};

export const handler = middy((event: unknown) => notifyEvent(event, deps, logger)).use(injectLambdaContext(logger));
