// Wiring: the Kubernetes deployment actuator from the configuration — KUBECONFIG when set, EKS IAM auth otherwise.
import { config } from '../config';
import { eksClientFactory, kubeconfigClientFactory } from '../k8s/client';
import { kubeDeploymentActuator } from './deployment-actuator';
import type { DeploymentActuator } from './types';

/**
 * The real DeploymentActuator for this configuration. Only scaleDeployment imports this statically;
 * the incident responder loads it with `import()` the first time it acts on a deployment.
 */
export function configuredDeploymentActuator(): DeploymentActuator {
  const clients = config.kubeconfig ? kubeconfigClientFactory(config.kubeconfig) : eksClientFactory({ region: config.region });
  return kubeDeploymentActuator(clients, config.httpTimeoutMs);
}
