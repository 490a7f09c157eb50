// Wiring: the real guard adapters behind executeRemediation, built from the configuration; each caller adds the actuators it uses.
import { config } from '../config';
import { dynamoDb } from '../aws/dynamodb';
import { ConfigError } from '../errors';
import { dynamoAuditTrail } from './audit';
import { dryRunLedger, loggingAuditTrail } from './dry-run';
import { ssmKillSwitch } from './kill-switch';
import { dynamoActionLedger } from './ledger';
import { channelRefusalNotifier, loggingRefusalNotifier } from './notifier';
import { parseRemediationPolicy, type RemediationPolicy } from './policy';
import type { ActionLedger, DeploymentActuator, NodegroupScaler, RemediationDeps } from './types';

/** What a stage without a `remediation` section gets: nothing is ever done. */
export const DISABLED_REMEDIATION: RemediationPolicy = parseRemediationPolicy({
  enabled: false,
  budget: { windowSeconds: 3600, perTarget: 0, global: 0 },
});

/** The two actuators; a function wires only the ones its actions use, so its bundle carries no other. */
export type RemediationActuators = Pick<RemediationDeps, 'nodegroups' | 'deployments'>;

/**
 * The production dependencies for a policy around the given actuators: the SSM kill switch, the
 * STATE_TABLE ledger and audit trail, refusal notices through Slack (and PagerDuty when critical). In a
 * dry run nothing is written: cooldowns and budgets are only read (when STATE_TABLE is set), the audit
 * and refusals are logged. Anything in `overrides` replaces its default (tests, the incident responder's own notifier).
 */
export function remediationDeps(policy: RemediationPolicy, actuators: RemediationActuators, overrides: Partial<RemediationDeps> = {}): RemediationDeps {
  const dryRun = overrides.dryRun ?? config.dryRun;
  const table = config.stateTable;
  return {
    policy: overrides.policy ?? policy,
    dryRun,
    killSwitch: overrides.killSwitch ?? ssmKillSwitch(config.killSwitchParam),
    ledger: overrides.ledger ?? ledgerFor(dryRun, table),
    audit: overrides.audit ?? (dryRun ? loggingAuditTrail : dynamoAuditTrail(dynamoDb, requireTable(table))),
    notifier: overrides.notifier ?? (dryRun ? loggingRefusalNotifier : channelRefusalNotifier(config)),
    nodegroups: overrides.nodegroups ?? actuators.nodegroups,
    deployments: overrides.deployments ?? actuators.deployments,
    now: overrides.now ?? (() => new Date()),
  };
}

/** Stands in for the actuator of actions a function does not handle (its scope excludes them); any use is a wiring error. */
export function unwiredDeploymentActuator(functionName: string): DeploymentActuator {
  const refuse = (): Promise<never> => Promise.reject(new Error(`${functionName} does not act on Kubernetes deployments; scaleDeployment does`));
  return { inspect: refuse, scale: refuse, setHpaMinReplicas: refuse, restart: refuse };
}

/** Stands in for the node-group actuator in a function that does not resize node groups; any use is a wiring error. */
export function unwiredNodegroupScaler(functionName: string): NodegroupScaler {
  const refuse = (): Promise<never> => Promise.reject(new Error(`${functionName} does not resize node groups; scaleNodegroup does`));
  return { describe: refuse, setDesired: refuse };
}

/** What `load` gives, loaded on first use and kept; a failed load is not kept, so the next use tries again. */
function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    if (!loading) {
      loading = load();
      loading.catch(() => (loading = undefined));
    }
    return loading;
  };
}

/**
 * A DeploymentActuator whose real one is loaded on first use (`load` is typically an `import()`), so a
 * caller that rarely acts on deployments does not pay for the Kubernetes client at cold start. The
 * loaded actuator is kept for the container; a failed load is not, so the next use tries again.
 */
export function lazyDeploymentActuator(load: () => Promise<DeploymentActuator>): DeploymentActuator {
  const actuator = loadOnce(load);
  return {
    inspect: async (target) => (await actuator()).inspect(target),
    scale: async (target, replicas, options) => (await actuator()).scale(target, replicas, options),
    setHpaMinReplicas: async (target, hpaName, minReplicas, options) => (await actuator()).setHpaMinReplicas(target, hpaName, minReplicas, options),
    restart: async (target, at, options) => (await actuator()).restart(target, at, options),
  };
}

/** A NodegroupScaler whose real one is loaded on first use, like `lazyDeploymentActuator`. */
export function lazyNodegroupScaler(load: () => Promise<NodegroupScaler>): NodegroupScaler {
  const scaler = loadOnce(load);
  return {
    describe: async (target) => (await scaler()).describe(target),
    setDesired: async (target, capacity, desired) => (await scaler()).setDesired(target, capacity, desired),
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
