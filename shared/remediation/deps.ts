// Wiring: the real adapters behind executeRemediation (AWS SDK clients, the Kubernetes client), built from the configuration by each function's composition root.
import type { Config } from '../config';
import { dynamoDb } from '../aws/dynamodb';
import { ConfigError } from '../errors';
import { loadOnce } from '../load-once';
import { dynamoAuditTrail } from './audit';
import { dryRunLedger, loggingAuditTrail } from './dry-run';
import { ssmKillSwitch } from './kill-switch';
import { dynamoActionLedger } from './ledger';
import { awsNodegroupScaler } from './nodegroup-scaler';
import { channelRefusalNotifier, loggingRefusalNotifier } from './notifier';
import { DISABLED_REMEDIATION } from './policy';
import type { Policy, RoutingPolicy } from '../policy/schema';
import { pausesOf, type RemediationPauses } from '../silence/pauses';
import { quietOf } from '../silence/quiet';
import { DynamoDbSilenceStore, InMemorySilenceStore } from '../silence/store';
import { alarmSlackFor } from '../slack/alarm-slack';
import { DynamoDbSlackThreads } from '../slack/threads';
import type { ActionLedger, Breakers, DeploymentActuator, NodegroupScaler, RemediationDeps } from './types';

/** The actuators; a function wires only the ones its actions use. */
export type RemediationActuators = Pick<RemediationDeps, 'nodegroups' | 'deployments' | 'breakers'>;

/**
 * The production dependencies for a policy around the given actuators: the SSM kill switch, the
 * STATE_TABLE ledger and audit trail, refusal notices through Slack (in app mode, in the alarm's thread)
 * and PagerDuty when critical. In a
 * dry run nothing is written: cooldowns and budgets are only read (when STATE_TABLE is set), the audit
 * and refusals are logged. A stage without a `remediation` section does nothing. Anything in
 * `overrides` replaces its default (tests).
 */
export function remediationDeps(
  config: Config,
  { remediation: policy, notify: routing }: Pick<Policy, 'remediation' | 'notify'>,
  actuators: RemediationActuators,
  overrides: Partial<RemediationDeps> = {},
): RemediationDeps {
  const dryRun = overrides.dryRun ?? config.dryRun;
  const table = config.stateTable;
  return {
    policy: overrides.policy ?? policy ?? DISABLED_REMEDIATION,
    dryRun,
    killSwitch: overrides.killSwitch ?? ssmKillSwitch(config.killSwitchParam),
    pauses: overrides.pauses ?? remediationPauses(config, routing),
    ledger: overrides.ledger ?? ledgerFor(dryRun, table),
    audit: overrides.audit ?? (dryRun ? loggingAuditTrail : dynamoAuditTrail(dynamoDb, requireTable(table))),
    notifier: overrides.notifier ?? (dryRun ? loggingRefusalNotifier : channelRefusalNotifier(config, {}, alarmSlackFor(config, routing, () => new DynamoDbSlackThreads(dynamoDb, requireTable(table))))),
    nodegroups: overrides.nodegroups ?? actuators.nodegroups,
    deployments: overrides.deployments ?? actuators.deployments,
    breakers: overrides.breakers ?? actuators.breakers,
    now: overrides.now ?? (() => new Date()),
  };
}

/**
 * The silences and windows that pause remediation: the stored silences when STATE_TABLE is set (a dry run
 * reads them too, as it reads cooldowns), else the policy's windows alone.
 */
export function remediationPauses(config: Pick<Config, 'stateTable'>, routing: RoutingPolicy): RemediationPauses {
  const silences = config.stateTable ? new DynamoDbSilenceStore(dynamoDb, config.stateTable) : new InMemorySilenceStore();
  return pausesOf(quietOf(silences, routing.windows), routing);
}

/** scaleNodegroup's engine: node groups through EKS and Auto Scaling; its scope never reaches a deployment or a breaker. */
export const nodegroupRemediation = (config: Config, policy: Pick<Policy, 'remediation' | 'notify'>): RemediationDeps =>
  remediationDeps(config, policy, { nodegroups: awsNodegroupScaler(), deployments: unwiredDeploymentActuator('scaleNodegroup'), breakers: NO_BREAKERS });

/** scaleDeployment's engine: deployments through the Kubernetes API; its scope never reaches a node group or a breaker. */
export const deploymentRemediation = (config: Config, policy: Pick<Policy, 'remediation' | 'notify'>): RemediationDeps =>
  remediationDeps(config, policy, { nodegroups: unwiredNodegroupScaler('scaleDeployment'), deployments: kubernetesDeployments(config), breakers: NO_BREAKERS });

/**
 * Deployments through the Kubernetes client. The client (about 1.4 MB) sits behind the one `import()`
 * of the bundles: esbuild keeps it in the same file but evaluates it only when a deployment is first
 * acted on, so cold start does not. Kept for the container; a failed load is tried again on next use.
 */
export function kubernetesDeployments(config: Pick<Config, 'kubeconfig' | 'region' | 'httpTimeoutMs'>): DeploymentActuator {
  const actuator = loadOnce(async () => (await import('./kube-deployments')).configuredDeploymentActuator(config));
  return {
    inspect: async (target) => (await actuator()).inspect(target),
    scale: async (target, replicas, options) => (await actuator()).scale(target, replicas, options),
    setHpaMinReplicas: async (target, hpaName, minReplicas, options) => (await actuator()).setHpaMinReplicas(target, hpaName, minReplicas, options),
    restart: async (target, at, options) => (await actuator()).restart(target, at, options),
  };
}

const NOT_HERE = (what: string) => (): Promise<never> => Promise.reject(new Error(what));

/** A function that opens no breaker (scaleNodegroup, scaleDeployment): the allow-list is empty, so none is reached. */
export const NO_BREAKERS: Breakers = {
  targets: [],
  flags: { read: NOT_HERE('this function opens no breaker; the responder does'), write: NOT_HERE('this function opens no breaker; the responder does'), list: NOT_HERE('this function opens no breaker; the responder does') },
};

/** Stands in for the actuator of actions a function does not handle (its scope excludes them); any use is a wiring error. */
export function unwiredDeploymentActuator(functionName: string): DeploymentActuator {
  const refuse = NOT_HERE(`${functionName} does not act on Kubernetes deployments; scaleDeployment does`);
  return { inspect: refuse, scale: refuse, setHpaMinReplicas: refuse, restart: refuse };
}

/** Stands in for the node-group actuator in a function that does not resize node groups; any use is a wiring error. */
export function unwiredNodegroupScaler(functionName: string): NodegroupScaler {
  const refuse = NOT_HERE(`${functionName} does not resize node groups; scaleNodegroup does`);
  return { describe: refuse, setDesired: refuse };
}

const requireTable = (table: string | undefined): string => {
  if (!table) throw new ConfigError('STATE_TABLE must be set: cooldowns, budgets and the audit trail live there');
  return table;
};

function ledgerFor(dryRun: boolean, table: string | undefined): ActionLedger {
  if (!dryRun) return dynamoActionLedger(dynamoDb, requireTable(table));
  return dryRunLedger(table ? dynamoActionLedger(dynamoDb, table) : undefined);
}
