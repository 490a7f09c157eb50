// notify's Slack in app mode end to end below the handler: notifyEvent through the real @slack/web-api against the loopback
// Slack Web API double, PagerDuty on a loopback receiver, SNS and CloudWatch's GetMetricWidgetImage mocked, notify's state in memory.
import { CloudWatchClient, GetMetricWidgetImageCommand } from '@aws-sdk/client-cloudwatch';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Button, KnownBlock } from '@slack/types';
import { mockClient } from 'aws-sdk-client-mock';
import { loadConfig } from '../../../shared/config';
import { ConfigError, InvocationFailedError } from '../../../shared/errors';
import { fanOutDeps, inMemoryNotifyState, notifyDeps, slackAppDeps } from '../../../shared/notify/deps';
import type { FanOutDeps, NotifySummary } from '../../../shared/notify/fan-out';
import { createNotifiers } from '../../../shared/notify/notifiers';
import { notifyEvent } from '../../../shared/notify/process-event';
import { policyForStage } from '../../../shared/policy/load';
import type { Policy } from '../../../shared/policy/schema';
import { loadAlarmMessage, loadEvent, snsEventWithMessage } from '../../support/events';
import { TestReceiver } from '../../support/receiver';
import { SlackApiDouble, type PostedMessage } from '../../support/slack-api';

const EMAIL_TOPIC = 'arn:aws:sns:us-east-1:123456789012:firebreak-dev-email';
const ROUTING_KEY = 'R0UT1NGKEY0000000000000000000000';
const RUNBOOK_BASE = 'https://git.example.com/firebreak/runbooks/';
const PD_OK = { status: 202, body: '{"status":"success","message":"Event processed","dedup_key":"k"}' };
const quietLogger = { info: jest.fn(), warn: jest.fn(), error: jest.fn() } as unknown as Logger;

/** The dev policy's slackApp.defaultChannel; its `critical` route is given its own channel below. */
const DEFAULT_CHANNEL = 'C0FIREBRK';
const CRITICAL_CHANNEL = 'C0CRITICAL';
const ERROR_RATE = 'RetailPrediction-HighErrorRate';
const ERROR_RATE_ARN = 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:RetailPrediction-HighErrorRate';
const HIGH_CPU = 'RetailPrediction-HighCPU';
// A PNG's signature and the start of its header: bytes that are not UTF-8, so a text round trip would show.
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0xff, 0xfe, 0x80]);
const START = new Date('2026-11-21T03:14:08.412Z');
const later = (at: Date, ms: number) => new Date(at.getTime() + ms);

/** The dev policy, its `critical` route posting to its own Slack channel. */
function appPolicy(): Policy {
  const policy = policyForStage('dev');
  const routes = policy.notify.routes.map((r) => (r.name === 'critical' ? { ...r, slackChannel: CRITICAL_CHANNEL } : r));
  return { ...policy, notify: { ...policy.notify, routes } };
}

/** The dev policy as it was before app mode: no notify.slackApp. */
function policyWithoutSlackApp(): Policy {
  const policy = policyForStage('dev');
  const { slackApp: _slackApp, ...notify } = policy.notify;
  return { ...policy, notify };
}

/** A sample alarm notification in a new SNS message (Lambda's retry of one message keeps its MessageId; a new state change does not). */
const again = (sample: string, messageId: string) => snsEventWithMessage(loadAlarmMessage(sample), messageId);

const topLevel = (messages: PostedMessage[]) => messages.filter((m) => m.thread_ts === undefined);
const blocksOf = (message: { attachments?: unknown[] } | undefined): KnownBlock[] => (message?.attachments?.[0] as { blocks?: KnownBlock[] } | undefined)?.blocks ?? [];
const actionsOf = (message: { attachments?: unknown[] } | undefined): Button[] => {
  const last = blocksOf(message).at(-1);
  return last?.type === 'actions' ? (last.elements as Button[]) : [];
};
const buttonIds = (message: { attachments?: unknown[] } | undefined) => actionsOf(message).map((b) => b.action_id);
const statuses = (summary: NotifySummary | undefined) => summary?.outcomes.map((o) => `${o.channel}:${o.status}`);

describe('notify: Slack in app mode against the Web API double', () => {
  let slack: SlackApiDouble;
  let pagerduty: TestReceiver;
  let webhook: TestReceiver;
  const sns = mockClient(SNSClient);
  const cloudWatch = mockClient(CloudWatchClient);
  let clock: Date;
  let state: ReturnType<typeof inMemoryNotifyState>;

  beforeAll(async () => {
    slack = await SlackApiDouble.start();
    pagerduty = await TestReceiver.start(PD_OK);
    webhook = await TestReceiver.start({ status: 200, body: 'ok' });
  });
  afterAll(async () => {
    await slack.close();
    await pagerduty.close();
    await webhook.close();
  });
  beforeEach(() => {
    slack.reset();
    pagerduty.reset(PD_OK);
    webhook.reset({ status: 200, body: 'ok' });
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'email-1' });
    cloudWatch.reset();
    cloudWatch.on(GetMetricWidgetImageCommand).resolves({ MetricWidgetImage: PNG });
    clock = START;
    state = inMemoryNotifyState();
  });

  const env = (overrides: Record<string, string | undefined> = {}) => ({
    STAGE: 'dev',
    DRY_RUN: 'false',
    SLACK_BOT_TOKEN: SlackApiDouble.TOKEN,
    SLACK_API_URL: slack.url(),
    PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
    PAGERDUTY_EVENTS_URL: pagerduty.url('/v2/enqueue'),
    EMAIL_TOPIC_ARN: EMAIL_TOPIC,
    STATE_TABLE: 'firebreak-dev-state',
    HTTP_TIMEOUT_MS: '2000',
    RUNBOOK_BASE_URL: RUNBOOK_BASE,
    ...overrides,
  });

  /** notify's dependencies over this test's state and clock: the app's notifier as slackAppDeps builds it, its graphs from the mocked CloudWatch. */
  const deps = (policy: Policy = appPolicy(), overrides: Record<string, string | undefined> = {}): FanOutDeps => {
    const config = loadConfig(env(overrides));
    const now = () => clock;
    return {
      ...fanOutDeps(config, policy, state, now),
      notifiers: createNotifiers(
        config,
        { sns: new SNSClient({ region: 'us-east-1' }), retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 2_000 } },
        slackAppDeps(config, policy, state, now, new CloudWatchClient({ region: 'eu-west-1' })),
      ),
    };
  };

  /** notifyEvent, returning the summary of its one message even when the invocation failed. */
  const notify = async (event: unknown, d: FanOutDeps = deps()): Promise<{ summary?: NotifySummary; error?: unknown }> => {
    const seen: NotifySummary[] = [];
    try {
      await notifyEvent(event, d, quietLogger, (s) => seen.push(s));
      return { summary: seen[0] };
    } catch (error) {
      return { summary: seen[0], error };
    }
  };

  const widgets = () => cloudWatch.commandCalls(GetMetricWidgetImageCommand).map((c) => JSON.parse(c.args[0].input.MetricWidget ?? '{}') as { metrics?: unknown[][] });

  describe('ALARM opens a thread', () => {
    it("posts one parent in the route's own channel (slackChannel), delivered with the other channels", async () => {
      const { summary, error } = await notify(loadEvent('alarm-high-error-rate-alarm'));

      expect(error).toBeUndefined();
      expect(statuses(summary)).toEqual(['pagerduty:delivered', 'slack:delivered', 'email:delivered']);
      const parents = topLevel(slack.messages());
      expect(parents).toHaveLength(1);
      expect(parents[0]).toMatchObject({ channel: CRITICAL_CHANNEL, token: SlackApiDouble.TOKEN, text: expect.stringContaining(`ALARM: ${ERROR_RATE}`) });
    });

    it("a route with no slackChannel posts to the app's defaultChannel", async () => {
      await notify(loadEvent('alarm-high-cpu-alarm'));

      expect(topLevel(slack.messages())).toEqual([expect.objectContaining({ channel: DEFAULT_CHANNEL, text: expect.stringContaining(`ALARM: ${HIGH_CPU}`) })]);
    });

    it("the parent's blocks end with its buttons: Acknowledge (it pages, and the policy names who may), Silence 1 h / 4 h, Open runbook", async () => {
      await notify(loadEvent('alarm-high-error-rate-alarm'));

      const [parent] = topLevel(slack.messages());
      expect(blocksOf(parent).at(-1)).toMatchObject({ type: 'actions', block_id: 'firebreak-actions' });
      expect(buttonIds(parent)).toEqual(['acknowledge', 'silence-1h', 'silence-4h', 'runbook']);
      expect(actionsOf(parent).find((b) => b.action_id === 'runbook')?.url).toBe(`${RUNBOOK_BASE}${ERROR_RATE}.md`);
      // The blocks before the buttons are the formatter's, untouched.
      expect(blocksOf(parent)[0]).toMatchObject({ type: 'header' });
    });

    it("Acknowledge carries the dedup_key of the page PagerDuty was sent; the silences carry their hours", async () => {
      await notify(loadEvent('alarm-high-error-rate-alarm'));

      const [trigger] = pagerduty.jsonBodies<{ event_action: string; dedup_key: string }>();
      expect(trigger).toMatchObject({ event_action: 'trigger', dedup_key: ERROR_RATE_ARN });
      const values = actionsOf(topLevel(slack.messages())[0]).filter((b) => b.value).map((b) => JSON.parse(b.value ?? '') as unknown);
      expect(values).toEqual([{ alarm: ERROR_RATE, dedupKey: trigger?.dedup_key }, { alarm: ERROR_RATE, hours: 1 }, { alarm: ERROR_RATE, hours: 4 }]);
    });

    it('a policy that names nobody for acknowledge shows no Acknowledge', async () => {
      const policy = appPolicy();
      const slackApp = { ...policy.notify.slackApp!, actions: { silence: policy.notify.slackApp!.actions.silence } };

      await notify(loadEvent('alarm-high-error-rate-alarm'), deps({ ...policy, notify: { ...policy.notify, slackApp } }));

      expect(buttonIds(topLevel(slack.messages())[0])).toEqual(['silence-1h', 'silence-4h', 'runbook']);
    });

    it('records the thread: the parent as Slack placed it, open, opened at the clock', async () => {
      await notify(loadEvent('alarm-high-error-rate-alarm'));

      const [parent] = topLevel(slack.messages());
      expect(await state.threads.get(ERROR_RATE)).toEqual({ key: ERROR_RATE, channel: CRITICAL_CHANNEL, ts: parent?.ts, openedAt: START.toISOString() });
    });

    it('uploads the graph into the thread: the bytes GetMetricWidgetImage drew, named for the alarm and its state', async () => {
      await notify(loadEvent('alarm-high-error-rate-alarm'));

      const [parent] = topLevel(slack.messages());
      const [file] = slack.uploads();
      expect(slack.uploads()).toHaveLength(1);
      expect(file).toMatchObject({ filename: `${ERROR_RATE}-ALARM.png`, completed: true, channel: CRITICAL_CHANNEL, thread_ts: parent?.ts });
      expect(new Uint8Array(file?.bytes ?? [])).toEqual(PNG);
      expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricWidgetImageCommand, 1);
    });

    it("the graph of a metric alarm is of the alarm's own metric: its namespace, name, dimensions, statistic and period", async () => {
      await notify(loadEvent('alarm-high-cpu-alarm'));

      const [widget] = widgets();
      const [metric] = widget?.metrics ?? [];
      expect(metric?.slice(0, 4)).toEqual(['ContainerInsights', 'node_cpu_utilization', 'ClusterName', 'retail-prediction-cluster']);
      expect(metric?.at(-1)).toMatchObject({ stat: 'Average', period: 300 });
    });

    it("the graph of a metric-math alarm draws the metrics its expression reads, each with its own statistic and period", async () => {
      await notify(loadEvent('alarm-high-error-rate-alarm'));

      const [widget] = widgets();
      const metrics = widget?.metrics ?? [];
      const byName = (name: string) => metrics.find((m) => m.includes(name));
      expect(byName('APIErrorCount')?.slice(0, 2)).toEqual(['RetailMLOps', 'APIErrorCount']);
      expect(byName('APIErrorCount')?.at(-1)).toMatchObject({ stat: 'Sum', period: 60 });
      expect(byName('APIRequestCount')?.slice(0, 2)).toEqual(['RetailMLOps', 'APIRequestCount']);
      expect(byName('APIRequestCount')?.at(-1)).toMatchObject({ stat: 'Sum', period: 60 });
    });
  });

  describe('ALARM again, OK, and the ALARM after', () => {
    it('the same alarm in ALARM again updates the parent and replies in its thread: no second parent', async () => {
      await notify(loadEvent('alarm-high-error-rate-alarm'));
      const [parent] = topLevel(slack.messages());
      clock = later(START, 5 * 60_000);

      const { summary } = await notify(again('alarm-high-error-rate-alarm', 'm-error-rate-alarm-again'));

      expect(statuses(summary)).toEqual(['pagerduty:delivered', 'slack:delivered', 'email:delivered']);
      expect(topLevel(slack.messages())).toHaveLength(1);
      expect(slack.updates()).toEqual([expect.objectContaining({ channel: CRITICAL_CHANNEL, ts: parent?.ts })]);
      // Still firing: the parent keeps its buttons.
      expect(buttonIds(slack.message(CRITICAL_CHANNEL, parent!.ts))).toEqual(['acknowledge', 'silence-1h', 'silence-4h', 'runbook']);
      const replies = slack.threadOf(parent!.ts).filter((m) => !m.files);
      expect(replies).toEqual([expect.objectContaining({ channel: CRITICAL_CHANNEL, text: expect.stringContaining(`ALARM: ${ERROR_RATE}`) })]);
      // A graph for each ALARM, both in the one thread.
      expect(slack.uploads().map((f) => f.thread_ts)).toEqual([parent?.ts, parent?.ts]);
      expect((await state.threads.get(ERROR_RATE))?.ts).toBe(parent?.ts);
    });

    it('OK replies in the thread, updates the parent to OK without buttons, uploads the graph and closes the thread', async () => {
      await notify(loadEvent('alarm-high-error-rate-alarm'));
      const [parent] = topLevel(slack.messages());
      clock = later(START, 10 * 60_000);

      const { summary } = await notify(loadEvent('alarm-high-error-rate-ok'));

      expect(statuses(summary)).toEqual(['pagerduty:delivered', 'slack:delivered', 'email:delivered']);
      expect(topLevel(slack.messages())).toHaveLength(1);
      const replies = slack.threadOf(parent!.ts).filter((m) => !m.files);
      expect(replies).toEqual([expect.objectContaining({ text: expect.stringContaining(`OK: ${ERROR_RATE}`) })]);
      const now = slack.message(CRITICAL_CHANNEL, parent!.ts);
      expect(now?.text).toContain(`OK: ${ERROR_RATE}`);
      expect(buttonIds(now)).toEqual([]);
      expect(slack.uploads().map((f) => `${f.filename}@${f.thread_ts}`)).toEqual([`${ERROR_RATE}-ALARM.png@${parent?.ts}`, `${ERROR_RATE}-OK.png@${parent?.ts}`]);
      expect(await state.threads.get(ERROR_RATE)).toEqual({ key: ERROR_RATE, channel: CRITICAL_CHANNEL, ts: parent?.ts, openedAt: START.toISOString(), closedAt: clock.toISOString() });
    });

    it('the next ALARM after the OK opens a new parent and a new thread', async () => {
      await notify(loadEvent('alarm-high-error-rate-alarm'));
      clock = later(START, 10 * 60_000);
      await notify(loadEvent('alarm-high-error-rate-ok'));
      clock = later(START, 60 * 60_000);

      await notify(again('alarm-high-error-rate-alarm', 'm-error-rate-alarm-next'));

      const parents = topLevel(slack.messages());
      expect(parents).toHaveLength(2);
      expect(buttonIds(parents[1])).toEqual(['acknowledge', 'silence-1h', 'silence-4h', 'runbook']);
      expect(await state.threads.get(ERROR_RATE)).toEqual({ key: ERROR_RATE, channel: CRITICAL_CHANNEL, ts: parents[1]?.ts, openedAt: clock.toISOString() });
      expect(slack.uploads().at(-1)?.thread_ts).toBe(parents[1]?.ts);
      // The first thread got nothing of the second incident.
      expect(slack.threadOf(parents[0]!.ts).some((m) => m.ts > parents[1]!.ts)).toBe(false);
    });

    it('an OK with no thread is posted alone: no update, no thread recorded', async () => {
      const { summary } = await notify(loadEvent('alarm-high-error-rate-ok'));

      expect(statuses(summary)).toEqual(['pagerduty:delivered', 'slack:delivered', 'email:delivered']);
      expect(topLevel(slack.messages())).toEqual([expect.objectContaining({ channel: CRITICAL_CHANNEL, text: expect.stringContaining(`OK: ${ERROR_RATE}`) })]);
      expect(buttonIds(topLevel(slack.messages())[0])).toEqual([]);
      expect(slack.updates()).toEqual([]);
      expect(await state.threads.get(ERROR_RATE)).toBeUndefined();
    });

    it("a message that is not an alarm is posted alone to the app's defaultChannel", async () => {
      const { summary } = await notify(loadEvent('sns-plain-text'));

      expect(summary?.type).toBe('generic');
      expect(summary?.outcomes).toContainEqual(expect.objectContaining({ channel: 'slack', status: 'delivered' }));
      expect(slack.messages()).toEqual([expect.objectContaining({ channel: DEFAULT_CHANNEL })]);
      expect(state.threads.threads.size).toBe(0);
    });
  });

  describe('a graph that cannot be drawn or uploaded is a line in the thread, never a failure', () => {
    it('GetMetricWidgetImage rejecting: the message is delivered, the thread says the graph could not be drawn', async () => {
      cloudWatch.on(GetMetricWidgetImageCommand).rejects(Object.assign(new Error('User is not authorized to perform: cloudwatch:GetMetricWidgetImage'), { name: 'AccessDenied' }));

      const { summary, error } = await notify(loadEvent('alarm-high-error-rate-alarm'));

      expect(error).toBeUndefined();
      expect(statuses(summary)).toEqual(['pagerduty:delivered', 'slack:delivered', 'email:delivered']);
      const [parent] = topLevel(slack.messages());
      expect(slack.uploads()).toEqual([]);
      expect(slack.threadOf(parent!.ts)).toEqual([expect.objectContaining({ text: expect.stringContaining('could not be drawn') })]);
      expect(slack.threadOf(parent!.ts)[0]?.text).toContain(ERROR_RATE);
      expect(await state.threads.get(ERROR_RATE)).toMatchObject({ ts: parent?.ts });
    });

    it('Slack refusing the upload: the message is delivered, the thread says why', async () => {
      slack.failNext('files.getUploadURLExternal', 'missing_scope', { extra: { needed: 'files:write' } });

      const { summary, error } = await notify(loadEvent('alarm-high-error-rate-alarm'));

      expect(error).toBeUndefined();
      expect(statuses(summary)).toEqual(['pagerduty:delivered', 'slack:delivered', 'email:delivered']);
      const [parent] = topLevel(slack.messages());
      expect(slack.threadOf(parent!.ts)).toEqual([expect.objectContaining({ text: expect.stringMatching(/could not be drawn: .*missing_scope \(needs files:write\)/) })]);
    });

    it('the OK whose graph fails still closes the thread', async () => {
      await notify(loadEvent('alarm-high-error-rate-alarm'));
      cloudWatch.on(GetMetricWidgetImageCommand).rejects(new Error('Throttling: Rate exceeded'));
      clock = later(START, 10 * 60_000);

      const { error } = await notify(loadEvent('alarm-high-error-rate-ok'));

      expect(error).toBeUndefined();
      expect((await state.threads.get(ERROR_RATE))?.closedAt).toBe(clock.toISOString());
    });
  });

  describe('Slack failing the message', () => {
    it.each([
      ['rate limited past what a delivery waits for', 'ratelimited', { retryAfter: 60 }, /Slack chat\.postMessage: .*ratelimited/],
      ['the channel not found', 'channel_not_found', {}, /^Slack chat\.postMessage: channel_not_found$/],
    ])('%s: the Slack outcome is failed with the reason, the invocation fails, nothing is recorded; the retry delivers once', async (_what, failure, options, reason) => {
      slack.failNext('chat.postMessage', failure, options);

      const { summary, error } = await notify(loadEvent('alarm-high-error-rate-alarm'));

      expect(error).toBeInstanceOf(InvocationFailedError);
      expect((error as InvocationFailedError).failures.map((f) => f.what)).toEqual([`slack for ${ERROR_RATE}`]);
      expect(summary?.outcomes).toContainEqual({ channel: 'slack', status: 'failed', detail: expect.stringMatching(reason) });
      expect(statuses(summary)).toEqual(['pagerduty:delivered', 'slack:failed', 'email:delivered']);
      expect(slack.messages()).toEqual([]);
      expect(await state.threads.get(ERROR_RATE)).toBeUndefined();

      // Lambda's retry of the same event, Slack answering again:
      const retried = await notify(loadEvent('alarm-high-error-rate-alarm'));

      expect(retried.error).toBeUndefined();
      expect(statuses(retried.summary)).toEqual(['pagerduty:already-delivered', 'slack:delivered', 'email:already-delivered']);
      expect(topLevel(slack.messages())).toHaveLength(1);
      expect((await state.threads.get(ERROR_RATE))?.ts).toBe(topLevel(slack.messages())[0]?.ts);
      expect(slack.uploads()).toHaveLength(1);
    });

    it('a rate limit Slack asks to wait a second for is waited out within the delivery: one parent', async () => {
      slack.failNext('chat.postMessage', 'ratelimited', { retryAfter: 1 });

      const { summary, error } = await notify(loadEvent('alarm-high-error-rate-alarm'));

      expect(error).toBeUndefined();
      expect(statuses(summary)).toEqual(['pagerduty:delivered', 'slack:delivered', 'email:delivered']);
      expect(slack.callsOf('chat.postMessage').map((c) => c.status)).toEqual([429, 200]);
      expect(topLevel(slack.messages())).toHaveLength(1);
    });

    it('an update of the parent failing on ALARM again fails the delivery, and the retry adds no second parent', async () => {
      await notify(loadEvent('alarm-high-error-rate-alarm'));
      slack.failNext('chat.update', 'channel_not_found');
      clock = later(START, 5 * 60_000);

      const first = await notify(again('alarm-high-error-rate-alarm', 'm-error-rate-alarm-again'));
      const retried = await notify(again('alarm-high-error-rate-alarm', 'm-error-rate-alarm-again'));

      expect(statuses(first.summary)).toContain('slack:failed');
      expect(statuses(retried.summary)).toContain('slack:delivered');
      expect(topLevel(slack.messages())).toHaveLength(1);
    });
  });

  describe('the mode', () => {
    it('without a bot token Slack is the webhook, as before: one post, no buttons, no Web API call, no thread, no graph', async () => {
      const { summary } = await notify(loadEvent('alarm-high-error-rate-alarm'), deps(appPolicy(), { SLACK_BOT_TOKEN: undefined, SLACK_WEBHOOK_URL: webhook.url('/services/T000/B000/XXXX') }));

      expect(statuses(summary)).toEqual(['pagerduty:delivered', 'slack:delivered', 'email:delivered']);
      expect(webhook.requests).toHaveLength(1);
      const [body] = webhook.jsonBodies<{ text: string; attachments: { blocks: KnownBlock[] }[] }>();
      expect(body?.text).toContain(`ALARM: ${ERROR_RATE}`);
      expect(body?.attachments[0]?.blocks.some((b) => b.type === 'actions')).toBe(false);
      expect(slack.calls).toEqual([]);
      expect(state.threads.threads.size).toBe(0);
      expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricWidgetImageCommand, 0);
    });

    it('without a bot token a policy with no slackApp is fine', () => {
      const config = loadConfig(env({ SLACK_BOT_TOKEN: undefined, SLACK_WEBHOOK_URL: webhook.url('/services/T000/B000/XXXX') }));

      expect(() => notifyDeps(config, policyWithoutSlackApp())).not.toThrow();
    });

    it('SLACK_BOT_TOKEN set but the policy has no notify.slackApp: a ConfigError at cold start (notifyDeps)', () => {
      const config = loadConfig(env());

      expect(() => notifyDeps(config, policyWithoutSlackApp())).toThrow(ConfigError);
      expect(() => notifyDeps(config, policyWithoutSlackApp())).toThrow(/SLACK_BOT_TOKEN is set, but the dev policy has no notify\.slackApp/);
    });

    it('SLACK_BOT_TOKEN_PARAM set but no notify.slackApp: the ConfigError names the parameter setting', () => {
      const config = loadConfig(env({ SLACK_BOT_TOKEN: undefined, SLACK_BOT_TOKEN_PARAM: '/firebreak/dev/slack-bot-token' }));

      expect(() => notifyDeps(config, policyWithoutSlackApp())).toThrow(/^SLACK_BOT_TOKEN_PARAM is set, but the dev policy has no notify\.slackApp/);
    });
  });
});
