// Entry point: the alarms SNS topic (and a schedule) → the incident responder: diagnose, then plan scaling, a breaker, or a page; the remediation engine acts.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { loadConfig } from '../../shared/config';
import { logger } from '../../shared/logger';
import { stagePolicy } from '../../shared/policy/load';
import { defaultResponderDeps } from '../../shared/responder/deps';
import { respondToEvent } from '../../shared/responder/event';

// The composition root: configuration and policy read (and checked) once, at cold start. The subscription's
// filter policy (serverless.yml, from the stage policy) invokes this function only for its services' alarms.
const config = loadConfig(process.env);
const responder = defaultResponderDeps(config, stagePolicy(config.stage));

export const handler = middy((event: unknown) => respondToEvent(event, responder)).use(injectLambdaContext(logger));
