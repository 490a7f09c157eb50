// Unit tests: one Slack interaction request on slackActions' Function URL — verified, checked against who may, refused or handed on.
import type { SlackInteractionReply } from '../../../shared/channels/slack-app';
import { policyForStage } from '../../../shared/policy/load';
import type { SlackAppPolicy } from '../../../shared/policy/schema';
import { receiveInteraction, type ApprovedClick, type ClickAudit, type FunctionUrlRequest, type InteractionDeps } from '../../../shared/slack/interaction';
import { InMemorySlackRequestLedger } from '../../../shared/slack/request-ledger';
import { signSlackRequest } from '../../../shared/slack/signature';
import { loadEvent } from '../../support/events';

const SECRET = 'test-signing-secret-0123456789abcdef';
const ALARM = 'RetailPrediction-HighErrorRate';
const DEDUP_KEY = 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:RetailPrediction-HighErrorRate';
/** The sample's request timestamp; every test's clock reads it, and signs with it unless told otherwise. */
const TIMESTAMP = 1764820860;
const NOW = new Date(TIMESTAMP * 1000);
const PARENT_TS = '1764820800.000100';
const RESPONSE_URL = 'https://hooks.slack.com/actions/T0FIREBRK/1234567890/abcdefABCDEF';
/** In the dev policy's S0ONCALL1 (acknowledge and silence); U0PLATFRM is listed for silence by id. */
const ONCALL_USER = 'U0ONCALL2';
const STRANGER = 'U0STRANGR';

type Payload = Record<string, unknown>;

/** The sample's block_actions payload (Silence 1 h by U0PLATFRM), decoded: a fresh copy each call. */
const samplePayload = (): Payload => JSON.parse(new URLSearchParams(loadEvent<FunctionUrlRequest>('slack-interaction').body).get('payload') ?? '') as Payload;

/** The sample payload clicked by another user, on another button. */
function click(options: { user?: string; actionId?: string; value?: unknown } = {}): Payload {
  const payload = samplePayload();
  const [action] = payload.actions as Payload[];
  if (options.user) payload.user = { id: options.user, username: 'bob', name: 'bob' };
  if (options.actionId) action!.action_id = options.actionId;
  if ('value' in options) action!.value = typeof options.value === 'string' || options.value === undefined ? options.value : JSON.stringify(options.value);
  return payload;
}

const acknowledgeClick = (user: string) => click({ user, actionId: 'acknowledge', value: { alarm: ALARM, dedupKey: DEDUP_KEY } });

/** The sample Function URL request carrying `payload` (or a raw body), signed as Slack signs one. */
function request(payload: Payload | string, options: { secret?: string; timestamp?: number; base64?: boolean; alter?: (body: string) => string } = {}): FunctionUrlRequest {
  const body = typeof payload === 'string' ? payload : new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const timestamp = String(options.timestamp ?? TIMESTAMP);
  const signature = signSlackRequest(options.secret ?? SECRET, timestamp, body);
  const sent = options.alter ? options.alter(body) : body;
  const sample = loadEvent<FunctionUrlRequest>('slack-interaction');
  return {
    ...sample,
    headers: { ...sample.headers, 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature },
    body: options.base64 ? Buffer.from(sent, 'utf8').toString('base64') : sent,
    isBase64Encoded: options.base64 ?? false,
  };
}

interface Harness {
  readonly deps: InteractionDeps;
  readonly performed: ApprovedClick[];
  readonly audited: ClickAudit[];
  readonly replies: { url: string; reply: SlackInteractionReply }[];
  readonly usersOfGroup: jest.Mock<Promise<string[]>, [string]>;
  readonly requests: InMemorySlackRequestLedger;
}

/** receiveInteraction's dependencies: the dev policy's slackApp, a fake Slack with S0ONCALL1's members, recording perform and audit. */
function harness(policy: SlackAppPolicy = devSlackApp()): Harness {
  const performed: ApprovedClick[] = [];
  const audited: ClickAudit[] = [];
  const replies: { url: string; reply: SlackInteractionReply }[] = [];
  const groups: Record<string, string[]> = { S0ONCALL1: [ONCALL_USER, 'U0ONCALL3'] };
  const usersOfGroup = jest.fn(async (group: string) => groups[group] ?? []);
  const requests = new InMemorySlackRequestLedger();
  const deps: InteractionDeps = {
    policy,
    signingSecret: async () => SECRET,
    requests,
    slack: {
      usersOfGroup,
      respond: async (url, reply) => {
        replies.push({ url, reply });
      },
    },
    perform: async (c) => {
      performed.push(c);
    },
    audit: async (entry) => {
      audited.push(entry);
    },
    now: () => NOW,
  };
  return { deps, performed, audited, replies, usersOfGroup, requests };
}

function devSlackApp(): SlackAppPolicy {
  const slackApp = policyForStage('dev').notify.slackApp;
  if (!slackApp) throw new Error('the dev policy has no notify.slackApp');
  return slackApp;
}

const OK_EMPTY = { statusCode: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: '' };

describe('receiveInteraction: an allowed click', () => {
  it('a signed click by a user the policy lists by id: 200 at once, the click handed to perform once, audited as allowed', async () => {
    const h = harness();

    const response = await receiveInteraction(request(samplePayload()), h.deps);

    expect(response).toEqual(OK_EMPTY);
    expect(h.performed).toEqual([
      {
        source: 'firebreak.slack-action',
        action: { kind: 'silence', alarm: ALARM, hours: 1 },
        user: { id: 'U0PLATFRM', name: 'alice' },
        channel: 'C0FIREBRK',
        threadTs: PARENT_TS,
        responseUrl: RESPONSE_URL,
        at: NOW.toISOString(),
      },
    ]);
    expect(h.audited).toEqual([{ at: NOW.toISOString(), user: 'U0PLATFRM', action: 'silence-1h', alarm: ALARM, outcome: 'allowed' }]);
    expect(h.replies).toEqual([]);
  });

  it('a member of a user group the policy lists may acknowledge: the click carries the dedup_key', async () => {
    const h = harness();

    const response = await receiveInteraction(request(acknowledgeClick(ONCALL_USER)), h.deps);

    expect(response.statusCode).toBe(200);
    expect(h.usersOfGroup).toHaveBeenCalledWith('S0ONCALL1');
    expect(h.performed).toEqual([expect.objectContaining({ action: { kind: 'acknowledge', alarm: ALARM, dedupKey: DEDUP_KEY }, user: { id: ONCALL_USER, name: 'bob' } })]);
    expect(h.audited).toEqual([expect.objectContaining({ user: ONCALL_USER, action: 'acknowledge', outcome: 'allowed' })]);
  });

  it('a user listed by id is allowed without asking Slack for any group', async () => {
    const h = harness();

    await receiveInteraction(request(samplePayload()), h.deps);

    expect(h.usersOfGroup).not.toHaveBeenCalled();
  });

  it('Silence 4 h carries its hours', async () => {
    const h = harness();

    await receiveInteraction(request(click({ actionId: 'silence-4h', value: { alarm: ALARM, hours: 4 } })), h.deps);

    expect(h.performed.map((c) => c.action)).toEqual([{ kind: 'silence', alarm: ALARM, hours: 4 }]);
  });

  it('a click in a thread names the thread, not the reply it was on', async () => {
    const h = harness();
    const payload = samplePayload();
    payload.message = { ts: '1764820900.000200', thread_ts: PARENT_TS };

    await receiveInteraction(request(payload), h.deps);

    expect(h.performed[0]?.threadTs).toBe(PARENT_TS);
  });

  it('a base64-encoded body (isBase64Encoded) is decoded before it is verified, and verifies', async () => {
    const h = harness();

    const response = await receiveInteraction(request(samplePayload(), { base64: true }), h.deps);

    expect(response.statusCode).toBe(200);
    expect(h.performed).toHaveLength(1);
  });

  it('header names are read whatever their case', async () => {
    const h = harness();
    const signed = request(samplePayload());
    const headers = Object.fromEntries(Object.entries(signed.headers ?? {}).map(([k, v]) => [k.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase()), v]));
    expect(headers).toHaveProperty('X-Slack-Signature');

    const response = await receiveInteraction({ ...signed, headers }, h.deps);

    expect(response.statusCode).toBe(200);
    expect(h.performed).toHaveLength(1);
  });
});

describe('receiveInteraction: a user the policy does not list', () => {
  it('200, an ephemeral refusal on the response_url, audited as refused, perform never called', async () => {
    const h = harness();

    const response = await receiveInteraction(request(click({ user: STRANGER })), h.deps);

    expect(response).toEqual(OK_EMPTY);
    expect(h.performed).toEqual([]);
    expect(h.replies).toEqual([{ url: RESPONSE_URL, reply: { response_type: 'ephemeral', replace_original: false, text: expect.stringContaining('You may not silence alarms from Slack') } }]);
    expect(h.replies[0]?.reply.text).toContain('notify.slackApp.actions.silence');
    expect(h.audited).toEqual([{ at: NOW.toISOString(), user: STRANGER, action: 'silence-1h', alarm: ALARM, outcome: 'refused', reason: 'not listed in notify.slackApp.actions.silence' }]);
  });

  it('a user listed for silence only may not acknowledge', async () => {
    const h = harness();

    await receiveInteraction(request(acknowledgeClick('U0PLATFRM')), h.deps);

    expect(h.performed).toEqual([]);
    expect(h.replies[0]?.reply.text).toContain('You may not acknowledge pages from Slack');
    expect(h.audited).toEqual([expect.objectContaining({ user: 'U0PLATFRM', action: 'acknowledge', outcome: 'refused', reason: 'not listed in notify.slackApp.actions.acknowledge' })]);
  });

  it('an action the policy has no entry for is refused to everybody, group members included', async () => {
    const h = harness({ defaultChannel: 'C0FIREBRK', actions: { silence: { users: ['U0PLATFRM'], groups: ['S0ONCALL1'] } } });

    await receiveInteraction(request(acknowledgeClick(ONCALL_USER)), h.deps);

    expect(h.performed).toEqual([]);
    expect(h.audited).toEqual([expect.objectContaining({ outcome: 'refused' })]);
  });

  it('a refusal with no response_url is still audited and still 200', async () => {
    const h = harness();
    const payload = click({ user: STRANGER });
    delete payload.response_url;

    const response = await receiveInteraction(request(payload), h.deps);

    expect(response.statusCode).toBe(200);
    expect(h.replies).toEqual([]);
    expect(h.audited).toEqual([expect.objectContaining({ outcome: 'refused' })]);
  });
});

describe('receiveInteraction: a request not signed by Slack, or received before', () => {
  const refusedWith401 = async (h: Harness, req: FunctionUrlRequest) => {
    const response = await receiveInteraction(req, h.deps);
    expect(response.statusCode).toBe(401);
    expect(h.performed).toEqual([]);
    expect(h.audited).toEqual([]);
    expect(h.replies).toEqual([]);
  };

  it('a wrong signature (signed with another secret): 401, nothing performed', async () => {
    await refusedWith401(harness(), request(samplePayload(), { secret: 'not-the-signing-secret' }));
  });

  it('a timestamp more than five minutes old, correctly signed: 401', async () => {
    await refusedWith401(harness(), request(samplePayload(), { timestamp: TIMESTAMP - 301 }));
  });

  it('a timestamp more than five minutes ahead, correctly signed: 401', async () => {
    await refusedWith401(harness(), request(samplePayload(), { timestamp: TIMESTAMP + 301 }));
  });

  it('a body altered after signing (another user put in): 401', async () => {
    const h = harness();
    const alter = (body: string) => body.replace(encodeURIComponent('U0PLATFRM'), encodeURIComponent('U0ATTACKR'));
    const req = request(samplePayload(), { alter });
    expect(req.body).toContain('U0ATTACKR');

    await refusedWith401(h, req);
  });

  it('a base64 body altered after signing: 401', async () => {
    const alter = (body: string) => body.replace('silence-1h', 'silence-4h');
    await refusedWith401(harness(), request(samplePayload(), { base64: true, alter }));
  });

  it('no signature or no timestamp header: 401', async () => {
    const signed = request(samplePayload());
    const { 'x-slack-signature': _s, ...noSignature } = signed.headers ?? {};
    const { 'x-slack-request-timestamp': _t, ...noTimestamp } = signed.headers ?? {};

    await refusedWith401(harness(), { ...signed, headers: noSignature });
    await refusedWith401(harness(), { ...signed, headers: noTimestamp });
  });

  it('the same signed request again (a replay): the first is performed, the second 401 and performed not again', async () => {
    const h = harness();
    const req = request(samplePayload());

    const first = await receiveInteraction(req, h.deps);
    const second = await receiveInteraction(structuredClone(req), h.deps);

    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(401);
    expect(h.performed).toHaveLength(1);
    expect(h.audited).toHaveLength(1);
  });

  it('a refused request claims nothing: the genuine request after it is performed', async () => {
    const h = harness();

    await receiveInteraction(request(samplePayload(), { secret: 'not-the-signing-secret' }), h.deps);
    const genuine = await receiveInteraction(request(samplePayload()), h.deps);

    expect(genuine.statusCode).toBe(200);
    expect(h.performed).toHaveLength(1);
    expect(h.requests.claims.size).toBe(1);
  });
});

describe('receiveInteraction: not a button click Firebreak acts on', () => {
  it('Open runbook (a link Slack opens itself): 200 and nothing else', async () => {
    const h = harness();

    const response = await receiveInteraction(request(click({ actionId: 'runbook', value: undefined })), h.deps);

    expect(response).toEqual(OK_EMPTY);
    expect(h.performed).toEqual([]);
    expect(h.audited).toEqual([]);
    expect(h.replies).toEqual([]);
    expect(h.usersOfGroup).not.toHaveBeenCalled();
  });

  it.each([
    ['a view submission', { ...samplePayload(), type: 'view_submission' }],
    ['a message shortcut', { ...samplePayload(), type: 'message_action' }],
    ['a payload with no type', { ...samplePayload(), type: undefined }],
    ['a block action with no actions', { ...samplePayload(), actions: [] }],
    ['a block action with no user', { ...samplePayload(), user: undefined }],
  ])('%s: 400, nothing performed', async (_what, payload) => {
    const h = harness();

    const response = await receiveInteraction(request(payload), h.deps);

    expect(response.statusCode).toBe(400);
    expect(h.performed).toEqual([]);
    expect(h.audited).toEqual([]);
  });

  it.each([
    ['a body with no payload field', 'command=%2Ffirebreak&text=silence'],
    ['a payload that is not JSON', 'payload=%7Bnot-json'],
  ])('%s, correctly signed: 400', async (_what, body) => {
    const h = harness();

    const response = await receiveInteraction(request(body), h.deps);

    expect(response.statusCode).toBe(400);
    expect(h.performed).toEqual([]);
  });

  it.each([
    ['a button Firebreak does not make', click({ actionId: 'scale-up', value: { alarm: ALARM } })],
    ['Acknowledge without a dedup_key', click({ actionId: 'acknowledge', value: { alarm: ALARM } })],
    ['a silence whose hours are not its button’s', click({ actionId: 'silence-1h', value: { alarm: ALARM, hours: 24 } })],
    ['a value that is not JSON', click({ value: 'alarm=RetailPrediction-HighErrorRate' })],
  ])('%s, by an allowed user: 400, nothing performed or audited', async (_what, payload) => {
    const h = harness();

    const response = await receiveInteraction(request(payload), h.deps);

    expect(response.statusCode).toBe(400);
    expect(h.performed).toEqual([]);
    expect(h.audited).toEqual([]);
  });
});
