// Entry point: the alarms SNS topic → resize the EKS node group the policy names for the alarm, inside the safety guards.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logger } from '../../shared/logger';
import { policy } from '../../shared/policy/load';
import { defaultRemediationDeps, DISABLED_REMEDIATION } from '../../shared/remediation/deps';
import { criticalByRouting, type RemediationScope } from '../../shared/remediation/remediate-alarm';
import { remediateEvent } from '../../shared/remediation/remediate-event';

const deps = defaultRemediationDeps(policy.remediation ?? DISABLED_REMEDIATION);

const scope: RemediationScope = {
  kinds: ['scale-nodegroup'],
  requestedBy: 'scaleNodegroup',
  // An alarm the routing policy calls critical pages when its remediation is refused.
  isCritical: criticalByRouting(policy.notify),
};

export const handler = middy((event: unknown) => remediateEvent(event, scope, deps)).use(injectLambdaContext(logger));
