// Responder wiring: the real adapters behind the respond use case, built from the configuration and the stage policy.
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { ALARM_STATES, type AlarmState } from '../alarm/model';
import { ssmFlagStore, type FlagStore } from '../breaker/store';
import { sendPagerDutyEvent } from '../channels/pagerduty';
import { postSlackMessage } from '../channels/slack';
import type { Config } from '../config';
import { DEFAULT_RETRY_POLICY } from '../delivery/retry';
import { dynamoDb } from '../aws/dynamodb';
import { ConfigError } from '../errors';
import { logger } from '../logger';
import { DynamoDbDeliveryLedger, InMemoryDeliveryLedger } from '../notify/ledger';
import { decideSeverity, runbookPath } from '../policy/routing';
import type { Policy } from '../policy/schema';
import { remediationDeps } from '../remediation/deps';
import { DISABLED_REMEDIATION, lazyDeploymentActuator, lazyNodegroupScaler, type RemediationActuators } from '../remediation/wiring';
import { executeRemediation } from '../remediation/execute';
import type { RemediationDeps } from '../remediation/types';
import { resolveSecret } from '../secrets';
import { cloudWatch, cloudWatchMetricsSource } from './cloudwatch';
import { breakerTargets, type ResponderPolicy } from './policy';
import { memoryIncidentStore } from './memory-store';
import type { AlarmStateSource, Pager, Remediator, ResponderDeps, TeamNotifier } from './ports';

import { loadReviewTemplate } from './review';
import { responderSettings } from './settings';
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

/** Slack through the shared adapter; the webhook is resolved at send time (SSM, cached). */
export function slackTeamNotifier(config: Config): TeamNotifier {
  const retry = { ...DEFAULT_RETRY_POLICY, maxAttempts: config.deliveryMaxAttempts };
  return {
    async tell(message) {
      const url = await resolveSecret(config.slackWebhook);
      if (!url) throw new ConfigError('SLACK_WEBHOOK_URL or SLACK_WEBHOOK_PARAM must be set for the responder to tell the team');
      await postSlackMessage(url, message, { retry, timeoutMs: config.httpTimeoutMs });
    },
  };
}

/** PagerDuty Events API v2 through the shared adapter. */
export function pagerDutyPager(config: Config): Pager {
  const retry = { ...DEFAULT_RETRY_POLICY, maxAttempts: config.deliveryMaxAttempts };
  const key = async () => {
    const value = await resolveSecret(config.pagerDutyRoutingKey);
    if (!value) throw new ConfigError('PAGERDUTY_ROUTING_KEY or PAGERDUTY_ROUTING_KEY_PARAM must be set for the responder to page');
    return value;
  };
  const options = { eventsUrl: config.pagerDutyEventsUrl, timeoutMs: config.httpTimeoutMs, retry };
  return {
    async trigger(page) {
      await sendPagerDutyEvent(
        {
          event_action: 'trigger',
          dedup_key: page.dedupKey,
          payload: { summary: page.summary, source: page.source, severity: page.severity, component: page.component, class: 'firebreak-responder', custom_details: { ...page.details } },
          links: page.links,
          client: 'Firebreak responder',
        },
        await key(),
        options,
      );
    },
    async resolve(dedupKey) {
      await sendPagerDutyEvent({ event_action: 'resolve', dedup_key: dedupKey }, await key(), options);
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
 * The production dependencies: CloudWatch, STATE_TABLE, SSM flags under BREAKER_PREFIX, the bounded
 * remediation, Slack and PagerDuty. Under DRY_RUN nothing is written or sent: incidents are kept in
 * memory, flag changes and messages are logged, remediation only plans. Throws a ConfigError at cold
 * start for a policy whose scale targets remediation does not know, or a missing STATE_TABLE.
 */
export function defaultResponderDeps(config: Config, policy: Policy, overrides: Partial<ResponderDeps> = {}): ResponderDeps {
  const { policy: responder, dryRun } = responderSettings(config, policy, overrides.dryRun);
  const { notify: routing, remediation } = policy;
  const table = config.stateTable;
  const requestedBy = config.functionName ?? 'respond';
  const flags = overrides.flags ?? ssmFlagStore(config.breakerPrefix);
  return {
    policy: responder,
    stage: config.stage,
    dryRun,
    requestedBy,
    metrics: overrides.metrics ?? cloudWatchMetricsSource(),
    incidents: overrides.incidents ?? (dryRun || !table ? memoryIncidentStore() : dynamoIncidentStore(table)),
    flags,
    remediator: overrides.remediator ?? boundedRemediator(remediationDeps(remediation ?? DISABLED_REMEDIATION, responderActuators(config, responder, flags), { dryRun })),
    pager: overrides.pager ?? (dryRun ? loggingPager : pagerDutyPager(config)),
    team: overrides.team ?? (dryRun ? loggingTeamNotifier : slackTeamNotifier(config)),
    alarms: overrides.alarms ?? cloudWatchAlarmStates(),
    deliveries: overrides.deliveries ?? (dryRun || !table ? new InMemoryDeliveryLedger() : new DynamoDbDeliveryLedger(dynamoDb, table)),
    reviewTemplate: overrides.reviewTemplate ?? cachedTemplate(),
    reviewUrl: overrides.reviewUrl ?? ((id) => (table && !dryRun ? reviewConsoleUrl(config.region, table, id) : undefined)),
    runbookUrl: overrides.runbookUrl ?? ((alarm) => new URL(runbookPath(routing, alarm), config.runbookBaseUrl).toString()),
    severityOf: overrides.severityOf ?? ((alarm) => decideSeverity(routing, alarm).severity),
    now: overrides.now ?? (() => new Date()),
  };
}

/**
 * Node groups through AWS, deployments through the Kubernetes client: each loaded on the first scaling
 * of its kind, so cold start does not evaluate either (the node-group code stays in the bundle,
 * unevaluated until then; the Kubernetes client is a file of its own, see esbuild.config.js).
 */
function responderActuators(config: Config, responder: ResponderPolicy, flags: FlagStore): RemediationActuators {
  return {
    breakers: { targets: breakerTargets(responder), flags },
    nodegroups: lazyNodegroupScaler(async () => (await import('../remediation/nodegroup-scaler')).awsNodegroupScaler()),
    deployments: lazyDeploymentActuator(async () => (await import('../remediation/kube-deployments')).configuredDeploymentActuator(config)),
  };
}

function cachedTemplate(): () => Promise<string> {
  let template: Promise<string> | undefined;
  return () => (template ??= loadReviewTemplate());
}
