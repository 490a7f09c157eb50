// Entry point: the alarms SNS topic → scale or restart the Kubernetes deployments the policy names, inside the safety guards.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { config } from '../../shared/config';
import { logger } from '../../shared/logger';
import { policy } from '../../shared/policy/load';
import { DISABLED_REMEDIATION, lazyDeploymentActuator, remediationDeps, unwiredNodegroupScaler } from '../../shared/remediation/deps';
import { criticalByRouting, type RemediationScope } from '../../shared/remediation/remediate-alarm';
import { remediateEvent } from '../../shared/remediation/remediate-event';

// Deployments only: the scope below never reaches a node group. Every alarm of the topic arrives here and
// most match no deployment rule, so the Kubernetes client (its own file of the bundle) is loaded the
// first time a rule acts, and kept for the container.
const deps = remediationDeps(policy.remediation ?? DISABLED_REMEDIATION, {
  nodegroups: unwiredNodegroupScaler('scaleDeployment'),
  deployments: lazyDeploymentActuator(async () => (await import('../../shared/remediation/kube-deployments')).configuredDeploymentActuator(config)),
});

const scope: RemediationScope = {
  kinds: ['scale-deployment', 'restart-deployment'],
  requestedBy: 'scaleDeployment',
  // An alarm the routing policy calls critical pages when its remediation is refused.
  isCritical: criticalByRouting(policy.notify),
};

export const handler = middy((event: unknown) => remediateEvent(event, scope, deps)).use(injectLambdaContext(logger));
