// Entry point: the alarms SNS topic → notify every routed channel (email, Slack, PagerDuty); its schedule → grouped batches and announcements.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { loadConfig } from '../../shared/config';
import { logger } from '../../shared/logger';
import { metrics } from '../../shared/metrics';
import { notifyDeps } from '../../shared/notify/deps';
import type { NotifySummary } from '../../shared/notify/fan-out';
import { notifyEvent } from '../../shared/notify/process-event';
import { notifyTick } from '../../shared/notify/tick';
import { isScheduledEvent } from '../../shared/aws/scheduled-event';
import { stagePolicy } from '../../shared/policy/load';

// The composition root: configuration and policy read once, at cold start; a bad setting fails here, before any alarm.
const config = loadConfig(process.env);
const deps = notifyDeps(config, stagePolicy(config.stage));

const METRIC_OF_STATUS = { delivered: 'Delivered', 'already-delivered': 'AlreadyDelivered', withheld: 'Withheld', grouped: 'Grouped', failed: 'DeliveryFailed' } as const;

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

/**
 * Flushes what was counted, after the invocation and after its failure alike. An invocation that failed before
 * counting anything (an event that is not SNS, a message that failed before any channel) has nothing to flush:
 * Powertools' logMetrics would flush anyway and warn "No application metrics to publish" for it.
 */
const flushCounts = () => {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
};

// The alarms topic delivers alarms; notify's own schedule delivers the alarm groups that came due and the announcements.
export const handler = middy((event: unknown): Promise<unknown> => (isScheduledEvent(event) ? notifyTick(deps) : notifyEvent(event, deps, logger, countOutcomes)))
  .use(injectLambdaContext(logger))
  .use({ after: flushCounts, onError: flushCounts });
