// Entry point: the alarms SNS topic → resize the EKS node group the policy names for the alarm, inside the safety guards.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { config } from '../../shared/config';
import { logger } from '../../shared/logger';
import { policy } from '../../shared/policy/load';
import { criticalByRouting, type RemediationScope } from '../../shared/remediation/remediate-alarm';
import { remediateEvent } from '../../shared/remediation/remediate-event';
import { DISABLED_REMEDIATION, lazyRemediationDeps } from '../../shared/remediation/wiring';

// Every alarm of the topic arrives here and most match no node-group rule: the adapters (AWS SDK clients)
// are loaded the first time a rule matches, and kept for the container.
const remediation = lazyRemediationDeps({ policy: policy.remediation ?? DISABLED_REMEDIATION, dryRun: config.dryRun }, async (settings) =>
  (await import('../../shared/remediation/scale-nodegroup-deps')).scaleNodegroupDeps(settings),
);

// Node groups only: the scope never reaches a deployment, so the Kubernetes client is not in this bundle.
const scope: RemediationScope = {
  kinds: ['scale-nodegroup'],
  requestedBy: 'scaleNodegroup',
  // An alarm the routing policy calls critical pages when its remediation is refused.
  isCritical: criticalByRouting(policy.notify),
};

export const handler = middy((event: unknown) => remediateEvent(event, scope, remediation)).use(injectLambdaContext(logger));
