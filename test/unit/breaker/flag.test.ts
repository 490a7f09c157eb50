// Unit tests: the breaker flag life cycle (open, idempotent re-open, extend, close) and its stored JSON.
import { isExpired, parseFlag, planClose, planOpen, serialiseFlag, type BreakerFlag } from '../../../shared/breaker/flag';
import { InvalidInputError } from '../../../shared/errors';

const t0 = new Date('2026-11-21T03:14:00.000Z');
const later = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const request = { reason: 'error rate 62% over 50%', alarm: 'RetailPrediction-HighErrorRate', ttlMinutes: 30 };

describe('breaker flag life cycle', () => {
  it('opens a missing flag with its alarm, time and expiry', () => {
    const t = planOpen(undefined, request, t0);
    expect(t).toMatchObject({ changed: true, kind: 'opened' });
    expect(t.flag).toEqual({
      state: 'open',
      reason: 'error rate 62% over 50%',
      alarm: 'RetailPrediction-HighErrorRate',
      openedAt: '2026-11-21T03:14:00.000Z',
      expiresAt: '2026-11-21T03:44:00.000Z',
    });
  });

  it('is idempotent: opening an open flag that is not yet due changes nothing', () => {
    const open = planOpen(undefined, request, t0).flag;
    const again = planOpen(open, { ...request, reason: 'other' }, later(29));
    expect(again).toEqual({ flag: open, changed: false, kind: 'unchanged' });
  });

  it('extends an open flag that came due, keeping when it first opened', () => {
    const open = planOpen(undefined, request, t0).flag;
    expect(isExpired(open, later(29))).toBe(false);
    expect(isExpired(open, later(30))).toBe(true);
    const extended = planOpen(open, { ...request, reason: 'still 70%' }, later(30));
    expect(extended.kind).toBe('extended');
    expect(extended.flag).toMatchObject({ state: 'open', openedAt: open.openedAt, reason: 'still 70%', expiresAt: later(60).toISOString() });
  });

  it('closes an open flag, keeping its history, and a closed one stays as it is', () => {
    const open = planOpen(undefined, request, t0).flag;
    const closed = planClose(open, 'alarm OK and metrics healthy');
    expect(closed).toMatchObject({ changed: true, kind: 'closed' });
    expect(closed.flag).toEqual({ state: 'closed', reason: 'alarm OK and metrics healthy', alarm: request.alarm, openedAt: open.openedAt, expiresAt: null });
    expect(isExpired(closed.flag, later(999))).toBe(false);
    expect(planClose(closed.flag, 'again')).toMatchObject({ changed: false, kind: 'unchanged', flag: closed.flag });
    expect(planClose(undefined, 'nothing there').changed).toBe(false);
  });

  it('re-opens a closed flag as a new opening', () => {
    const closed = planClose(planOpen(undefined, request, t0).flag, 'ok').flag;
    const reopened = planOpen(closed, request, later(90));
    expect(reopened).toMatchObject({ kind: 'opened', flag: { state: 'open', openedAt: later(90).toISOString() } });
  });
});

describe('a long reason', () => {
  it('is cut between characters so the stored flag fits an SSM String parameter (4 KB)', () => {
    // What a held-back re-evaluation writes: every action the incident tried, with its errors.
    const tried = Array.from({ length: 40 }, (_, i) => `2026-11-21T03:${String(i).padStart(2, '0')}:00.000Z scale deployment retail-forecast-api to 6: failed: 422 Invalid: 😱 ${'x'.repeat(120)}`).join('; ');
    const now = new Date('2026-11-21T04:00:00.000Z');
    const opened = planOpen(undefined, { reason: `re-evaluation held back: ${tried}`, alarm: 'A', ttlMinutes: 30 }, now).flag;
    const extended = planOpen({ ...opened, expiresAt: now.toISOString() }, { reason: tried, alarm: 'A', ttlMinutes: 30 }, now).flag;
    const closed = planClose(opened, tried).flag;
    for (const flag of [opened, extended, closed]) {
      expect(Buffer.byteLength(serialiseFlag(flag), 'utf8')).toBeLessThanOrEqual(4096);
      expect(flag.reason.endsWith('…')).toBe(true);
      expect(flag.reason).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    }
  });
});

describe('stored form', () => {
  const flag: BreakerFlag = { state: 'open', reason: 'r', alarm: 'A', openedAt: '2026-11-21T03:14:00.000Z', expiresAt: '2026-11-21T03:44:00.000Z' };

  it('round-trips in the contract JSON shape', () => {
    const text = serialiseFlag(flag);
    expect(Object.keys(JSON.parse(text))).toEqual(['state', 'reason', 'alarm', 'openedAt', 'expiresAt']);
    expect(parseFlag('api', text)).toEqual(flag);
  });

  it('accepts a hand-written flag with only state and reason', () => {
    expect(parseFlag('api', '{"state":"closed","reason":"manual"}')).toEqual({ state: 'closed', reason: 'manual', alarm: null, openedAt: null, expiresAt: null });
  });

  it.each([
    ['not JSON', 'open', 'is not JSON'],
    ['an unknown state', '{"state":"half-open","reason":"x"}', 'state'],
    ['a bad time', '{"state":"open","reason":"x","expiresAt":"tomorrow"}', 'expiresAt'],
  ])('refuses %s, naming the flag and the field', (_case, text, field) => {
    expect(() => parseFlag('retail-prediction-api', text)).toThrow(InvalidInputError);
    expect(() => parseFlag('retail-prediction-api', text)).toThrow(new RegExp(`retail-prediction-api.*${field}`));
  });
});
