// Wiring of scaleDeployment, loaded with import() when an alarm first matches one of its rules: the guards' adapters (AWS SDK clients) and the deployment actuator.
import type { Config } from '../config';
import { remediationDeps } from './deps';
import type { RemediationDeps, RemediationSettings } from './types';
import { lazyDeploymentActuator, NO_BREAKERS, unwiredNodegroupScaler } from './wiring';

/**
 * scaleDeployment's dependencies: deployments through the Kubernetes client, itself loaded the first
 * time a rule acts (its own file of the bundle, see esbuild.config.js); its scope never reaches a node group.
 */
export function scaleDeploymentDeps({ policy, dryRun }: RemediationSettings, config: Config): RemediationDeps {
  return remediationDeps(
    policy,
    {
      nodegroups: unwiredNodegroupScaler('scaleDeployment'),
      deployments: lazyDeploymentActuator(async () => (await import('./kube-deployments')).configuredDeploymentActuator(config)),
      breakers: NO_BREAKERS,
    },
    { dryRun },
  );
}
