// Lambda entry point: a CloudWatch Logs subscription delivery → decode → forward (sink, digest, metrics).
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { config } from '../../shared/config';
import { logger } from '../../shared/logger';
import { createForwardDependencies, handleLogsDelivery } from '../../shared/logs/entry';
import { defaultLogsPolicy } from '../../shared/logs/policy';
import { policy } from '../../shared/policy/load';

// Built at cold start, so a missing LOG_SINK_URL, STATE_TABLE or webhook fails loudly before any batch.
const dependencies = createForwardDependencies(config, policy.logs ?? defaultLogsPolicy());

export const handler = middy((event: unknown) => handleLogsDelivery(event, dependencies)).use(injectLambdaContext(logger));
