// Wiring: the Kubernetes deployment actuator from the configuration — KUBECONFIG when set, EKS IAM auth otherwise.
import type { Config } from '../config';
import { eksClientFactory, kubeconfigClientFactory } from '../k8s/client';
import { kubeDeploymentActuator } from './deployment-actuator';
import type { DeploymentActuator } from './types';

/**
 * The real DeploymentActuator for this configuration. Reached only through `kubernetesDeployments`'s
 * `import()` (shared/remediation/deps.ts), so the Kubernetes client is evaluated the first time a
 * deployment is acted on, not at cold start.
 */
export function configuredDeploymentActuator(config: Pick<Config, 'kubeconfig' | 'region' | 'httpTimeoutMs'>): DeploymentActuator {
  const clients = config.kubeconfig ? kubeconfigClientFactory(config.kubeconfig) : eksClientFactory({ region: config.region });
  return kubeDeploymentActuator(clients, config.httpTimeoutMs);
}
