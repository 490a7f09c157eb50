// Wiring: the real adapters behind executeRemediation, built from the configuration.
import { config, required } from '../config';
import { dynamoDb } from '../aws/dynamodb';
import { eksClientFactory, kubeconfigClientFactory } from '../k8s/client';
import { dynamoAuditTrail } from './audit';
import { kubeDeploymentActuator } from './deployment-actuator';
import { ssmKillSwitch } from './kill-switch';
import { dynamoActionLedger } from './ledger';
import { awsNodegroupScaler } from './nodegroup-scaler';
import { loggingRefusalNotifier } from './notifier';
import type { RemediationPolicy } from './policy';
import type { RemediationDeps } from './types';

/**
 * The production dependencies for a policy: STATE_TABLE ledger and audit trail, the SSM kill switch,
 * AWS node-group scaling, and Kubernetes through KUBECONFIG when set or EKS IAM auth otherwise.
 * Anything in `overrides` replaces its default (tests, the incident responder's own notifier).
 */
export function defaultRemediationDeps(policy: RemediationPolicy, overrides: Partial<RemediationDeps> = {}): RemediationDeps {
  const table = () => required(config.stateTable, 'STATE_TABLE');
  const kube = () => (config.kubeconfig ? kubeconfigClientFactory(config.kubeconfig) : eksClientFactory({ region: config.region }));
  return {
    policy: overrides.policy ?? policy,
    dryRun: overrides.dryRun ?? config.dryRun,
    killSwitch: overrides.killSwitch ?? ssmKillSwitch(config.killSwitchParam),
    ledger: overrides.ledger ?? dynamoActionLedger(dynamoDb, table()),
    audit: overrides.audit ?? dynamoAuditTrail(dynamoDb, table()),
    notifier: overrides.notifier ?? loggingRefusalNotifier,
    nodegroups: overrides.nodegroups ?? awsNodegroupScaler(),
    deployments: overrides.deployments ?? kubeDeploymentActuator(kube(), config.httpTimeoutMs),
    now: overrides.now ?? (() => new Date()),
  };
}
