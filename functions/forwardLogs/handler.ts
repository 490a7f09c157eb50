// Lambda entry point: a CloudWatch Logs subscription delivery → decode → forward (sink, digest, metrics).
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { loadConfig } from '../../shared/config';
import { logger } from '../../shared/logger';
import { createForwardDependencies, handleLogsDelivery } from '../../shared/logs/entry';
import { defaultLogsPolicy } from '../../shared/logs/policy';
import { stagePolicy } from '../../shared/policy/load';

// The composition root: configuration and policy read once, at cold start, so a missing LOG_SINK_URL,
// STATE_TABLE or webhook fails loudly before any batch.
const config = loadConfig(process.env);
const wired = createForwardDependencies(config, stagePolicy(config.stage).logs ?? defaultLogsPolicy());
// With metrics off (stage local, invoke local) the batch's EMF lines are not written: they would reach no CloudWatch.
const dependencies = config.metricsEnabled ? wired : { ...wired, writeMetric: () => undefined };

export const handler = middy((event: unknown) => handleLogsDelivery(event, dependencies)).use(injectLambdaContext(logger));
