// Wiring: the real adapters behind executeRemediation, built from the configuration.
import { config } from '../config';
import { dynamoDb } from '../aws/dynamodb';
import { eksClientFactory, kubeconfigClientFactory } from '../k8s/client';
import { ConfigError } from '../errors';
import { dynamoAuditTrail } from './audit';
import { kubeDeploymentActuator } from './deployment-actuator';
import { dryRunLedger, loggingAuditTrail } from './dry-run';
import { ssmKillSwitch } from './kill-switch';
import { dynamoActionLedger } from './ledger';
import { awsNodegroupScaler } from './nodegroup-scaler';
import { channelRefusalNotifier, loggingRefusalNotifier } from './notifier';
import { parseRemediationPolicy, type RemediationPolicy } from './policy';
import type { ActionLedger, RemediationDeps } from './types';

/** What a stage without a `remediation` section gets: nothing is ever done. */
export const DISABLED_REMEDIATION: RemediationPolicy = parseRemediationPolicy({
  enabled: false,
  budget: { windowSeconds: 3600, perTarget: 0, global: 0 },
});

/**
 * The production dependencies for a policy: the SSM kill switch, the STATE_TABLE ledger and audit
 * trail, refusal notices through Slack (and PagerDuty when critical), AWS node-group scaling, and
 * Kubernetes through KUBECONFIG when set or EKS IAM auth otherwise. In a dry run nothing is written:
 * cooldowns and budgets are only read (when STATE_TABLE is set), the audit and refusals are logged.
 * Anything in `overrides` replaces its default (tests, the incident responder's own notifier).
 */
export function defaultRemediationDeps(policy: RemediationPolicy, overrides: Partial<RemediationDeps> = {}): RemediationDeps {
  const dryRun = overrides.dryRun ?? config.dryRun;
  const table = config.stateTable;
  const kube = () => (config.kubeconfig ? kubeconfigClientFactory(config.kubeconfig) : eksClientFactory({ region: config.region }));
  return {
    policy: overrides.policy ?? policy,
    dryRun,
    killSwitch: overrides.killSwitch ?? ssmKillSwitch(config.killSwitchParam),
    ledger: overrides.ledger ?? ledgerFor(dryRun, table),
    audit: overrides.audit ?? (dryRun ? loggingAuditTrail : dynamoAuditTrail(dynamoDb, requireTable(table))),
    notifier: overrides.notifier ?? (dryRun ? loggingRefusalNotifier : channelRefusalNotifier(config)),
    nodegroups: overrides.nodegroups ?? awsNodegroupScaler(),
    deployments: overrides.deployments ?? kubeDeploymentActuator(kube(), config.httpTimeoutMs),
    now: overrides.now ?? (() => new Date()),
  };
}

const requireTable = (table: string | undefined): string => {
  if (!table) throw new ConfigError('STATE_TABLE must be set: cooldowns, budgets and the audit trail live there');
  return table;
};

function ledgerFor(dryRun: boolean, table: string | undefined): ActionLedger {
  if (!dryRun) return dynamoActionLedger(dynamoDb, requireTable(table));
  return dryRunLedger(table ? dynamoActionLedger(dynamoDb, table) : undefined);
}
