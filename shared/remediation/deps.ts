// Wiring: the real guard adapters behind executeRemediation (AWS SDK clients), built from the configuration; each caller adds the actuators it uses.
import { config } from '../config';
import { dynamoDb } from '../aws/dynamodb';
import { ConfigError } from '../errors';
import { dynamoAuditTrail } from './audit';
import { dryRunLedger, loggingAuditTrail } from './dry-run';
import { ssmKillSwitch } from './kill-switch';
import { dynamoActionLedger } from './ledger';
import { channelRefusalNotifier, loggingRefusalNotifier } from './notifier';
import type { RemediationPolicy } from './policy';
import type { ActionLedger, RemediationDeps } from './types';
import type { RemediationActuators } from './wiring';

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
    breakers: overrides.breakers ?? actuators.breakers,
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
