// Integration: what the remediations and the responder tell people about an alarm, in app mode a reply in the thread notify
// opened for it (real @slack/web-api against the loopback Web API double), otherwise the incoming webhook.
import { CloudWatchClient, GetMetricWidgetImageCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { loadConfig } from '../../../shared/config';
import { ConfigError } from '../../../shared/errors';
import type { Policy } from '../../../shared/policy/schema';
import { stagePolicy } from '../../../shared/policy/load';
import { channelRefusalNotifier } from '../../../shared/remediation/notifier';
import { definitionFromNotification } from '../../../shared/responder/alarm-definition';
import { slackTeamNotifier } from '../../../shared/responder/deps';
import { metricDataRequest, readDiagnostics } from '../../../shared/responder/diagnose';
import { alarmSlackFor } from '../../../shared/slack/alarm-slack';
import { InMemorySlackThreads } from '../../../shared/slack/threads';
import { loadSampleAlarm } from '../../support/events';
import { TestReceiver } from '../../support/receiver';
import { SlackApiDouble } from '../../support/slack-api';
import { refusalNotice as notice } from '../../support/refusal-notice';

const ALARM = 'RetailPrediction-HighCPU';
const THREAD = { key: ALARM, channel: 'C0INCIDNT', ts: '1796400000.000100', openedAt: '2026-12-04T04:00:00.000Z' };
const RETRY = { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 10 };
const NOW = new Date('2026-12-04T05:00:00.000Z');
/** A 1x1 PNG, as GetMetricWidgetImage answers. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
const cloudWatch = mockClient(CloudWatchClient);

let slack: SlackApiDouble;
let webhook: TestReceiver;
let pagerduty: TestReceiver;
beforeAll(async () => {
  [slack, webhook, pagerduty] = await Promise.all([SlackApiDouble.start(), TestReceiver.start(), TestReceiver.start({ status: 202, body: '{"status":"success"}' })]);
});
afterAll(async () => {
  await Promise.all([slack.close(), webhook.close(), pagerduty.close()]);
});
beforeEach(() => {
  slack.reset();
  webhook.reset();
  pagerduty.reset({ status: 202, body: '{"status":"success"}' });
});

/** The dev policy, whose notify.slackApp posts to C0FIREBRK by default. */
const policy = (): Policy => stagePolicy('dev');

const appConfig = (overrides: Record<string, string> = {}) =>
  loadConfig({
    STAGE: 'dev',
    SLACK_BOT_TOKEN: SlackApiDouble.TOKEN,
    SLACK_API_URL: slack.url(),
    SLACK_WEBHOOK_URL: webhook.url('/services/T000/B000/XXXX'),
    PAGERDUTY_ROUTING_KEY: 'routing-key-1',
    PAGERDUTY_EVENTS_URL: pagerduty.url('/v2/enqueue'),
    STATE_TABLE: 'firebreak-dev-state',
    HTTP_TIMEOUT_MS: '2000',
    ...overrides,
  });

async function threads(...open: (typeof THREAD)[]): Promise<InMemorySlackThreads> {
  const store = new InMemorySlackThreads();
  for (const thread of open) await store.open(thread);
  return store;
}

describe('a refusal notice in app mode', () => {
  it("is a reply in the alarm's thread, and nothing reaches the webhook", async () => {
    const store = await threads(THREAD);
    await channelRefusalNotifier(appConfig(), { retry: RETRY }, alarmSlackFor(appConfig(), policy().notify, () => store, { retry: RETRY })).tell(notice());
    expect(slack.messages().map((m) => ({ channel: m.channel, thread_ts: m.thread_ts, refused: m.text.includes('was refused by the bounds guard') }))).toEqual([
      { channel: THREAD.channel, thread_ts: THREAD.ts, refused: true },
    ]);
    expect(webhook.requests).toEqual([]);
  });

  it('goes into the thread of an alarm already back in OK: the refusal belongs to that incident', async () => {
    const store = await threads(THREAD);
    await store.close(ALARM, new Date('2026-12-04T04:30:00Z'));
    await channelRefusalNotifier(appConfig(), { retry: RETRY }, alarmSlackFor(appConfig(), policy().notify, () => store, { retry: RETRY })).tell(notice({ alarmState: 'OK' }));
    expect(slack.messages().map((m) => m.thread_ts)).toEqual([THREAD.ts]);
  });

  it("is posted in the policy's default channel when the alarm has no thread, and pages too when critical", async () => {
    await channelRefusalNotifier(appConfig(), { retry: RETRY }, alarmSlackFor(appConfig(), policy().notify, () => new InMemorySlackThreads(), { retry: RETRY })).tell(notice({ critical: true }));
    expect(slack.messages().map((m) => ({ channel: m.channel, thread_ts: m.thread_ts }))).toEqual([{ channel: policy().notify.slackApp!.defaultChannel, thread_ts: undefined }]);
    expect(pagerduty.jsonBodies<{ event_action: string }>().map((b) => b.event_action)).toEqual(['trigger']);
  });

  it('fails when Slack refuses, so Lambda retries the invocation', async () => {
    slack.failNext('chat.postMessage', 'channel_not_found');
    const store = await threads(THREAD);
    await expect(channelRefusalNotifier(appConfig(), { retry: RETRY }, alarmSlackFor(appConfig(), policy().notify, () => store, { retry: RETRY })).tell(notice())).rejects.toThrow(/channel_not_found/);
  });
});

describe("the responder's messages in app mode", () => {
  it('about an alarm go into its thread; one about no alarm goes to the default channel', async () => {
    const store = await threads(THREAD);
    const team = slackTeamNotifier(appConfig(), policy().notify, () => store);
    await team.tell({ text: 'Responder: scaled the node group' }, ALARM);
    await team.tell({ text: 'Breaker orphan came due, but no responder service in the policy owns it' });
    expect(slack.messages().map((m) => [m.channel, m.thread_ts, m.text])).toEqual([
      [THREAD.channel, THREAD.ts, 'Responder: scaled the node group'],
      [policy().notify.slackApp!.defaultChannel, undefined, 'Breaker orphan came due, but no responder service in the policy owns it'],
    ]);
  });
});

describe("the responder's decision in app mode, with what it read", () => {
  const service = stagePolicy('prod').responder!.services['retail-prediction']!;
  const definitions = new Map(['alarm-high-error-rate-alarm', 'alarm-high-latency-alarm'].map((event) => {
    const alarm = loadSampleAlarm(event);
    return [alarm.name, definitionFromNotification(alarm)!];
  }));
  const diagnostics = readDiagnostics(service, metricDataRequest(service, NOW, definitions), []);
  const team = (store: InMemorySlackThreads) => slackTeamNotifier(appConfig(), policy().notify, () => store, { cloudWatch: cloudWatch as unknown as CloudWatchClient, now: () => NOW });

  beforeEach(() => {
    cloudWatch.reset();
    cloudWatch.on(GetMetricWidgetImageCommand).resolves({ MetricWidgetImage: PNG });
  });

  it('has the graph of each query it read uploaded into the thread under it, one widget drawn per query', async () => {
    await team(await threads(THREAD)).tell({ text: 'Responder: scale out — retail-prediction' }, ALARM, diagnostics);
    expect(slack.messages().map((m) => [m.thread_ts, m.text])).toEqual([[THREAD.ts, 'Responder: scale out — retail-prediction']]);
    const titles = diagnostics.readings.map((r) => `${r.label}: last 3 h`);
    expect(slack.uploads().map((u) => ({ title: u.title, thread_ts: u.thread_ts, channel: u.channel, completed: u.completed, bytes: u.bytes?.length }))).toEqual(
      titles.map((title) => ({ title, thread_ts: THREAD.ts, channel: THREAD.channel, completed: true, bytes: PNG.length })),
    );
    const drawn = cloudWatch.commandCalls(GetMetricWidgetImageCommand).map((c) => JSON.parse(c.args[0].input.MetricWidget!) as { title: string });
    expect(drawn.map((w) => w.title)).toEqual(titles);
  });

  it('a graph CloudWatch cannot draw is a line in the thread; the decision and the other graphs still go', async () => {
    cloudWatch.on(GetMetricWidgetImageCommand).rejectsOnce(new Error('Rate exceeded')).resolves({ MetricWidgetImage: PNG });
    await team(await threads(THREAD)).tell({ text: 'Responder: scale out — retail-prediction' }, ALARM, diagnostics);
    const [first] = diagnostics.readings;
    expect(slack.messages().map((m) => m.text)).toEqual([
      'Responder: scale out — retail-prediction',
      `The graph of ${first!.label}: last 3 h could not be drawn: cloudwatch:GetMetricWidgetImage could not draw ${first!.label}: last 3 h: Rate exceeded`,
    ]);
    expect(slack.uploads()).toHaveLength(diagnostics.readings.length - 1);
  });

  it('on the webhook, the decision goes as before and nothing is drawn', async () => {
    await slackTeamNotifier(appConfig({ SLACK_BOT_TOKEN: '' }), policy().notify, () => new InMemorySlackThreads(), { cloudWatch: cloudWatch as unknown as CloudWatchClient, now: () => NOW }).tell({ text: 'Responder: scale out' }, ALARM, diagnostics);
    expect(webhook.requests).toHaveLength(1);
    expect(cloudWatch.commandCalls(GetMetricWidgetImageCommand)).toEqual([]);
  });
});

describe('without a bot token', () => {
  it('every message goes through the webhook, as before, the thread store never built', async () => {
    const config = appConfig({ SLACK_BOT_TOKEN: '' });
    const slackOf = alarmSlackFor(config, policy().notify, () => {
      throw new Error('the webhook needs no threads');
    });
    await slackOf.post({ text: 'Firebreak: scale-nodegroup was refused' }, ALARM);
    expect(webhook.requests.map((r) => r.path)).toEqual(['/services/T000/B000/XXXX']);
    expect(slack.calls).toEqual([]);
  });
});

it('a bot token with no notify.slackApp in the policy fails at cold start, naming what is missing', () => {
  const notify = { ...policy().notify, slackApp: undefined };
  expect(() => alarmSlackFor(appConfig(), notify, () => new InMemorySlackThreads())).toThrow(ConfigError);
  expect(() => alarmSlackFor(appConfig(), notify, () => new InMemorySlackThreads())).toThrow('SLACK_BOT_TOKEN is set, but the dev policy has no notify.slackApp saying which channel to post to');
});
