// Entry point: the alarms SNS topic (and a schedule) → the incident responder: diagnose, then scale, open a breaker, or page.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { config } from '../../shared/config';
import { logger } from '../../shared/logger';
import { policy } from '../../shared/policy/load';
import { defaultResponderDeps } from '../../shared/responder/deps';
import { respondToEvent } from '../../shared/responder/event';

const deps = defaultResponderDeps(config, policy);

export const handler = middy((event: unknown) => respondToEvent(event, deps)).use(injectLambdaContext(logger));
