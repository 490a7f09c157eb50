// Entry point: the alarms SNS topic (and a schedule) → the incident responder: diagnose, then scale, open a breaker, or page.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { config } from '../../shared/config';
import { logger } from '../../shared/logger';
import { policy } from '../../shared/policy/load';
import { respondToEvent } from '../../shared/responder/event';
import { lazyResponderDeps, responderSettings } from '../../shared/responder/settings';

// The policy is checked now (cold start). Most alarms of the topic are handed to no service: the adapters
// (AWS SDK clients, Slack, PagerDuty) are loaded the first time an alarm or the schedule needs them, and kept.
const responder = lazyResponderDeps(responderSettings(config, policy), async ({ dryRun }) =>
  (await import('../../shared/responder/deps')).defaultResponderDeps(config, policy, { dryRun }),
);

export const handler = middy((event: unknown) => respondToEvent(event, responder)).use(injectLambdaContext(logger));
