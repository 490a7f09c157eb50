// Entry point: the alarms SNS topic → scale or restart the Kubernetes deployments the policy names, inside the safety guards.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logger } from '../../shared/logger';
import { policy } from '../../shared/policy/load';
import { defaultRemediationDeps, DISABLED_REMEDIATION } from '../../shared/remediation/deps';
import { remediateEvent } from '../../shared/remediation/remediate-event';

const deps = defaultRemediationDeps(policy.remediation ?? DISABLED_REMEDIATION);

export const handler = middy((event: unknown) =>
  remediateEvent(event, ['scale-deployment', 'restart-deployment'], 'scaleDeployment', deps),
).use(injectLambdaContext(logger));
