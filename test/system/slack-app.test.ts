// System: the Slack app's buttons — a click Slack signs reaches slackActions through its Function URL, is answered at once,
// and is performed by the function's second, asynchronous invocation of itself under its own role: a silence stored in
// STATE_TABLE that notify then honours, an acknowledgement PagerDuty receives; a replay and a user the policy does not
// list change nothing, and every click is in the audit trail.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AlarmState } from '../../shared/alarm/model';
import type { Silence } from '../../shared/silence/model';
import { DynamoDbSilenceStore } from '../../shared/silence/store';
import { signSlackRequest } from '../../shared/slack/signature';
import { loadEvent } from '../support/events';
import { auditTrail, expectNoFailures, mark, publishAlarm, runsOf, since } from './account/drive';
import { WORKLOAD, worldPerFile, type World } from './account/world';

const account = worldPerFile();
let world: World;
beforeEach(() => {
  world = account();
});

/** In the prod policy's notify.slackApp.actions: U0PLATFRM may silence by name; members of S0ONCALL1 may silence and acknowledge. */
const PLATFORM_ENGINEER = 'U0PLATFRM';
const ON_CALL = 'U0ONCALL2';
const STRANGER = 'U0VISITOR';
const ON_CALL_GROUP = 'S0ONCALL1';
const CHANNEL = 'C0FIREBRK';
const THREAD = '1796400000.000100';

type Payload = Record<string, unknown>;

/** A button click as Slack posts it for a message of Firebreak's (the sample interaction's shape), in the alarm's thread. */
function click(user: string, actionId: string, value: Record<string, unknown>): Payload {
  const sample = JSON.parse(new URLSearchParams(loadEvent<{ body: string }>('slack-interaction').body).get('payload')!) as Payload;
  const [action] = sample.actions as Payload[];
  return {
    ...sample,
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase() },
    channel: { id: CHANNEL, name: 'mlops-alerts' },
    container: { type: 'message', message_ts: THREAD, channel_id: CHANNEL },
    message: { ts: THREAD, text: `ALARM: ${String(value.alarm)}` },
    response_url: world.slackApp.responseUrl(`${user}-${actionId}`),
    actions: [{ ...action, action_id: actionId, value: JSON.stringify(value) }],
  };
}

/** The Function URL request (payload format 2.0) Slack sends for `payload`, signed with the app's secret at the account's now. */
function signed(payload: Payload, secret: string = WORKLOAD.slackSigningSecret): unknown {
  const sample = loadEvent<{ headers: Record<string, string> }>('slack-interaction');
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const timestamp = String(Math.floor(world.clock.now().getTime() / 1000));
  return { ...sample, headers: { ...sample.headers, 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signSlackRequest(secret, timestamp, body) }, body, isBase64Encoded: false };
}

/** Sends a request to slackActions' Function URL; its HTTP answer, once every invocation it started has finished. */
async function toFunctionUrl(request: unknown): Promise<{ statusCode?: number; body?: string }> {
  const answer = await world.lambda.invokeFunctionUrl('slackActions', request);
  await world.lambda.idle();
  expect({ ok: answer.ok, error: answer.errorMessage }).toEqual({ ok: true, error: undefined });
  return answer.result as { statusCode?: number; body?: string };
}

/** Publishes an alarm's state change and waits for every function it reached. */
async function publish(name: string, state: AlarmState, description: string): Promise<void> {
  await publishAlarm(world, name, state, description);
  await world.lambda.idle();
}

/** The silences in the deployed stack's STATE_TABLE, as `npm run silence -- list` reads them. */
async function silences(): Promise<Silence[]> {
  const table = world.stack.functions.get('notify')!.environment.STATE_TABLE!;
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: world.emulator.endpoint, region: world.region, credentials: world.emulator.admin, maxAttempts: 1 }));
  return new DynamoDbSilenceStore(client, table).list();
}

const threadLines = () => world.slackApp.messages().filter((m) => m.thread_ts === THREAD).map((m) => m.text);

describe('a Silence 1 h click from Slack', () => {
  const ALARM = 'RetailPrediction-Embeddings-Stale';

  it('is answered at once, stores the silence by the one who clicked, tells the thread, and notify withholds the next alarm it covers', async () => {
    const before = mark(world);
    const answer = await toFunctionUrl(signed(click(PLATFORM_ENGINEER, 'silence-1h', { alarm: ALARM, hours: 1 })));
    expect(answer.statusCode).toBe(200);
    // The Function URL's invocation answered; its asynchronous invocation of itself did the work.
    expect(runsOf(since(world, before).invocations, 'slackActions').map((r) => r.source)).toEqual(['url', 'invoke']);
    expect(threadLines()).toEqual([expect.stringMatching(new RegExp(`^<@${PLATFORM_ENGINEER}> silenced ${ALARM} for 1 h \\(silence sil-[0-9a-z]{10}, until .+\\)\\. Remediation goes on\\.$`))]);
    const id = /silence (sil-[0-9a-z]{10})/.exec(threadLines()[0]!)![1]!;
    expect((await silences()).filter((s) => s.id === id)).toEqual([
      expect.objectContaining({ alarms: [ALARM], createdBy: `slack:${PLATFORM_ENGINEER} (u0platfrm)`, reason: 'silenced from Slack by u0platfrm', pauseRemediation: false }),
    ]);
    expect((await auditTrail(world, `silence:${id}`)).map((e) => [e.change, e.by])).toEqual([['added', `slack:${PLATFORM_ENGINEER} (u0platfrm)`]]);
    expect((await auditTrail(world, `slack:${ALARM}`)).map((e) => [e.user, e.action, e.outcome])).toEqual([
      [PLATFORM_ENGINEER, 'silence-1h', 'allowed'],
      [PLATFORM_ENGINEER, 'silence', 'done'],
    ]);

    world.clock.advance(60_000);
    const quiet = mark(world);
    await publish(ALARM, 'ALARM', '[P1] Embeddings older than a day');
    const held = since(world, quiet);
    expectNoFailures('alarm under the Slack silence', held.invocations);
    expect(runsOf(held.invocations, 'notify')).toHaveLength(1);
    expect({ slack: held.slack.length, pagerDuty: held.pagerDuty.length, mail: held.mail.length }).toEqual({ slack: 0, pagerDuty: 0, mail: 0 });
  });

  it('sent again as it was (a replay) is refused with 401 and changes nothing', async () => {
    const request = signed(click(PLATFORM_ENGINEER, 'silence-4h', { alarm: 'RetailPrediction-Replayed', hours: 4 }));
    expect((await toFunctionUrl(request)).statusCode).toBe(200);
    const before = mark(world);
    const lines = threadLines().length;
    const replay = await toFunctionUrl(request);
    expect(replay).toMatchObject({ statusCode: 401, body: 'request already received' });
    expect(runsOf(since(world, before).invocations, 'slackActions').map((r) => r.source)).toEqual(['url']);
    expect(threadLines()).toHaveLength(lines);
    expect((await auditTrail(world, 'slack:RetailPrediction-Replayed')).map((e) => e.outcome)).toEqual(['allowed', 'done']);
  });

  it('signed with another secret is refused with 401 and performs nothing', async () => {
    const before = mark(world);
    const forged = await toFunctionUrl(signed(click(PLATFORM_ENGINEER, 'silence-1h', { alarm: 'RetailPrediction-Forged', hours: 1 }), 'not-the-signing-secret'));
    expect(forged).toMatchObject({ statusCode: 401, body: 'invalid request signature' });
    expect(runsOf(since(world, before).invocations, 'slackActions').map((r) => r.source)).toEqual(['url']);
    expect(await auditTrail(world, 'slack:RetailPrediction-Forged')).toEqual([]);
  });

  it('from a user the policy does not list gets an ephemeral refusal, is audited as refused, and silences nothing', async () => {
    world.slackApp.setUserGroup(ON_CALL_GROUP, [ON_CALL]);
    const before = mark(world);
    const answer = await toFunctionUrl(signed(click(STRANGER, 'silence-1h', { alarm: 'RetailPrediction-NotYours', hours: 1 })));
    expect(answer.statusCode).toBe(200);
    expect(runsOf(since(world, before).invocations, 'slackActions').map((r) => r.source)).toEqual(['url']);
    expect(world.slackApp.responses().filter((r) => r.id === `${STRANGER}-silence-1h`).map((r) => r.body)).toEqual([
      expect.objectContaining({ response_type: 'ephemeral', text: expect.stringContaining('notify.slackApp.actions.silence does not list you') }),
    ]);
    expect((await auditTrail(world, 'slack:RetailPrediction-NotYours')).map((e) => [e.user, e.outcome])).toEqual([[STRANGER, 'refused']]);
    expect((await silences()).filter((s) => s.alarms.includes('RetailPrediction-NotYours'))).toEqual([]);
  });
});

describe('an Acknowledge click from a member of the on-call group', () => {
  const ALARM = 'RetailPrediction-FeatureStore-Unavailable';

  it('sends PagerDuty the acknowledgement of the page notify opened, and tells the thread', async () => {
    world.slackApp.setUserGroup(ON_CALL_GROUP, [ON_CALL]);
    const paged = mark(world);
    await publish(ALARM, 'ALARM', '[P1] Feature store lookups failing');
    const trigger = since(world, paged).pagerDuty.find((p) => p.event_action === 'trigger' && String(p.dedup_key).endsWith(`:alarm:${ALARM}`));
    expect(trigger).toBeDefined();
    const dedupKey = String(trigger!.dedup_key);

    const before = mark(world);
    const answer = await toFunctionUrl(signed(click(ON_CALL, 'acknowledge', { alarm: ALARM, dedupKey })));
    expect(answer.statusCode).toBe(200);
    const acted = since(world, before);
    expectNoFailures('acknowledge click', acted.invocations);
    expect(acted.pagerDuty).toEqual([{ routing_key: WORKLOAD.pagerDutyRoutingKey, event_action: 'acknowledge', dedup_key: dedupKey }]);
    expect(threadLines()).toContain(`<@${ON_CALL}> acknowledged the page for ${ALARM}.`);
    expect((await auditTrail(world, `slack:${ALARM}`)).map((e) => [e.user, e.action, e.outcome])).toEqual([
      [ON_CALL, 'acknowledge', 'allowed'],
      [ON_CALL, 'acknowledge', 'done'],
    ]);
  });
});
