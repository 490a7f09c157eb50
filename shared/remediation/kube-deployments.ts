// Wiring: the Kubernetes deployment actuator from the configuration — KUBECONFIG when set, EKS IAM auth otherwise.
import type { Config } from '../config';
import { eksClientFactory, kubeconfigClientFactory } from '../k8s/client';
import { kubeDeploymentActuator } from './deployment-actuator';
import type { DeploymentActuator } from './types';

/**
 * The real DeploymentActuator for this configuration. scaleDeployment and the incident responder load it
 * with `import()` the first time they act on a deployment; the bundle keeps it in a file of its own, so the
 * configuration comes from the caller rather than being parsed again there.
 */
export function configuredDeploymentActuator(config: Pick<Config, 'kubeconfig' | 'region' | 'httpTimeoutMs'>): DeploymentActuator {
  const clients = config.kubeconfig ? kubeconfigClientFactory(config.kubeconfig) : eksClientFactory({ region: config.region });
  return kubeDeploymentActuator(clients, config.httpTimeoutMs);
}
