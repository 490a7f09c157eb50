// Entry point: the alarms SNS topic → resize the EKS node group the policy names for the alarm, inside the safety guards.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { loadConfig } from '../../shared/config';
import { logger } from '../../shared/logger';
import { stagePolicy } from '../../shared/policy/load';
import { nodegroupRemediation } from '../../shared/remediation/deps';
import { remediationScope } from '../../shared/remediation/remediate-alarm';
import { remediateEvent } from '../../shared/remediation/remediate-event';

// The composition root: configuration and policy read once, at cold start. The subscription's filter policy
// (serverless.yml, from the stage policy) invokes this function only for the alarms its rules name.
const config = loadConfig(process.env);
const policy = stagePolicy(config.stage);
const remediation = nodegroupRemediation(config, policy);
const scope = remediationScope('scaleNodegroup', policy.notify);

export const handler = middy((event: unknown) => remediateEvent(event, scope, remediation)).use(injectLambdaContext(logger));
