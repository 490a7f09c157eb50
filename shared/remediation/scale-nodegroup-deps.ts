// Wiring of scaleNodegroup, loaded with import() when an alarm first matches one of its rules: the guards' adapters and the node-group actuator (AWS SDK clients).
import { remediationDeps } from './deps';
import { awsNodegroupScaler } from './nodegroup-scaler';
import type { RemediationDeps, RemediationSettings } from './types';
import { NO_BREAKERS, unwiredDeploymentActuator } from './wiring';

/** scaleNodegroup's dependencies: node groups through EKS and Auto Scaling; its scope never reaches a deployment. */
export function scaleNodegroupDeps({ policy, dryRun }: RemediationSettings): RemediationDeps {
  return remediationDeps(policy, { nodegroups: awsNodegroupScaler(), deployments: unwiredDeploymentActuator('scaleNodegroup'), breakers: NO_BREAKERS }, { dryRun });
}
