// Unit tests: Slack's v0 request signature — Slack's own worked example passes, and each way a request can be wrong is refused.
import { createHmac } from 'node:crypto';
import { SLACK_REQUEST_MAX_AGE_S, signSlackRequest, verifySlackRequest, type SlackRequestToVerify } from '../../../shared/slack/signature';

// The worked example of https://api.slack.com/authentication/verifying-requests-from-slack.
const DOC_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const DOC_TIMESTAMP = '1531420618';
const DOC_BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const DOC_SIGNATURE = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';

/** Slack's example as received at the very second it was signed; each test changes one thing. */
const docRequest = (): SlackRequestToVerify => ({
  signingSecret: DOC_SECRET,
  timestamp: DOC_TIMESTAMP,
  signature: DOC_SIGNATURE,
  rawBody: DOC_BODY,
  now: new Date(Number(DOC_TIMESTAMP) * 1000),
});
/** `now` offset from the example's timestamp by `seconds` (positive: later). */
const secondsAfterSigning = (seconds: number) => new Date((Number(DOC_TIMESTAMP) + seconds) * 1000);

describe('signSlackRequest', () => {
  it("signs Slack's worked example as Slack does", () => {
    expect(signSlackRequest(DOC_SECRET, DOC_TIMESTAMP, DOC_BODY)).toBe(DOC_SIGNATURE);
  });

  it('is HMAC-SHA256 of v0:<timestamp>:<body> in hex behind v0= (checked against node:crypto directly)', () => {
    const body = 'payload=%7B%22type%22%3A%22block_actions%22%7D';
    const hex = createHmac('sha256', 'another-secret').update(`v0:1700000000:${body}`).digest('hex');
    expect(signSlackRequest('another-secret', '1700000000', body)).toBe(`v0=${hex}`);
  });
});

describe('verifySlackRequest', () => {
  it("accepts Slack's worked example", () => {
    expect(verifySlackRequest(docRequest())).toEqual({ ok: true });
  });

  it(`accepts a timestamp exactly ${SLACK_REQUEST_MAX_AGE_S} s old or ahead (the window's edges)`, () => {
    expect(verifySlackRequest({ ...docRequest(), now: secondsAfterSigning(SLACK_REQUEST_MAX_AGE_S) })).toEqual({ ok: true });
    expect(verifySlackRequest({ ...docRequest(), now: secondsAfterSigning(-SLACK_REQUEST_MAX_AGE_S) })).toEqual({ ok: true });
  });

  it('refuses a wrong signature of the right shape', () => {
    const wrong = `v0=${'0'.repeat(64)}`;
    expect(verifySlackRequest({ ...docRequest(), signature: wrong })).toEqual({ ok: false, reason: 'signature does not match' });
  });

  it('refuses the right signature of another body (one character changed after signing)', () => {
    const altered = DOC_BODY.replace('user_name=roadrunner', 'user_name=roadrunnes');
    expect(altered).not.toBe(DOC_BODY);
    expect(verifySlackRequest({ ...docRequest(), rawBody: altered })).toEqual({ ok: false, reason: 'signature does not match' });
  });

  it('refuses the right signature sent with another timestamp (the timestamp is signed too)', () => {
    const request = { ...docRequest(), timestamp: String(Number(DOC_TIMESTAMP) + 1) };
    expect(verifySlackRequest(request)).toEqual({ ok: false, reason: 'signature does not match' });
  });

  it('refuses a request signed with another secret', () => {
    const request = { ...docRequest(), signingSecret: `${DOC_SECRET}x` };
    expect(verifySlackRequest(request)).toEqual({ ok: false, reason: 'signature does not match' });
  });

  it(`refuses a timestamp ${SLACK_REQUEST_MAX_AGE_S + 1} s old, correctly signed`, () => {
    const request = { ...docRequest(), now: secondsAfterSigning(SLACK_REQUEST_MAX_AGE_S + 1) };
    expect(verifySlackRequest(request)).toEqual({ ok: false, reason: `timestamp ${DOC_TIMESTAMP} is 301 s old: more than 300 s` });
  });

  it(`refuses a timestamp ${SLACK_REQUEST_MAX_AGE_S + 1} s ahead, correctly signed`, () => {
    const request = { ...docRequest(), now: secondsAfterSigning(-(SLACK_REQUEST_MAX_AGE_S + 1)) };
    expect(verifySlackRequest(request)).toEqual({ ok: false, reason: `timestamp ${DOC_TIMESTAMP} is 301 s ahead: more than 300 s` });
  });

  it('refuses a request without X-Slack-Signature', () => {
    expect(verifySlackRequest({ ...docRequest(), signature: undefined })).toEqual({ ok: false, reason: 'no X-Slack-Signature header' });
    expect(verifySlackRequest({ ...docRequest(), signature: '' })).toEqual({ ok: false, reason: 'no X-Slack-Signature header' });
  });

  it('refuses a request without X-Slack-Request-Timestamp', () => {
    expect(verifySlackRequest({ ...docRequest(), timestamp: undefined })).toEqual({ ok: false, reason: 'no X-Slack-Request-Timestamp header' });
    expect(verifySlackRequest({ ...docRequest(), timestamp: '' })).toEqual({ ok: false, reason: 'no X-Slack-Request-Timestamp header' });
  });

  it.each(['1531420618.5', '-1531420618', '1.5e9', ' 1531420618', 'now'])('refuses the timestamp %j, signed as sent: it is not an integer', (timestamp) => {
    const request = { ...docRequest(), timestamp, signature: signSlackRequest(DOC_SECRET, timestamp, DOC_BODY) };
    expect(verifySlackRequest(request)).toEqual({ ok: false, reason: `X-Slack-Request-Timestamp ${JSON.stringify(timestamp)} is not an integer` });
  });

  it('refuses a signature of another length without throwing', () => {
    for (const signature of [DOC_SIGNATURE.slice(0, -1), `${DOC_SIGNATURE}0`, 'v0=lolno']) {
      const verdict = verifySlackRequest({ ...docRequest(), signature });
      expect(verdict).toEqual({ ok: false, reason: `X-Slack-Signature has ${signature.length} bytes, not 67` });
    }
  });

  it('refuses a signature of the right length in characters but not in bytes', () => {
    const signature = `${DOC_SIGNATURE.slice(0, -1)}é`;
    expect(signature).toHaveLength(DOC_SIGNATURE.length);
    expect(verifySlackRequest({ ...docRequest(), signature })).toEqual({ ok: false, reason: 'X-Slack-Signature has 68 bytes, not 67' });
  });

  it('refuses a v1= signature, even one whose hex is right', () => {
    const signature = DOC_SIGNATURE.replace(/^v0=/, 'v1=');
    expect(verifySlackRequest({ ...docRequest(), signature })).toEqual({ ok: false, reason: `X-Slack-Signature ${JSON.stringify(signature.slice(0, 40) + '…')} is not a v0 signature` });
  });

  it('refuses everything when no signing secret is configured, even a request signed with the empty secret', () => {
    const request = { ...docRequest(), signingSecret: '', signature: signSlackRequest('', DOC_TIMESTAMP, DOC_BODY) };
    expect(verifySlackRequest(request)).toEqual({ ok: false, reason: 'no signing secret configured' });
  });

  it('quotes a hostile header into the reason escaped and cut short', () => {
    const timestamp = `1531420618\n{"level":"info"}${'x'.repeat(100)}`;
    const verdict = verifySlackRequest({ ...docRequest(), timestamp });
    expect(verdict.ok).toBe(false);
    const reason = verdict.ok ? '' : verdict.reason;
    expect(reason).not.toContain('\n');
    expect(reason).not.toContain('x'.repeat(41));
  });
});
