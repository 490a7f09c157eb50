// Unit tests: an allowed click performed — PagerDuty's acknowledge or a silence of the alarm — and told in its thread; a failure told and thrown.
import type { SlackAppMessage, SlackInteractionReply } from '../../../shared/channels/slack-app';
import { DeliveryError } from '../../../shared/errors';
import type { PagerDutyEvent } from '../../../shared/notify/format/pagerduty';
import { silenceCovers } from '../../../shared/silence/match';
import { InMemorySilenceStore } from '../../../shared/silence/store';
import type { ApprovedClick, ClickAudit } from '../../../shared/slack/interaction';
import { performClick, type PerformDeps } from '../../../shared/slack/perform';

const ALARM = 'RetailPrediction-HighErrorRate';
const DEDUP_KEY = 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:RetailPrediction-HighErrorRate';
const AT = '2026-12-04T04:01:00.000Z';
/** The second invocation performs the click a little after the request was answered. */
const DONE_AT = '2026-12-04T04:01:01.250Z';
const CHANNEL = 'C0FIREBRK';
const PARENT_TS = '1764820800.000100';
const RESPONSE_URL = 'https://hooks.slack.com/actions/T0FIREBRK/1234567890/abcdefABCDEF';
const SILENCE_ID = 'sil-0000000042';

const acknowledge = (overrides: Partial<ApprovedClick> = {}): ApprovedClick => ({
  source: 'firebreak.slack-action',
  action: { kind: 'acknowledge', alarm: ALARM, dedupKey: DEDUP_KEY },
  user: { id: 'U0ONCALL2' },
  channel: CHANNEL,
  threadTs: PARENT_TS,
  responseUrl: RESPONSE_URL,
  at: AT,
  ...overrides,
});
const silence = (hours: number, overrides: Partial<ApprovedClick> = {}): ApprovedClick => acknowledge({ action: { kind: 'silence', alarm: ALARM, hours }, user: { id: 'U0PLATFRM' }, ...overrides });

interface Harness {
  readonly deps: PerformDeps;
  readonly pages: PagerDutyEvent[];
  readonly silences: InMemorySilenceStore;
  readonly posts: { channel: string; message: SlackAppMessage; threadTs?: string }[];
  readonly replies: { url: string; reply: SlackInteractionReply }[];
  readonly audited: ClickAudit[];
}

/** performClick's dependencies, recording what each was asked; `pagerduty` fails with `pagerDutyFailure` when given. */
function harness(options: { pagerDutyFailure?: Error; newId?: () => string } = {}): Harness {
  const pages: PagerDutyEvent[] = [];
  const silences = new InMemorySilenceStore();
  const posts: Harness['posts'] = [];
  const replies: Harness['replies'] = [];
  const audited: ClickAudit[] = [];
  const deps: PerformDeps = {
    pagerduty: {
      send: async (event) => {
        pages.push(event);
        if (options.pagerDutyFailure) throw options.pagerDutyFailure;
      },
    },
    silences,
    slack: {
      post: async (channel, message, threadTs) => {
        posts.push({ channel, message, threadTs });
        return { channel, ts: '1764820861.000200' };
      },
      respond: async (url, reply) => {
        replies.push({ url, reply });
      },
    },
    audit: async (entry) => {
      audited.push(entry);
    },
    newId: options.newId ?? (() => SILENCE_ID),
    now: () => new Date(DONE_AT),
  };
  return { deps, pages, silences, posts, replies, audited };
}

describe('performClick: acknowledge', () => {
  it("sends PagerDuty's acknowledge for the alarm's dedup_key, and nothing else", async () => {
    const h = harness();

    await performClick(acknowledge(), h.deps);

    expect(h.pages).toEqual([{ event_action: 'acknowledge', dedup_key: DEDUP_KEY }]);
    expect(h.silences.silences.size).toBe(0);
  });

  it('tells the thread who acknowledged what, and returns it as done', async () => {
    const h = harness();

    const performed = await performClick(acknowledge(), h.deps);

    const text = `<@U0ONCALL2> acknowledged the page for ${ALARM}.`;
    expect(performed).toEqual({ outcome: 'done', text });
    expect(h.posts).toEqual([{ channel: CHANNEL, message: { text }, threadTs: PARENT_TS }]);
    expect(h.replies).toEqual([]);
  });

  it('is audited as done, by the Slack user', async () => {
    const h = harness();

    await performClick(acknowledge(), h.deps);

    expect(h.audited).toEqual([{ at: DONE_AT, user: 'U0ONCALL2', action: 'acknowledge', alarm: ALARM, outcome: 'done', reason: undefined }]);
  });

  it('with no thread to reply in, the reply goes in the channel through the response_url', async () => {
    const h = harness();

    await performClick(acknowledge({ channel: undefined, threadTs: undefined }), h.deps);

    expect(h.posts).toEqual([]);
    expect(h.replies).toEqual([{ url: RESPONSE_URL, reply: { response_type: 'in_channel', replace_original: false, text: `<@U0ONCALL2> acknowledged the page for ${ALARM}.` } }]);
  });
});

describe('performClick: silence', () => {
  it.each([1, 4])('Silence %i h adds exactly one silence: the alarm by its name, from the click for the hours, by slack:<user id>', async (hours) => {
    const h = harness();

    await performClick(silence(hours), h.deps);

    expect(await h.silences.list()).toEqual([
      {
        id: SILENCE_ID,
        alarms: [ALARM],
        startsAt: AT,
        endsAt: new Date(Date.parse(AT) + hours * 3_600_000).toISOString(),
        reason: 'silenced from Slack by U0PLATFRM',
        createdBy: 'slack:U0PLATFRM',
        createdAt: AT,
        pauseRemediation: false,
      },
    ]);
    expect(h.pages).toEqual([]);
  });

  it("a user's name, when Slack sent one, is kept beside the id", async () => {
    const h = harness();

    await performClick(silence(1, { user: { id: 'U0PLATFRM', name: 'alice' } }), h.deps);

    expect((await h.silences.list())[0]).toMatchObject({ createdBy: 'slack:U0PLATFRM (alice)', reason: 'silenced from Slack by alice' });
  });

  it('the silence covers the alarm it was clicked on, and only it, until the hours are up', async () => {
    const h = harness();

    await performClick(silence(1), h.deps);

    const [added] = await h.silences.list();
    const at = (ms: number) => new Date(Date.parse(AT) + ms);
    expect(silenceCovers(added!, { alarmName: ALARM, severity: 'critical' }, at(59 * 60_000))).toBe(true);
    expect(silenceCovers(added!, { alarmName: `${ALARM}-Other`, severity: 'critical' }, at(60_000))).toBe(false);
    expect(silenceCovers(added!, { alarmName: ALARM, severity: 'critical' }, at(3_600_000 + 1))).toBe(false);
  });

  it('is recorded in the silence audit trail as any silence is', async () => {
    const h = harness();

    await performClick(silence(4), h.deps);

    expect(h.silences.audit).toEqual([expect.objectContaining({ change: 'added', at: AT, by: 'slack:U0PLATFRM', silence: expect.objectContaining({ id: SILENCE_ID }) })]);
  });

  it('tells the thread who silenced what, for how long and until when, and is audited as done', async () => {
    const h = harness();

    const performed = await performClick(silence(4), h.deps);

    const text = `<@U0PLATFRM> silenced ${ALARM} for 4 h (silence ${SILENCE_ID}, until 2026-12-04T08:01:00.000Z). Remediation goes on.`;
    expect(performed).toEqual({ outcome: 'done', text });
    expect(h.posts).toEqual([{ channel: CHANNEL, message: { text }, threadTs: PARENT_TS }]);
    expect(h.audited).toEqual([expect.objectContaining({ user: 'U0PLATFRM', action: 'silence', alarm: ALARM, outcome: 'done' })]);
  });

  it('each click its own silence id (the default id source)', async () => {
    const h = harness({ newId: undefined });
    const { newId: _n, ...deps } = h.deps;

    await performClick(silence(1), deps);
    await performClick(silence(1, { at: '2026-12-04T04:02:00.000Z' }), deps);

    const ids = (await h.silences.list()).map((s) => s.id);
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(id).toMatch(/^sil-[0-9a-z]{10}$/);
  });
});

describe('performClick: a failure', () => {
  const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e);

  it('PagerDuty refusing the acknowledge: the thread is told it failed, the audit says failed, and the error is thrown', async () => {
    const failure = new DeliveryError('PagerDuty: HTTP 503: Service Unavailable', { retryable: true, status: 503 });
    const h = harness({ pagerDutyFailure: failure });

    const error = await rejection(performClick(acknowledge(), h.deps));

    expect(error).toBe(failure);
    expect(h.posts).toEqual([
      { channel: CHANNEL, message: { text: `<@U0ONCALL2> asked to acknowledge ${ALARM}, and it failed: PagerDuty: HTTP 503: Service Unavailable. It will be tried again.` }, threadTs: PARENT_TS },
    ]);
    expect(h.audited).toEqual([{ at: DONE_AT, user: 'U0ONCALL2', action: 'acknowledge', alarm: ALARM, outcome: 'failed', reason: 'PagerDuty: HTTP 503: Service Unavailable' }]);
  });

  it('the silence store refusing: told, audited as failed, thrown, and no silence is left behind', async () => {
    const h = harness();
    const failure = new Error('could not add the silence: STATE_TABLE is unreachable');
    const deps: PerformDeps = { ...h.deps, silences: { add: async () => Promise.reject(failure) } };

    const error = await rejection(performClick(silence(1), deps));

    expect(error).toBe(failure);
    expect(h.posts[0]?.message.text).toBe(`<@U0PLATFRM> asked to silence ${ALARM}, and it failed: could not add the silence: STATE_TABLE is unreachable. It will be tried again.`);
    expect(h.audited).toEqual([expect.objectContaining({ action: 'silence', outcome: 'failed', reason: 'could not add the silence: STATE_TABLE is unreachable' })]);
    expect(h.silences.silences.size).toBe(0);
  });

  it('a failure with no thread is told through the response_url, and still thrown', async () => {
    const failure = new DeliveryError('PagerDuty: HTTP 400: Invalid routing key', { retryable: false, status: 400 });
    const h = harness({ pagerDutyFailure: failure });

    await expect(performClick(acknowledge({ channel: undefined, threadTs: undefined }), h.deps)).rejects.toBe(failure);

    expect(h.replies).toEqual([{ url: RESPONSE_URL, reply: expect.objectContaining({ response_type: 'in_channel', text: expect.stringContaining('and it failed: PagerDuty: HTTP 400: Invalid routing key') }) }]);
  });
});
