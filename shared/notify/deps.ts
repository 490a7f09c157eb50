// Wiring: notify's dependencies — the routing policy, the channel notifiers, the delivery ledger, silences, open pages and alarm groups — built from the configuration.
import { dynamoDb } from '../aws/dynamodb';
import { required, type Config } from '../config';
import { DynamoDbDeliveryLedger, InMemoryDeliveryLedger, type DeliveryLedger } from '../delivery/ledger';
import { ConfigError } from '../errors';
import type { MaintenanceWindow, Policy } from '../policy/schema';
import { quietOf } from '../silence/quiet';
import { DynamoDbSilenceStore, InMemorySilenceStore, type SilenceStore } from '../silence/store';
import { DynamoDbGroupStore, InMemoryGroupStore, type GroupStore } from './group/store';
import { createNotifiers, unconfiguredChannels } from './notifiers';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { slackAppFor } from '../channels/clients';
import { loadOnce } from '../load-once';
import { slackAppPolicyOf } from '../slack/alarm-slack';
import { DynamoDbSlackThreads, InMemorySlackThreads, type SlackThreads } from '../slack/threads';
import type { SlackAppDeps } from './slack-app';
import { DynamoDbOpenPages, InMemoryOpenPages, type OpenPages } from './pages';
import type { TickDeps } from './tick';

/** What notify keeps in STATE_TABLE: delivery records, silences (and what they withheld), open pages, alarm groups, Slack threads. */
export interface NotifyState {
  readonly ledger: DeliveryLedger;
  readonly silences: SilenceStore;
  readonly pages: OpenPages;
  readonly groups: GroupStore;
  readonly threads: SlackThreads;
}

/** The same state in memory: what a dry run uses (it writes nothing anywhere), and tests. */
export function inMemoryNotifyState(): NotifyState & {
  readonly silences: InMemorySilenceStore;
  readonly pages: InMemoryOpenPages;
  readonly groups: InMemoryGroupStore;
  readonly threads: InMemorySlackThreads;
} {
  return { ledger: new InMemoryDeliveryLedger(), silences: new InMemorySilenceStore(), pages: new InMemoryOpenPages(), groups: new InMemoryGroupStore(), threads: new InMemorySlackThreads() };
}

function tableState(table: string): NotifyState {
  return {
    ledger: new DynamoDbDeliveryLedger(dynamoDb, table),
    silences: new DynamoDbSilenceStore(dynamoDb, table),
    pages: new DynamoDbOpenPages(dynamoDb, table),
    groups: new DynamoDbGroupStore(dynamoDb, table),
    threads: new DynamoDbSlackThreads(dynamoDb, table),
  };
}

/** The CloudWatch client that draws graphs, loaded when the first graph is drawn (app mode only). */
const cloudWatchOnFirstUse = loadOnce(async () => new (await import('@aws-sdk/client-cloudwatch')).CloudWatchClient({ maxAttempts: 3 }));

/**
 * Slack in app mode, when a bot token is configured: the policy must then say where to post
 * (`notify.slackApp`), or the stage fails at cold start. Undefined without a token: the webhook.
 */
export function slackAppDeps(config: Config, policy: Policy, state: Pick<NotifyState, 'threads'>, now: () => Date, cloudWatch?: Pick<CloudWatchClient, 'send'>): SlackAppDeps | undefined {
  const slackApp = slackAppPolicyOf(config, policy.notify);
  if (!slackApp) return undefined;
  return {
    client: slackAppFor(config),
    threads: state.threads,
    policy: { ...policy.notify, slackApp },
    graph: async (alarm) => (await import('../slack/metric-image')).renderAlarmGraph(alarm, { cloudWatch: cloudWatch ?? (await cloudWatchOnFirstUse()), now }),
    now,
  };
}

/** notify's dependencies (the fan-out's and its schedule's) over a state and a clock: the one place they are put together. */
export function fanOutDeps(config: Config, policy: Policy, state: NotifyState, now: () => Date = () => new Date()): TickDeps {
  const windows: readonly MaintenanceWindow[] = policy.notify.windows;
  const slackApp = slackAppDeps(config, policy, state, now);
  return {
    policy: policy.notify,
    stage: config.stage,
    runbookBaseUrl: config.runbookBaseUrl,
    dryRun: config.dryRun,
    notifiers: createNotifiers(config, {}, slackApp),
    slackApp: slackApp?.policy,
    ledger: state.ledger,
    quiet: quietOf(state.silences, windows),
    silences: state.silences,
    pages: state.pages,
    groups: state.groups,
    now,
    announces: unconfiguredChannels(config, ['slack']).length === 0,
  };
}

/**
 * notify's dependencies. Checked now (cold start), so a deployed stage with a missing setting fails
 * loudly before any alarm arrives: a channel the policy routes to that the configuration cannot reach,
 * or a live run without STATE_TABLE. A dry run writes nothing anywhere, the delivery ledger included.
 */
export function notifyDeps(config: Config, policy: Policy): TickDeps {
  const routed = [...policy.notify.routes.flatMap((r) => r.channels), ...policy.notify.defaultRoute.channels];
  const missing = unconfiguredChannels(config, routed);
  if (missing.length > 0 && !config.dryRun) {
    throw new ConfigError(`The ${config.stage} policy routes to channels that are not configured: ${missing.join(', ')}`);
  }
  return fanOutDeps(config, policy, config.dryRun ? inMemoryNotifyState() : tableState(required(config.stateTable, 'STATE_TABLE')));
}
