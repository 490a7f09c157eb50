// notify's silences, maintenance windows and storm control end to end below the handler: fanOut (through notifyEvent) and
// notifyTick against real Slack and PagerDuty receivers on loopback, SNS mocked, notify's state in memory, the clock the test's.
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import type { AlarmState } from '../../../shared/alarm/model';
import { loadConfig } from '../../../shared/config';
import { InvocationFailedError } from '../../../shared/errors';
import { fanOutDeps, inMemoryNotifyState, slackAppDeps } from '../../../shared/notify/deps';
import { createNotifiers } from '../../../shared/notify/notifiers';
import { notifyEvent } from '../../../shared/notify/process-event';
import { groupThreadKey } from '../../../shared/notify/slack-app';
import { notifyTick, type TickDeps } from '../../../shared/notify/tick';
import { policyForStage } from '../../../shared/policy/load';
import type { MaintenanceWindow, Policy } from '../../../shared/policy/schema';
import type { Silence } from '../../../shared/silence/model';
import { loadAlarmMessage, loadEvent, snsEventWithMessage } from '../../support/events';
import { TestReceiver } from '../../support/receiver';
import { SlackApiDouble } from '../../support/slack-api';

const EMAIL_TOPIC = 'arn:aws:sns:us-east-1:123456789012:firebreak-dev-email';
const ROUTING_KEY = 'R0UT1NGKEY0000000000000000000000';
const PD_OK = { status: 202, body: '{"status":"success","message":"Event processed","dedup_key":"k"}' };
const quietLogger = { info: jest.fn(), warn: jest.fn(), error: jest.fn() } as unknown as Logger;

/** The high-error-rate sample changed state at 03:14:07.412Z; the clock starts a second later. */
const SAMPLE_CHANGED = '2026-11-21T03:14:07.412Z';
const SAMPLE_ARN = 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:RetailPrediction-HighErrorRate';
const START = new Date('2026-11-21T03:14:08.412Z');

const WAIT = 30_000;
const INTERVAL = 300_000;
const GROUP_ID = 'critical/service=RetailPrediction';
const GROUP_DEDUP_KEY = `firebreak:group:dev:${GROUP_ID}`;

type PagerDutyBody = { routing_key: string; event_action: string; dedup_key: string; payload?: { custom_details: { batch: number; changed: string[]; members: { alarm_name: string; state: string }[] } } };

/** A silence of every RetailPrediction alarm from 03:00Z to 05:00Z on the sample's day, added at 03:00Z. */
const silence = (overrides: Partial<Silence> = {}): Silence => ({
  id: 'sil-0000000001',
  alarms: ['RetailPrediction-*'],
  startsAt: '2026-11-21T03:00:00.000Z',
  endsAt: '2026-11-21T05:00:00.000Z',
  reason: 'migrating the feature store',
  createdBy: 'alice@example.com',
  createdAt: '2026-11-21T03:00:00.000Z',
  pauseRemediation: false,
  ...overrides,
});

/** The dev policy with its `critical` route grouped by service (an already-parsed policy: durations in ms). */
function groupedPolicy(): Policy {
  const policy = policyForStage('dev');
  const routes = policy.notify.routes.map((r) => (r.name === 'critical' ? { ...r, group: { by: ['service' as const], wait: WAIT, interval: INTERVAL } } : r));
  return { ...policy, notify: { ...policy.notify, routes } };
}

/** The dev policy with one maintenance window (2026-11-21 is a Saturday). */
function windowPolicy(window: Partial<MaintenanceWindow> = {}): Policy {
  const policy = policyForStage('dev');
  const nightly: MaintenanceWindow = { name: 'weekly-patching', schedule: '0 3 * * SAT', timeZone: 'UTC', duration: 2 * 3_600_000, alarms: ['RetailPrediction-*'], reason: 'node patching', pauseRemediation: false, ...window };
  return { ...policy, notify: { ...policy.notify, windows: [nightly] } };
}

/** CloudWatch's own time format: `2026-11-21T03:20:00.000+0000`. */
const cloudWatchTime = (at: Date) => at.toISOString().replace('Z', '+0000');

/**
 * An alarm like the high-error-rate sample, renamed, critical by its description (no dev severity rule
 * names it), in `state` since `changedAt`, in a new SNS message.
 */
function alarmEvent(name: string, state: AlarmState, changedAt: Date, messageId = `m-${name}-${state}-${changedAt.getTime()}`) {
  const message = {
    ...loadAlarmMessage('alarm-high-error-rate-alarm'),
    AlarmName: name,
    AlarmArn: `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${name}`,
    AlarmDescription: `p95 latency of shard ${name} above 200 ms. severity=critical`,
    NewStateValue: state,
    OldStateValue: state === 'OK' ? 'ALARM' : 'OK',
    NewStateReason: `${name} went ${state}`,
    StateChangeTime: cloudWatchTime(changedAt),
  };
  return snsEventWithMessage(message, messageId);
}

const shard = (n: number) => `RetailPrediction-Shard${String(n).padStart(2, '0')}-HighLatency`;
const later = (at: Date, ms: number) => new Date(at.getTime() + ms);

describe('notify: silences, windows and alarm groups against loopback receivers', () => {
  let slack: TestReceiver;
  let pagerduty: TestReceiver;
  /** Slack's Web API, for the tests that run notify as the Slack app. */
  let slackApi: SlackApiDouble;
  let appMode = false;
  const sns = mockClient(SNSClient);
  let clock: Date;
  let state: ReturnType<typeof inMemoryNotifyState>;

  beforeAll(async () => {
    slack = await TestReceiver.start({ status: 200, body: 'ok' });
    pagerduty = await TestReceiver.start(PD_OK);
    slackApi = await SlackApiDouble.start();
  });
  afterAll(async () => {
    await slackApi.close();
    await slack.close();
    await pagerduty.close();
  });
  beforeEach(() => {
    slack.reset({ status: 200, body: 'ok' });
    pagerduty.reset(PD_OK);
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'email-1' });
    clock = START;
    state = inMemoryNotifyState();
    slackApi.reset();
    appMode = false;
  });

  /** notify's dependencies over this test's state and clock, the receivers as Slack and PagerDuty. */
  const deps = (policy: Policy = policyForStage('dev')): TickDeps => {
    const config = loadConfig({
      STAGE: 'dev',
      DRY_RUN: 'false',
      SLACK_WEBHOOK_URL: slack.url('/services/T000/B000/XXXX'),
      PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
      PAGERDUTY_EVENTS_URL: pagerduty.url('/v2/enqueue'),
      EMAIL_TOPIC_ARN: EMAIL_TOPIC,
      STATE_TABLE: 'firebreak-dev-state',
      HTTP_TIMEOUT_MS: '500',
      ...(appMode ? { SLACK_BOT_TOKEN: SlackApiDouble.TOKEN, SLACK_API_URL: slackApi.url() } : {}),
    });
    return {
      ...fanOutDeps(config, policy, state, () => clock),
      notifiers: createNotifiers(
        config,
        { sns: new SNSClient({ region: 'us-east-1' }), retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 2_000 } },
        // A group's batch draws no graph: no CloudWatch call is expected of this client.
        slackAppDeps(config, policy, state, () => clock, new CloudWatchClient({ region: 'eu-west-1' })),
      ),
    };
  };

  const statuses = (result: Awaited<ReturnType<typeof notifyEvent>>) => result.messages.flatMap((m) => m.outcomes.map((o) => `${o.channel}:${o.status}`));

  describe('silences', () => {
    it('a silenced ALARM reaches nobody, and each channel it would have reached is recorded with the silence', async () => {
      await state.silences.add(silence());

      const result = await notifyEvent(loadEvent('alarm-high-error-rate-alarm'), deps(), quietLogger);

      expect(result.messages[0]?.outcomes).toEqual(
        ['pagerduty', 'slack', 'email'].map((channel) =>
          expect.objectContaining({ channel, status: 'withheld', heldBy: 'sil-0000000001', detail: 'held by silence sil-0000000001 (migrating the feature store, by alice@example.com, until 2026-11-21T05:00:00.000Z)' }),
        ),
      );
      expect(slack.requests).toHaveLength(0);
      expect(pagerduty.requests).toHaveLength(0);
      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
      const messageId = loadEvent('alarm-high-error-rate-alarm').Records[0]!.Sns.MessageId;
      expect(state.silences.held).toEqual(
        ['pagerduty', 'slack', 'email'].map((channel) => ({
          holdId: 'sil-0000000001',
          at: SAMPLE_CHANGED,
          messageId,
          alarm: 'RetailPrediction-HighErrorRate',
          state: 'ALARM',
          severity: 'critical',
          channel,
          routes: ['critical'],
        })),
      );
      expect(state.pages.open.size).toBe(0);
    });

    it('the same withheld message again is recorded once per channel', async () => {
      await state.silences.add(silence());

      await notifyEvent(loadEvent('alarm-high-error-rate-alarm'), deps(), quietLogger);
      await notifyEvent(loadEvent('alarm-high-error-rate-alarm'), deps(), quietLogger);

      expect(await state.silences.heldBy('sil-0000000001')).toHaveLength(3);
    });

    it('a silence of other alarms, or of another severity, holds nothing', async () => {
      await state.silences.add(silence({ id: 'sil-checkout00', alarms: ['Checkout-*'] }));
      await state.silences.add(silence({ id: 'sil-warnings0', severities: ['warning'] }));

      const result = await notifyEvent(loadEvent('alarm-high-error-rate-alarm'), deps(), quietLogger);

      expect(statuses(result)).toEqual(['pagerduty:delivered', 'slack:delivered', 'email:delivered']);
      expect(state.silences.held).toEqual([]);
    });

    it('ALARM delivered (page opened), then a silence, then OK: the PagerDuty resolve goes out, Slack and email are withheld', async () => {
      const alarm = await notifyEvent(loadEvent('alarm-high-error-rate-alarm'), deps(), quietLogger);
      expect(statuses(alarm)).toEqual(['pagerduty:delivered', 'slack:delivered', 'email:delivered']);
      expect([...state.pages.open]).toEqual([SAMPLE_ARN]);

      clock = later(START, 60_000);
      await state.silences.add(silence({ createdAt: clock.toISOString() }));
      const ok = await notifyEvent(loadEvent('alarm-high-error-rate-ok'), deps(), quietLogger);

      expect(statuses(ok)).toEqual(['pagerduty:delivered', 'slack:withheld', 'email:withheld']);
      const [trigger, resolve] = pagerduty.jsonBodies<PagerDutyBody>();
      expect(trigger?.event_action).toBe('trigger');
      expect(resolve).toEqual({ routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: SAMPLE_ARN });
      expect(slack.requests).toHaveLength(1);
      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
      expect(state.silences.held.map((h) => `${h.channel}:${h.state}`)).toEqual(['slack:OK', 'email:OK']);
      expect(state.pages.open.size).toBe(0);
    });

    it('a silence first, ALARM withheld, then OK: no resolve is sent for a page that never went out', async () => {
      await state.silences.add(silence());

      await notifyEvent(loadEvent('alarm-high-error-rate-alarm'), deps(), quietLogger);
      clock = later(START, 5 * 60_000);
      const ok = await notifyEvent(loadEvent('alarm-high-error-rate-ok'), deps(), quietLogger);

      expect(statuses(ok)).toEqual(['pagerduty:withheld', 'slack:withheld', 'email:withheld']);
      expect(pagerduty.requests).toHaveLength(0);
      expect(slack.requests).toHaveLength(0);
      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
      expect(state.silences.held.map((h) => `${h.channel}:${h.state}`)).toEqual(['pagerduty:ALARM', 'slack:ALARM', 'email:ALARM', 'pagerduty:OK', 'slack:OK', 'email:OK']);
    });

    it('once the silence is expired, the next alarm is delivered', async () => {
      await state.silences.add(silence());
      const held = await notifyEvent(alarmEvent('RetailPrediction-HighErrorRate', 'ALARM', later(START, -1_000)), deps(), quietLogger);
      expect(statuses(held)).toEqual(['pagerduty:withheld', 'slack:withheld', 'email:withheld']);

      clock = later(START, 10 * 60_000);
      await state.silences.expire('sil-0000000001', 'bob@example.com', clock);
      clock = later(clock, 1_000);
      const next = await notifyEvent(alarmEvent('RetailPrediction-HighErrorRate', 'ALARM', later(clock, -500)), deps(), quietLogger);

      expect(statuses(next)).toEqual(['pagerduty:delivered', 'slack:delivered', 'email:delivered']);
      expect(pagerduty.requests).toHaveLength(1);
      expect(slack.requests).toHaveLength(1);
    });

    it('once the silence has ended by itself, the next alarm is delivered', async () => {
      await state.silences.add(silence());

      clock = new Date('2026-11-21T05:00:00.000Z');
      const next = await notifyEvent(alarmEvent('RetailPrediction-HighErrorRate', 'ALARM', later(clock, -500)), deps(), quietLogger);

      expect(statuses(next)).toEqual(['pagerduty:delivered', 'slack:delivered', 'email:delivered']);
    });

    it('silences that cannot be read hold nothing: loud beats lost', async () => {
      const blind = { ...deps(), quiet: { holdsOn: async () => Promise.reject(new Error('AccessDeniedException')) } };

      const result = await notifyEvent(loadEvent('alarm-high-error-rate-alarm'), blind, quietLogger);

      expect(statuses(result)).toEqual(['pagerduty:delivered', 'slack:delivered', 'email:delivered']);
    });

    it('an open maintenance window withholds like a silence, recorded as window:<name>', async () => {
      const result = await notifyEvent(loadEvent('alarm-high-error-rate-alarm'), deps(windowPolicy()), quietLogger);

      expect(result.messages[0]?.outcomes.map((o) => `${o.channel}:${o.status}:${o.heldBy}`)).toEqual([
        'pagerduty:withheld:window:weekly-patching',
        'slack:withheld:window:weekly-patching',
        'email:withheld:window:weekly-patching',
      ]);
      expect(result.messages[0]?.outcomes[0]?.detail).toBe('held by maintenance window weekly-patching (node patching, by policy, until 2026-11-21T05:00:00.000Z)');
      expect(state.silences.held.map((h) => h.holdId)).toEqual(['window:weekly-patching', 'window:weekly-patching', 'window:weekly-patching']);
      expect(slack.requests).toHaveLength(0);
      expect(pagerduty.requests).toHaveLength(0);
    });
  });

  describe('announcements', () => {
    it('a silence is announced added, ending and ended, each once, the end with what it held back', async () => {
      await state.silences.add(silence());
      clock = new Date('2026-11-21T03:00:30.000Z');

      const added = await notifyTick(deps());
      expect(added.announcements).toEqual([{ id: 'announce#sil-0000000001#added', kind: 'silence-added', status: 'delivered' }]);
      expect(slack.jsonBodies<{ text: string }>()[0]?.text).toMatch(/^:mute: Silence sil-0000000001 added by alice@example\.com: `RetailPrediction-\*`/);

      clock = new Date('2026-11-21T03:01:30.000Z');
      const again = await notifyTick(deps());
      expect(again.announcements.map((a) => a.status)).toEqual(['already-delivered']);
      expect(slack.requests).toHaveLength(1);

      await notifyEvent(loadEvent('alarm-high-error-rate-alarm'), deps(), quietLogger);
      expect(slack.requests).toHaveLength(1);

      clock = new Date('2026-11-21T04:45:00.000Z');
      const ending = await notifyTick(deps());
      expect(ending.announcements.map((a) => `${a.kind}:${a.status}`)).toEqual(['silence-ending:delivered']);

      clock = new Date('2026-11-21T05:00:00.000Z');
      const ended = await notifyTick(deps());
      expect(ended.announcements.map((a) => `${a.kind}:${a.status}`)).toEqual(['silence-ended:delivered']);
      await notifyTick(deps());

      const texts = slack.jsonBodies<{ text: string }>().map((b) => b.text);
      expect(texts).toHaveLength(3);
      expect(texts[1]).toMatch(/^:hourglass_flowing_sand: Silence sil-0000000001 .* in 15m/);
      expect(texts[2]).toBe(
        ':loud_sound: Silence sil-0000000001 (migrating the feature store) ended at 2026-11-21T05:00:00.000Z: `RetailPrediction-*` notify again. It held back 3 notifications (pagerduty 1, slack 1, email 1).',
      );
    });

    it('a maintenance window is announced when it opens and when it closes, once each', async () => {
      clock = new Date('2026-11-21T03:00:10.000Z');
      await notifyTick(deps(windowPolicy()));
      clock = new Date('2026-11-21T03:01:10.000Z');
      await notifyTick(deps(windowPolicy()));
      clock = new Date('2026-11-21T05:00:10.000Z');
      await notifyTick(deps(windowPolicy()));

      const texts = slack.jsonBodies<{ text: string }>().map((b) => b.text);
      expect(texts).toEqual([
        expect.stringMatching(/^:construction: Maintenance window weekly-patching is open until 2026-11-21T05:00:00\.000Z \(2h\)/),
        ':white_check_mark: Maintenance window weekly-patching closed at 2026-11-21T05:00:00.000Z: `RetailPrediction-*` notify again. It held nothing back.',
      ]);
    });
  });

  describe('alarm groups (storm control)', () => {
    const T0 = new Date('2026-11-21T03:20:00.000Z');

    /** `count` alarms of the grouped route, one every 500 ms from `from`, each in a new message. */
    async function storm(count: number, from: Date, alarmState: AlarmState = 'ALARM', first = 1) {
      const outcomes: string[] = [];
      for (let i = 0; i < count; i++) {
        clock = later(from, i * 500);
        const result = await notifyEvent(alarmEvent(shard(first + i), alarmState, later(clock, -100)), deps(groupedPolicy()), quietLogger);
        outcomes.push(...statuses(result));
      }
      return outcomes;
    }

    /** 20 alarms within 10 s, then the tick after `wait` that delivers their first batch. */
    async function firstBatch() {
      await storm(20, T0);
      clock = later(T0, WAIT);
      return notifyTick(deps(groupedPolicy()));
    }

    it('20 alarms within 10 s join one group: nothing goes out at once, nor on a tick before `wait`', async () => {
      const outcomes = await storm(20, T0);

      expect(outcomes).toHaveLength(60);
      expect(new Set(outcomes)).toEqual(new Set(['pagerduty:grouped', 'slack:grouped', 'email:grouped']));
      expect(slack.requests).toHaveLength(0);
      expect(pagerduty.requests).toHaveLength(0);
      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
      const [head] = await state.groups.heads();
      expect(head).toMatchObject({ identity: { id: GROUP_ID }, dueAt: T0.getTime() + WAIT, batches: 0 });
      expect(await state.groups.members(GROUP_ID)).toHaveLength(20);

      clock = later(T0, WAIT - 1);
      const early = await notifyTick(deps(groupedPolicy()));

      expect(early.batches).toEqual([]);
      expect(slack.requests).toHaveLength(0);
      expect(pagerduty.requests).toHaveLength(0);
    });

    it('the tick after `wait` delivers one Slack message, one PagerDuty trigger with all 20 members and one email', async () => {
      const result = await firstBatch();

      expect(result.batches).toEqual([
        expect.objectContaining({
          group: GROUP_ID,
          status: 'delivered',
          batch: 1,
          channels: [
            { channel: 'pagerduty', status: 'delivered' },
            { channel: 'slack', status: 'delivered' },
            { channel: 'email', status: 'delivered' },
          ],
        }),
      ]);
      expect(slack.requests).toHaveLength(1);
      expect(slack.jsonBodies<{ text: string }>()[0]?.text).toContain('20 alarms firing');
      const events = pagerduty.jsonBodies<PagerDutyBody>();
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ routing_key: ROUTING_KEY, event_action: 'trigger', dedup_key: GROUP_DEDUP_KEY });
      expect(events[0]?.payload?.custom_details.members).toHaveLength(20);
      expect(new Set(events[0]?.payload?.custom_details.members.map((m) => m.alarm_name))).toEqual(new Set(Array.from({ length: 20 }, (_, i) => shard(i + 1))));
      expect(events[0]?.payload?.custom_details.changed).toHaveLength(20);
      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
      expect([...state.pages.open]).toEqual([GROUP_DEDUP_KEY]);
      expect(await state.groups.head(GROUP_ID)).toMatchObject({ batches: 1, dueAt: undefined, lastBatchAt: T0.getTime() + WAIT });

      // Nothing more is due.
      const again = await notifyTick(deps(groupedPolicy()));
      expect(again.batches).toEqual([]);
      expect(slack.requests).toHaveLength(1);
      expect(pagerduty.requests).toHaveLength(1);
    });

    it('a 21st alarm later goes out in the next batch only one `interval` after the first', async () => {
      await firstBatch();
      const firstAt = T0.getTime() + WAIT;

      clock = later(T0, 60_000);
      const [joined] = (await notifyEvent(alarmEvent(shard(21), 'ALARM', later(clock, -100)), deps(groupedPolicy()), quietLogger)).messages[0]!.outcomes;
      expect(joined).toMatchObject({ status: 'grouped', detail: `joined group ${GROUP_ID}; batch due at ${new Date(firstAt + INTERVAL).toISOString()}` });

      clock = new Date(firstAt + INTERVAL - 1);
      expect((await notifyTick(deps(groupedPolicy()))).batches).toEqual([]);
      expect(slack.requests).toHaveLength(1);

      clock = new Date(firstAt + INTERVAL);
      const second = await notifyTick(deps(groupedPolicy()));

      expect(second.batches.map((b) => `${b.status}:${b.batch}`)).toEqual(['delivered:2']);
      expect(slack.requests).toHaveLength(2);
      const events = pagerduty.jsonBodies<PagerDutyBody>();
      expect(events.map((e) => `${e.event_action}:${e.dedup_key}`)).toEqual([`trigger:${GROUP_DEDUP_KEY}`, `trigger:${GROUP_DEDUP_KEY}`]);
      expect(events[1]?.payload?.custom_details).toMatchObject({ batch: 2, changed: [shard(21)] });
      expect(events[1]?.payload?.custom_details.members).toHaveLength(21);
      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
    });

    it('every member OK: the group batch resolves the page', async () => {
      await firstBatch();
      const firstAt = T0.getTime() + WAIT;

      const oks = await storm(20, later(T0, 120_000), 'OK');
      expect(new Set(oks)).toEqual(new Set(['pagerduty:grouped', 'slack:grouped', 'email:grouped']));
      clock = new Date(firstAt + INTERVAL);
      const result = await notifyTick(deps(groupedPolicy()));

      expect(result.batches.map((b) => `${b.status}:${b.batch}`)).toEqual(['delivered:2']);
      const events = pagerduty.jsonBodies<PagerDutyBody>();
      expect(events.at(-1)).toEqual({ routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: GROUP_DEDUP_KEY });
      expect(slack.jsonBodies<{ text: string }>().at(-1)?.text).toContain('all 20 alarms OK');
      expect(state.pages.open.size).toBe(0);
      expect(await state.groups.head(GROUP_ID)).toMatchObject({ resolved: true, dueAt: undefined, batches: 2 });
    });

    describe('with notify as the Slack app', () => {
      beforeEach(() => {
        appMode = true;
      });

      it("the first batch opens the group's thread in the route's channel; the next is a reply that updates the parent; the all-OK batch replies, updates it and closes the thread; the next storm opens a new one", async () => {
        await firstBatch();
        const firstAt = T0.getTime() + WAIT;
        const [parent, ...others] = slackApi.messages();
        expect(others).toEqual([]);
        expect(parent).toMatchObject({ channel: 'C0FIREBRK', thread_ts: undefined, text: expect.stringContaining('20 alarms firing') });
        expect(await state.threads.get(groupThreadKey(GROUP_ID))).toMatchObject({ channel: 'C0FIREBRK', ts: parent!.ts });
        expect(slack.requests).toHaveLength(0);

        clock = later(T0, 60_000);
        await notifyEvent(alarmEvent(shard(21), 'ALARM', later(clock, -100)), deps(groupedPolicy()), quietLogger);
        clock = new Date(firstAt + INTERVAL);
        await notifyTick(deps(groupedPolicy()));
        expect(slackApi.messages().map((m) => m.thread_ts)).toEqual([undefined, parent!.ts]);
        expect(slackApi.message('C0FIREBRK', parent!.ts)?.text).toContain('21 alarms firing');

        await storm(21, later(T0, 400_000), 'OK');
        clock = new Date(firstAt + 2 * INTERVAL);
        await notifyTick(deps(groupedPolicy()));
        expect(slackApi.messages().map((m) => m.thread_ts)).toEqual([undefined, parent!.ts, parent!.ts]);
        expect(slackApi.message('C0FIREBRK', parent!.ts)?.text).toContain('all 21 alarms OK');
        expect((await state.threads.get(groupThreadKey(GROUP_ID)))?.closedAt).toBeDefined();

        await storm(2, later(T0, 900_000));
        clock = later(T0, 900_000 + WAIT);
        await notifyTick(deps(groupedPolicy()));
        const fresh = slackApi.messages().at(-1);
        expect(fresh).toMatchObject({ thread_ts: undefined, text: expect.stringContaining('firing') });
        expect(fresh!.ts).not.toBe(parent!.ts);
        const reopened = await state.threads.get(groupThreadKey(GROUP_ID));
        expect(reopened?.ts).toBe(fresh!.ts);
        expect(reopened?.closedAt).toBeUndefined();
      });
    });

    it('a group whose page never went out is not resolved: its all-OK batch reaches Slack and email, not PagerDuty', async () => {
      await storm(3, T0, 'OK');
      clock = later(T0, WAIT);

      const result = await notifyTick(deps(groupedPolicy()));

      expect(result.batches[0]?.channels).toEqual([
        { channel: 'slack', status: 'delivered' },
        { channel: 'email', status: 'delivered' },
        { channel: 'pagerduty', status: 'withheld', detail: 'no open page for the group' },
      ]);
      expect(pagerduty.requests).toHaveLength(0);
      expect(slack.requests).toHaveLength(1);
    });

    it('a tick run twice on the same due batch (its bookkeeping failed the first time) delivers it once', async () => {
      await storm(20, T0);
      clock = later(T0, WAIT);
      const finishBatch = state.groups.finishBatch.bind(state.groups);
      state.groups.finishBatch = jest.fn().mockRejectedValueOnce(new Error('ProvisionedThroughputExceededException')).mockImplementation(finishBatch);

      const error = await notifyTick(deps(groupedPolicy())).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvocationFailedError);
      expect((error as InvocationFailedError).failures.map((f) => f.what)).toEqual([`group ${GROUP_ID}`]);
      expect((await state.groups.head(GROUP_ID))?.dueAt).toBe(T0.getTime() + WAIT);

      const retried = await notifyTick(deps(groupedPolicy()));

      expect(retried.batches[0]).toMatchObject({ status: 'delivered', batch: 1 });
      expect(retried.batches[0]?.channels?.map((c) => c.status)).toEqual(['already-delivered', 'already-delivered', 'already-delivered']);
      expect(slack.requests).toHaveLength(1);
      expect(pagerduty.requests).toHaveLength(1);
      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
      expect((await notifyTick(deps(groupedPolicy()))).batches).toEqual([]);
    });

    it('PagerDuty failing (500): the tick throws InvocationFailedError, the group stays due; the next tick sends PagerDuty, not Slack again', async () => {
      await storm(20, T0);
      clock = later(T0, WAIT);
      pagerduty.setFallback({ status: 500, body: '{"status":"error"}' });

      const error = await notifyTick(deps(groupedPolicy())).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(InvocationFailedError);
      expect((error as InvocationFailedError).failures.map((f) => f.what)).toEqual([`group ${GROUP_ID}`]);
      expect((error as Error).message).toContain('pagerduty');
      expect(slack.requests).toHaveLength(1);
      expect(pagerduty.requests.length).toBeGreaterThanOrEqual(1);
      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
      expect(state.pages.open.size).toBe(0);
      expect(await state.groups.head(GROUP_ID)).toMatchObject({ dueAt: T0.getTime() + WAIT, batches: 0 });

      pagerduty.reset(PD_OK);
      clock = later(clock, 60_000);
      const retried = await notifyTick(deps(groupedPolicy()));

      expect(retried.batches[0]).toMatchObject({ status: 'delivered', batch: 1 });
      expect(retried.batches[0]?.channels).toEqual([
        { channel: 'pagerduty', status: 'delivered' },
        { channel: 'slack', status: 'already-delivered' },
        { channel: 'email', status: 'already-delivered' },
      ]);
      expect(slack.requests).toHaveLength(1);
      expect(pagerduty.jsonBodies<PagerDutyBody>()).toEqual([expect.objectContaining({ event_action: 'trigger', dedup_key: GROUP_DEDUP_KEY })]);
      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
      expect([...state.pages.open]).toEqual([GROUP_DEDUP_KEY]);
    });

    it('a member that joins while a partly failed batch waits for its retry still reaches Slack and email', async () => {
      await storm(20, T0);
      clock = later(T0, WAIT);
      pagerduty.setFallback({ status: 500, body: '{"status":"error"}' });
      await expect(notifyTick(deps(groupedPolicy()))).rejects.toBeInstanceOf(InvocationFailedError);
      expect(slack.requests).toHaveLength(1);

      // The 21st alarm arrives before the retry; the batch is still due, so it joins that batch.
      clock = later(T0, WAIT + 20_000);
      await notifyEvent(alarmEvent(shard(21), 'ALARM', later(clock, -100)), deps(groupedPolicy()), quietLogger);
      pagerduty.reset(PD_OK);
      clock = later(T0, WAIT + 60_000);
      await notifyTick(deps(groupedPolicy()));
      // Whatever batch carries it, by two intervals later it has been told to every channel of the route.
      clock = later(T0, WAIT + 2 * INTERVAL);
      await notifyTick(deps(groupedPolicy()));

      // Slack lists the first 20 changed alarms and counts the rest; the email details every one.
      expect(pagerduty.jsonBodies<PagerDutyBody>().some((e) => e.payload?.custom_details.changed.includes(shard(21)))).toBe(true);
      expect(slack.jsonBodies<{ text: string }>().some((b) => b.text.includes('21 alarms firing'))).toBe(true);
      expect(sns.commandCalls(PublishCommand).some((c) => String(c.args[0].input.Message).includes(shard(21)))).toBe(true);
    });

    it('a silenced ALARM on a grouped route joins no group', async () => {
      await state.silences.add(silence());

      const outcomes = await storm(3, T0);

      expect(new Set(outcomes)).toEqual(new Set(['pagerduty:withheld', 'slack:withheld', 'email:withheld']));
      expect(await state.groups.heads()).toEqual([]);
      expect(state.silences.held).toHaveLength(9);
    });

    it('a group whose page went out is resolved under a silence: the members\' OKs still join it', async () => {
      await firstBatch();
      await state.silences.add(silence({ createdAt: later(T0, 60_000).toISOString() }));

      const oks = await storm(20, later(T0, 120_000), 'OK');
      expect(new Set(oks)).toEqual(new Set(['pagerduty:grouped', 'slack:grouped', 'email:grouped']));
      clock = new Date(T0.getTime() + WAIT + INTERVAL);
      await notifyTick(deps(groupedPolicy()));

      expect(pagerduty.jsonBodies<PagerDutyBody>().map((e) => e.event_action)).toEqual(['trigger', 'resolve']);
      expect(state.pages.open.size).toBe(0);
    });

    it('a silence added after members joined still holds them: the tick sends nothing, records each withheld channel, and counts no batch', async () => {
      await storm(3, T0);
      await state.silences.add(silence({ id: 'sil-0000000009', startsAt: later(T0, 5_000).toISOString(), createdAt: later(T0, 5_000).toISOString() }));
      clock = later(T0, WAIT);

      const result = await notifyTick(deps(groupedPolicy()));

      expect(result.batches).toEqual([expect.objectContaining({ group: GROUP_ID, status: 'nothing-new', detail: '3 change(s) withheld by a silence or window' })]);
      expect(pagerduty.requests).toHaveLength(0);
      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
      // Slack hears only of the silence itself.
      expect(slack.jsonBodies<{ text: string }>().map((b) => b.text)).toEqual([expect.stringMatching(/^:mute: Silence sil-0000000009 added/)]);
      const held = await state.silences.heldBy('sil-0000000009');
      expect(held.map((h) => `${h.alarm}:${h.channel}`).sort()).toEqual([1, 2, 3].flatMap((n) => ['email', 'pagerduty', 'slack'].map((c) => `${shard(n)}:${c}`)).sort());
      expect(await state.groups.head(GROUP_ID)).toMatchObject({ batches: 0, dueAt: undefined });
      expect((await state.groups.members(GROUP_ID)).every((m) => !m.pending)).toBe(true);
    });

    it('a due batch with nothing new (a repeated message) counts no batch, so the next change is not held back an extra interval', async () => {
      await firstBatch();
      const afterFirst = await state.groups.head(GROUP_ID);
      // The same state of shard 1 again, a new message: nothing changes, yet the group is due.
      clock = later(T0, WAIT + 10_000);
      await notifyEvent(alarmEvent(shard(1), 'ALARM', later(T0, -100), 'repeat-1'), deps(groupedPolicy()), quietLogger);
      clock = later(T0, WAIT + INTERVAL);
      const idle = await notifyTick(deps(groupedPolicy()));

      expect(idle.batches).toEqual([expect.objectContaining({ status: 'nothing-new' })]);
      expect(await state.groups.head(GROUP_ID)).toMatchObject({ batches: 1, lastBatchAt: afterFirst?.lastBatchAt, dueAt: undefined });
    });
  });
});
