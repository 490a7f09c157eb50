// Entry point: the alarms SNS topic → resize the EKS node group the policy names for the alarm, inside the safety guards.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logger } from '../../shared/logger';
import { policy } from '../../shared/policy/load';
import { DISABLED_REMEDIATION, remediationDeps, unwiredDeploymentActuator } from '../../shared/remediation/deps';
import { awsNodegroupScaler } from '../../shared/remediation/nodegroup-scaler';
import { criticalByRouting, type RemediationScope } from '../../shared/remediation/remediate-alarm';
import { remediateEvent } from '../../shared/remediation/remediate-event';

// Node groups only: the scope below never reaches a deployment, so the Kubernetes client is not in this bundle.
const deps = remediationDeps(policy.remediation ?? DISABLED_REMEDIATION, {
  nodegroups: awsNodegroupScaler(),
  deployments: unwiredDeploymentActuator('scaleNodegroup'),
});

const scope: RemediationScope = {
  kinds: ['scale-nodegroup'],
  requestedBy: 'scaleNodegroup',
  // An alarm the routing policy calls critical pages when its remediation is refused.
  isCritical: criticalByRouting(policy.notify),
};

export const handler = middy((event: unknown) => remediateEvent(event, scope, deps)).use(injectLambdaContext(logger));
