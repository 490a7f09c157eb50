// Entry point: the alarms SNS topic → notify every routed channel (email, Slack, PagerDuty).
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { config, required } from '../../shared/config';
import { dynamoDb } from '../../shared/aws/dynamodb';
import { ConfigError } from '../../shared/errors';
import { logger } from '../../shared/logger';
import { metrics } from '../../shared/metrics';
import { policy } from '../../shared/policy/load';
import { DynamoDbDeliveryLedger, InMemoryDeliveryLedger } from '../../shared/notify/ledger';
import { createNotifiers, unconfiguredChannels } from '../../shared/notify/notifiers';
import { notifyEvent } from '../../shared/notify/process-event';
import type { FanOutDeps, NotifySummary } from '../../shared/notify/fan-out';

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

const METRIC_OF_STATUS = { delivered: 'Delivered', 'already-delivered': 'AlreadyDelivered', withheld: 'Withheld', failed: 'DeliveryFailed' } as const;

/** One count per message, and one per channel outcome with the channel as dimension; dry-run plans are not delivery outcomes. */
function countOutcomes(summary: NotifySummary): void {
  metrics.addMetric(summary.type === 'generic' ? 'GenericMessages' : 'AlarmMessages', MetricUnit.Count, 1);
  for (const outcome of summary.outcomes) {
    if (outcome.status === 'planned') continue;
    const metric = metrics.singleMetric();
    metric.addDimension('channel', outcome.channel);
    metric.addMetric(METRIC_OF_STATUS[outcome.status], MetricUnit.Count, 1);
  }
}

export const handler = middy((event: unknown) => notifyEvent(event, deps, logger, countOutcomes))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
