// Unit tests: the in-memory Slack request ledger — a signature is first once, a replay every time after.
import { InMemorySlackRequestLedger, SLACK_REQUEST_RECORD_S, slackRequestKey } from '../../../shared/slack/request-ledger';

const SIGNATURE = `v0=${'a'.repeat(64)}`;
const OTHER = `v0=${'b'.repeat(64)}`;
const AT = new Date('2026-11-21T03:00:00Z');

describe('InMemorySlackRequestLedger', () => {
  it('the first claim of a signature is first and records when; the second is a replay', async () => {
    const ledger = new InMemorySlackRequestLedger();

    expect(await ledger.claim(SIGNATURE, AT)).toBe('first');
    expect(await ledger.claim(SIGNATURE, new Date(AT.getTime() + 1_000))).toBe('replay');
    expect(ledger.claims.get(SIGNATURE)).toEqual(AT);
  });

  it('different signatures are claimed independently', async () => {
    const ledger = new InMemorySlackRequestLedger();

    await ledger.claim(SIGNATURE, AT);
    expect(await ledger.claim(OTHER, AT)).toBe('first');
    expect(await ledger.claim(OTHER, AT)).toBe('replay');
  });

  it('two ledgers share nothing', async () => {
    await new InMemorySlackRequestLedger().claim(SIGNATURE, AT);
    expect(await new InMemorySlackRequestLedger().claim(SIGNATURE, AT)).toBe('first');
  });
});

describe('the ledger record', () => {
  it('is keyed by the signature under slack-request#, and kept ten minutes (twice the accepted window)', () => {
    expect(slackRequestKey(SIGNATURE)).toEqual({ pk: `slack-request#${SIGNATURE}`, sk: 'request' });
    expect(SLACK_REQUEST_RECORD_S).toBe(600);
  });
});
