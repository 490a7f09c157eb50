// Responder wiring: the real adapters behind the respond use case, built from the configuration and the stage policy.
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { ALARM_STATES, type AlarmState } from '../alarm/model';
import { ssmFlagStore } from '../breaker/store';
import { pagerDutyClient } from '../channels/clients';
import { required, type Config } from '../config';
import { dynamoDb } from '../aws/dynamodb';
import { ConfigError } from '../errors';
import { logger } from '../logger';
import { DynamoDbDeliveryLedger, InMemoryDeliveryLedger } from '../delivery/ledger';
import { decideSeverity, runbookPath } from '../policy/routing';
import type { Policy } from '../policy/schema';
import { kubernetesDeployments, remediationDeps } from '../remediation/deps';
import { executeRemediation } from '../remediation/execute';
import { awsNodegroupScaler } from '../remediation/nodegroup-scaler';
import type { RemediationDeps } from '../remediation/types';
import { cloudWatch, cloudWatchMetricsSource } from './cloudwatch';
import { breakerTargets, unknownScaleTargets, type ResponderPolicy } from './policy';
import { memoryIncidentStore } from './memory-store';
import type { AlarmStateSource, Pager, Remediator, ResponderDeps, TeamNotifier } from './ports';

import { alarmSlackFor } from '../slack/alarm-slack';
import { diagnosisGraphWidgets } from '../slack/graph';
import { renderWidget } from '../slack/metric-image';
import { DynamoDbSlackThreads, type SlackThreads } from '../slack/threads';
import { loadReviewTemplate } from './review';
import { dynamoIncidentStore, incidentPk } from './timeline';

/** The remediation engine behind the Remediator port: every guard, the budgets, the audit trail, refusal notices. */
export function boundedRemediator(deps: RemediationDeps): Remediator {
  return { remediate: (request) => executeRemediation(request, deps) };
}

/** Current alarm state from CloudWatch DescribeAlarms (metric and composite alarms). */
export function cloudWatchAlarmStates(client: CloudWatchClient = cloudWatch): AlarmStateSource {
  return {
    async stateOf(alarmName) {
      const out = await client.send(new DescribeAlarmsCommand({ AlarmNames: [alarmName], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }));
      const value = out.MetricAlarms?.[0]?.StateValue ?? out.CompositeAlarms?.[0]?.StateValue;
      return ALARM_STATES.find((s): s is AlarmState => s === value);
    },
  };
}

/**
 * Slack through the one Slack client: in app mode a reply in the alarm's thread with the graph of each query a
 * decision read (drawn by GetMetricWidgetImage), otherwise the webhook (resolved at send time, SSM, cached).
 */
export function slackTeamNotifier(
  config: Config,
  notify: Pick<Policy['notify'], 'slackApp'>,
  threads: () => Pick<SlackThreads, 'get'> = () => new DynamoDbSlackThreads(dynamoDb, required(config.stateTable, 'STATE_TABLE')),
  options: { readonly cloudWatch?: Pick<CloudWatchClient, 'send'>; readonly now?: () => Date } = {},
): TeamNotifier {
  const slack = alarmSlackFor(config, notify, threads, { draw: (widget, what) => renderWidget(widget, what, options.cloudWatch ?? cloudWatch) });
  const now = options.now ?? (() => new Date());
  return {
    tell: (message, alarm, diagnostics) => {
      const labels = new Map<string, string>(diagnostics?.readings.map((r) => [r.id, r.label]));
      return slack.post(message, alarm, diagnostics?.queries ? diagnosisGraphWidgets(diagnostics.queries, labels, config.region, now()) : []);
    },
  };
}

/** PagerDuty Events API v2 through the one PagerDuty client. */
export function pagerDutyPager(config: Config): Pager {
  const pagerduty = pagerDutyClient(config);
  return {
    async trigger(page) {
      await pagerduty.send({
        event_action: 'trigger',
        dedup_key: page.dedupKey,
        payload: { summary: page.summary, source: page.source, severity: page.severity, component: page.component, class: 'firebreak-responder', custom_details: { ...page.details } },
        links: [...page.links],
        client: 'Firebreak responder',
      });
    },
    async resolve(dedupKey) {
      await pagerduty.send({ event_action: 'resolve', dedup_key: dedupKey });
    },
  };
}

/** DRY_RUN: what would be told and paged is logged, not sent. */
export const loggingTeamNotifier: TeamNotifier = {
  async tell(message) {
    logger.info('DRY_RUN: would tell the team on Slack', { text: message.text });
  },
};
export const loggingPager: Pager = {
  async trigger(page) {
    logger.info('DRY_RUN: would page on-call', { dedupKey: page.dedupKey, summary: page.summary });
  },
  async resolve(dedupKey, summary) {
    logger.info('DRY_RUN: would resolve the page', { dedupKey, summary });
  },
};

/** The console page of STATE_TABLE's items, where the draft is stored under pk `incident#<id>`, sk `review`. */
export const reviewConsoleUrl = (region: string, table: string, incidentId: string): string =>
  `https://${region}.console.aws.amazon.com/dynamodbv2/home?region=${region}#item-explorer?table=${encodeURIComponent(table)}` +
  `&pk=${encodeURIComponent(incidentPk(incidentId))}&sk=review`;

/**
 * The production dependencies: CloudWatch, STATE_TABLE, SSM flags under BREAKER_PREFIX, the remediation
 * engine (node groups, deployments, this policy's breakers), Slack and PagerDuty. Under DRY_RUN nothing is
 * written or sent: incidents are kept in memory, flag changes and messages are logged, remediation only
 * plans. Checked now (cold start), every policy section it reads included: throws a ConfigError for a
 * scale target the `remediation` section does not know, or a live run without STATE_TABLE.
 */
export function defaultResponderDeps(config: Config, policy: Policy, overrides: Partial<ResponderDeps> = {}): ResponderDeps {
  const dryRun = overrides.dryRun ?? config.dryRun;
  // Every section the responder reads, read now: a stage policy validates each section when first read.
  const { notify: routing, remediation } = policy;
  const responder: ResponderPolicy = policy.responder ?? { services: {} };
  const unknown = unknownScaleTargets(responder, remediation);
  if (unknown.length > 0) throw new ConfigError(`Invalid policy for stage ${config.stage}: ${unknown.join('; ')}`);
  if (!dryRun) required(config.stateTable, 'STATE_TABLE');
  const table = config.stateTable;
  const flags = overrides.flags ?? ssmFlagStore(config.breakerPrefix);
  const actuators = { nodegroups: awsNodegroupScaler(), deployments: kubernetesDeployments(config), breakers: { targets: breakerTargets(responder), flags } };
  return {
    policy: responder,
    stage: config.stage,
    dryRun,
    requestedBy: config.functionName ?? 'respond',
    metrics: overrides.metrics ?? cloudWatchMetricsSource(),
    incidents: overrides.incidents ?? (dryRun || !table ? memoryIncidentStore() : dynamoIncidentStore(table)),
    flags,
    remediator: overrides.remediator ?? boundedRemediator(remediationDeps(config, policy, actuators, { dryRun })),
    pager: overrides.pager ?? (dryRun ? loggingPager : pagerDutyPager(config)),
    team: overrides.team ?? (dryRun ? loggingTeamNotifier : slackTeamNotifier(config, routing)),
    alarms: overrides.alarms ?? cloudWatchAlarmStates(),
    deliveries: overrides.deliveries ?? (dryRun || !table ? new InMemoryDeliveryLedger() : new DynamoDbDeliveryLedger(dynamoDb, table)),
    reviewTemplate: overrides.reviewTemplate ?? cachedTemplate(),
    reviewUrl: overrides.reviewUrl ?? ((id) => (table && !dryRun ? reviewConsoleUrl(config.region, table, id) : undefined)),
    runbookUrl: overrides.runbookUrl ?? ((alarm) => new URL(runbookPath(routing, alarm), config.runbookBaseUrl).toString()),
    severityOf: overrides.severityOf ?? ((alarm) => decideSeverity(routing, alarm).severity),
    now: overrides.now ?? (() => new Date()),
  };
}

function cachedTemplate(): () => Promise<string> {
  let template: Promise<string> | undefined;
  return () => (template ??= loadReviewTemplate());
}
