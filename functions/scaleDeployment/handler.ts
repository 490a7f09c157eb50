// Entry point: the alarms SNS topic → scale or restart the Kubernetes deployments the policy names, inside the safety guards.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { config } from '../../shared/config';
import { logger } from '../../shared/logger';
import { policy } from '../../shared/policy/load';
import { criticalByRouting, type RemediationScope } from '../../shared/remediation/remediate-alarm';
import { remediateEvent } from '../../shared/remediation/remediate-event';
import { DISABLED_REMEDIATION, lazyRemediationDeps } from '../../shared/remediation/wiring';

// Every alarm of the topic arrives here and most match no deployment rule: the adapters (AWS SDK clients)
// are loaded the first time a rule matches, the Kubernetes client (its own file of the bundle) the first
// time a rule acts, and both are kept for the container.
const remediation = lazyRemediationDeps({ policy: policy.remediation ?? DISABLED_REMEDIATION, dryRun: config.dryRun }, async (settings) =>
  (await import('../../shared/remediation/scale-deployment-deps')).scaleDeploymentDeps(settings, config),
);

// Deployments only: the scope never reaches a node group.
const scope: RemediationScope = {
  kinds: ['scale-deployment', 'restart-deployment'],
  requestedBy: 'scaleDeployment',
  // An alarm the routing policy calls critical pages when its remediation is refused.
  isCritical: criticalByRouting(policy.notify),
};

export const handler = middy((event: unknown) => remediateEvent(event, scope, remediation)).use(injectLambdaContext(logger));
