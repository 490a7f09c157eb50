// Entry point: Slack interactions on a Lambda Function URL → verified, authorised, acknowledged; and the asynchronous invocation that performs an allowed click.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { loadConfig } from '../../shared/config';
import { logger } from '../../shared/logger';
import { stagePolicy } from '../../shared/policy/load';
import { slackActionsDeps } from '../../shared/slack/deps';
import { isApprovedClick, receiveInteraction, type FunctionUrlRequest } from '../../shared/slack/interaction';
import { performClick } from '../../shared/slack/perform';

// The composition root: configuration and policy read once, at cold start.
const config = loadConfig(process.env);
const deps = slackActionsDeps(config, stagePolicy(config.stage));

export const handler = middy((event: unknown): Promise<unknown> => (isApprovedClick(event) ? performClick(event, deps.perform) : receiveInteraction(event as FunctionUrlRequest, deps.interaction))).use(
  injectLambdaContext(logger),
);
