// The Slack app client against a loopback Slack Web API double, through the real @slack/web-api.
import { inspect } from 'node:util';
import type { KnownBlock } from '@slack/types';
import { slackAppClient, type SlackAppClient } from '../../../shared/channels/slack-app';
import { DeliveryError } from '../../../shared/errors';
import { SlackApiDouble } from '../../support/slack-api';

const TOKEN = SlackApiDouble.TOKEN;
const CHANNEL = 'C0ALERTS01';
// A PNG's signature and the start of its header: bytes that are not UTF-8, so a text round trip would show.
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0xff, 0xfe, 0x80]);

const alarmMessage = () => ({
  text: 'ALARM: RetailPrediction-HighErrorRate',
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*RetailPrediction-HighErrorRate* is in ALARM' } }] satisfies KnownBlock[],
  attachments: [{ color: '#d0021b', fallback: 'ALARM', blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text: 'prod · eu-west-1' }] }] satisfies KnownBlock[] }],
});
const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e);

let slack: SlackApiDouble;
beforeAll(async () => {
  slack = await SlackApiDouble.start();
});
afterEach(() => slack.reset());
afterAll(() => slack.close());

const client = (options: { token?: string; retries?: number; timeoutMs?: number } = {}): SlackAppClient =>
  slackAppClient(async () => options.token ?? TOKEN, { apiUrl: slack.url(), retries: options.retries ?? 0, timeoutMs: options.timeoutMs });

describe('post', () => {
  it('posts the text, blocks and attachments with the bearer token and returns where the message landed', async () => {
    const message = alarmMessage();

    const landed = await client().post(CHANNEL, message);

    expect(landed).toEqual({ channel: CHANNEL, ts: expect.stringMatching(/^\d{10}\.\d{6}$/) });
    expect(slack.messages()).toEqual([{ channel: CHANNEL, ts: landed.ts, text: message.text, blocks: message.blocks, attachments: message.attachments, token: TOKEN }]);
    const [call] = slack.callsOf('chat.postMessage');
    expect(call?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(call?.contentType).toBe('application/x-www-form-urlencoded');
    expect(call?.args).not.toHaveProperty('thread_ts');
  });

  it('gives every message its own ts', async () => {
    const slackApp = client();

    const first = await slackApp.post(CHANNEL, { text: 'one' });
    const second = await slackApp.post(CHANNEL, { text: 'two' });

    expect(first.ts).not.toBe(second.ts);
  });

  it('posts in the thread of threadTs', async () => {
    const slackApp = client();
    const parent = await slackApp.post(CHANNEL, alarmMessage());

    const reply = await slackApp.post(CHANNEL, { text: 'Back to OK' }, parent.ts);

    expect(slack.threadOf(parent.ts)).toEqual([expect.objectContaining({ ts: reply.ts, text: 'Back to OK', thread_ts: parent.ts })]);
  });
});

describe('update', () => {
  it('replaces the content of a message already posted', async () => {
    const slackApp = client();
    const parent = await slackApp.post(CHANNEL, alarmMessage());

    await slackApp.update(CHANNEL, parent.ts, { text: 'OK: RetailPrediction-HighErrorRate' });

    expect(slack.updates()).toEqual([{ channel: CHANNEL, ts: parent.ts, text: 'OK: RetailPrediction-HighErrorRate' }]);
    expect(slack.message(CHANNEL, parent.ts)?.text).toBe('OK: RetailPrediction-HighErrorRate');
  });

  it('is refused, not retried, for a message Slack does not have', async () => {
    const error = await rejection(client({ retries: 2 }).update(CHANNEL, '1700000000.000001', { text: 'x' }));

    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ retryable: false, message: 'Slack chat.update: message_not_found' });
    expect(slack.callsOf('chat.update')).toHaveLength(1);
  });
});

describe('upload', () => {
  it('sends the bytes to the upload URL and completes the upload into the thread', async () => {
    const slackApp = client();
    const parent = await slackApp.post(CHANNEL, alarmMessage());

    await slackApp.upload(CHANNEL, parent.ts, { bytes: PNG, filename: 'HighErrorRate-ALARM.png', title: 'Errors, last 3 h', altText: 'A line rising past the threshold', comment: 'The metric' });

    const [file] = slack.uploads();
    expect(file).toMatchObject({ filename: 'HighErrorRate-ALARM.png', length: PNG.byteLength, altText: 'A line rising past the threshold', completed: true, title: 'Errors, last 3 h', channel: CHANNEL, thread_ts: parent.ts, initialComment: 'The metric' });
    expect(new Uint8Array(file?.bytes ?? [])).toEqual(PNG);
    expect(slack.callsOf('files.completeUploadExternal')[0]?.args).toMatchObject({ channel_id: CHANNEL, thread_ts: parent.ts, files: [{ id: file?.fileId, title: 'Errors, last 3 h' }] });
    expect(slack.threadOf(parent.ts)).toEqual([expect.objectContaining({ text: 'The metric', files: [{ id: file?.fileId, title: 'Errors, last 3 h' }] })]);
  });

  it('uploads as @slack/web-api 8 does: one multipart part, with the bot token sent to the upload URL too', async () => {
    const slackApp = client();
    const parent = await slackApp.post(CHANNEL, { text: 'parent' });

    await slackApp.upload(CHANNEL, parent.ts, { bytes: PNG, filename: 'graph.png', title: 'Graph' });

    expect(slack.uploads()[0]?.uploadContentType).toBe('multipart/form-data');
    expect(slack.callsOf('upload')[0]?.token).toBe(TOKEN);
    expect(slack.callsOf('files.getUploadURLExternal')[0]?.args).toEqual({ filename: 'graph.png', length: String(PNG.byteLength) });
  });

  it('starts the upload over when its bytes could not be sent, and completes only the second file', async () => {
    const slackApp = client({ retries: 1 });
    const parent = await slackApp.post(CHANNEL, { text: 'parent' });
    slack.failNext('upload', 503);

    await slackApp.upload(CHANNEL, parent.ts, { bytes: PNG, filename: 'graph.png', title: 'Graph' });

    expect(slack.callsOf('files.getUploadURLExternal')).toHaveLength(2);
    expect(slack.uploads()).toEqual([expect.objectContaining({ fileId: 'F0DOUBLE0002', completed: true })]);
  });
});

describe('usersOfGroup', () => {
  it('lists the user ids of the group', async () => {
    slack.setUserGroup('S0ONCALL', ['U01ALICE', 'U02BOB']);

    await expect(client().usersOfGroup('S0ONCALL')).resolves.toEqual(['U01ALICE', 'U02BOB']);
    expect(slack.callsOf('usergroups.users.list')[0]?.args).toEqual({ usergroup: 'S0ONCALL' });
  });

  it('is refused for a group Slack does not know', async () => {
    await expect(client().usersOfGroup('S0NOPE')).rejects.toMatchObject({ retryable: false, message: 'Slack usergroups.users.list: no_such_subteam' });
  });
});

describe('respond', () => {
  it('POSTs the reply as JSON to the response_url', async () => {
    await client().respond(slack.responseUrl('B123/456'), { text: 'Scaling retail-forecast-api to 6', response_type: 'ephemeral' });

    expect(slack.responses()).toEqual([{ id: 'B123/456', body: { text: 'Scaling retail-forecast-api to 6', response_type: 'ephemeral' }, contentType: 'application/json' }]);
  });

  it('retries a 5xx and replaces the original when asked', async () => {
    slack.failNext('response', 502);

    await client({ retries: 1 }).respond(slack.responseUrl('a1'), { text: 'Done', replace_original: true });

    expect(slack.callsOf('response').map((c) => c.status)).toEqual([502, 200]);
    expect(slack.responses()[0]?.body).toEqual({ text: 'Done', replace_original: true });
  });

  it('reports a refusal without the URL', async () => {
    slack.failNext('response', 404);

    const error = await rejection(client().respond(slack.responseUrl('expired-1'), { text: 'late' }));

    expect(error).toMatchObject({ retryable: false, status: 404 });
    expect((error as Error).message).not.toContain('expired-1');
  });
});

describe('failures', () => {
  it('ratelimited is retryable and carries Retry-After', async () => {
    slack.failNext('chat.postMessage', 'ratelimited', { retryAfter: 7 });

    const error = await rejection(client().post(CHANNEL, { text: 'x' }));

    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ retryable: true, status: 429 });
    expect((error as DeliveryError).message).toContain('ratelimited');
    expect(((error as DeliveryError).cause as DeliveryError).retryAfterMs).toBe(7_000);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
  });

  it('ratelimited is retried by the client, not by WebClient, and then succeeds', async () => {
    slack.failNext('chat.postMessage', 'ratelimited', { retryAfter: 0 });

    await client({ retries: 1 }).post(CHANNEL, { text: 'x' });

    expect(slack.callsOf('chat.postMessage').map((c) => c.status)).toEqual([429, 200]);
  });

  it('a 429 without Retry-After is retryable too', async () => {
    slack.failNext('chat.update', 429);

    await expect(client().update(CHANNEL, '1.2', { text: 'x' })).rejects.toMatchObject({ retryable: true, status: 429 });
  });

  it('a 5xx is retried and then succeeds', async () => {
    slack.failNext('chat.postMessage', 500);

    await client({ retries: 2 }).post(CHANNEL, { text: 'x' });

    expect(slack.callsOf('chat.postMessage').map((c) => c.status)).toEqual([500, 200]);
  });

  it('channel_not_found is not retryable and named', async () => {
    slack.failNext('chat.postMessage', 'channel_not_found');

    const error = await rejection(client({ retries: 3 }).post('C0GONE', { text: 'x' }));

    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ retryable: false, message: 'Slack chat.postMessage: channel_not_found' });
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
  });

  it.each(['not_in_channel', 'invalid_blocks', 'msg_too_long'])('%s is not retryable and named', async (code) => {
    slack.failNext('chat.postMessage', code);

    await expect(client({ retries: 3 }).post(CHANNEL, { text: 'x' })).rejects.toMatchObject({ retryable: false, message: `Slack chat.postMessage: ${code}` });
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
  });

  it('missing_scope names the scope Slack needs', async () => {
    slack.failNext('files.getUploadURLExternal', 'missing_scope', { extra: { needed: 'files:write', provided: 'chat:write' } });

    await expect(client().upload(CHANNEL, '1.2', { bytes: PNG, filename: 'g.png', title: 'g' })).rejects.toMatchObject({
      retryable: false,
      message: 'Slack files.uploadV2: missing_scope (needs files:write)',
    });
  });

  it('blocks Slack cannot read are invalid_blocks, from the double itself', async () => {
    const broken = [{ text: { type: 'mrkdwn', text: 'no type' } }] as unknown as KnownBlock[];

    await expect(client().post(CHANNEL, { text: 'x', blocks: broken })).rejects.toMatchObject({ retryable: false, message: 'Slack chat.postMessage: invalid_blocks' });
  });

  it('invalid_auth when the token is wrong, and the token is nowhere in the error', async () => {
    const wrong = 'xoxb-9999-WRONG-SECRET';

    const error = await rejection(client({ token: wrong, retries: 2 }).post(CHANNEL, { text: 'x' }));

    expect(error).toMatchObject({ retryable: false, message: 'Slack chat.postMessage: invalid_auth' });
    expect(slack.callsOf('chat.postMessage')).toEqual([expect.objectContaining({ token: wrong, error: 'invalid_auth' })]);
    expect(inspect(error, { depth: 10 })).not.toContain('WRONG-SECRET');
  });

  it('a slow Slack times out, retryable', async () => {
    slack.delayNextMs = 1_000;

    const error = await rejection(client({ timeoutMs: 100 }).post(CHANNEL, { text: 'x' }));

    expect(error).toMatchObject({ retryable: true });
    expect((error as Error).message).toMatch(/Slack chat\.postMessage: gave up after 1 attempts: timed out after 100 ms/);
  });

  it('an unreachable Slack is a retryable network error without the token', async () => {
    const gone = await SlackApiDouble.start();
    const apiUrl = gone.url();
    await gone.close();

    const error = await rejection(slackAppClient(async () => TOKEN, { apiUrl, retries: 0 }).post(CHANNEL, { text: 'x' }));

    expect(error).toMatchObject({ retryable: true });
    expect((error as Error).message).toContain('network error');
    expect(inspect(error, { depth: 10 })).not.toContain(TOKEN);
  });
});

describe('the token', () => {
  it('is asked at every call, so a rotated token is used from the next call on', async () => {
    const tokens = [TOKEN, TOKEN, 'xoxb-rotated'];
    slack.acceptTokens(TOKEN, 'xoxb-rotated');
    const slackApp = slackAppClient(async () => tokens.shift() ?? 'none', { apiUrl: slack.url(), retries: 0 });

    for (const text of ['a', 'b', 'c']) await slackApp.post(CHANNEL, { text });

    expect(slack.messages().map((m) => m.token)).toEqual([TOKEN, TOKEN, 'xoxb-rotated']);
  });

  it('a call without one is not_authed', async () => {
    await expect(slackAppClient(async () => '', { apiUrl: slack.url(), retries: 0 }).post(CHANNEL, { text: 'x' })).rejects.toMatchObject({
      retryable: false,
      message: 'Slack chat.postMessage: not_authed',
    });
  });
});

describe('the double', () => {
  it('takes JSON bodies with the token in the header, as Slack does, and not in the body', async () => {
    const post = (headers: Record<string, string>, body: object) =>
      fetch(`${slack.url()}chat.postMessage`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) }).then((r) => r.json());

    await expect(post({ authorization: `Bearer ${TOKEN}` }, { channel: CHANNEL, text: 'json' })).resolves.toMatchObject({ ok: true, channel: CHANNEL });
    await expect(post({}, { channel: CHANNEL, text: 'json', token: TOKEN })).resolves.toEqual({ ok: false, error: 'not_authed' });
    expect(slack.messages().map((m) => m.text)).toEqual(['json']);
  });
});
