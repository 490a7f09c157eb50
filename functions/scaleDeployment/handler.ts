// Entry point: the alarms SNS topic → scale or restart the Kubernetes deployments the policy names, inside the safety guards.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { loadConfig } from '../../shared/config';
import { logger } from '../../shared/logger';
import { stagePolicy } from '../../shared/policy/load';
import { SUBSCRIBER_RULE_KINDS } from '../../shared/policy/subscription-filters';
import { deploymentRemediation } from '../../shared/remediation/deps';
import { criticalByRouting, type RemediationScope } from '../../shared/remediation/remediate-alarm';
import { remediateEvent } from '../../shared/remediation/remediate-event';

// The composition root: configuration and policy read once, at cold start. The subscription's filter policy
// (serverless.yml, from the stage policy) invokes this function only for the alarms its rules name.
const config = loadConfig(process.env);
const policy = stagePolicy(config.stage);
const remediation = deploymentRemediation(config, policy.remediation);

// Deployments only: the scope never reaches a node group or a breaker.
const scope: RemediationScope = {
  // The kinds its subscription's filter policy is generated for: the one list of them.
  kinds: SUBSCRIBER_RULE_KINDS.scaleDeployment,
  requestedBy: 'scaleDeployment',
  // An alarm the routing policy calls critical pages when its remediation is refused.
  isCritical: criticalByRouting(policy.notify),
};

export const handler = middy((event: unknown) => remediateEvent(event, scope, remediation)).use(injectLambdaContext(logger));
