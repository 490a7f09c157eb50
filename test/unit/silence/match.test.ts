// Unit tests: which silences and maintenance windows hold an alarm (patterns, severities, bounds, order), what Slack is told about them, and durations.
import { formatDuration, parseDuration } from '../../../shared/duration';
import type { MaintenanceWindow, Severity } from '../../../shared/policy/schema';
import { ANNOUNCE_WITHIN_MS, ENDING_NOTICE_MS, silenceAnnouncements, windowAnnouncements } from '../../../shared/silence/announce';
import { holdsOn, pausingHold, silenceCovers, windowHold } from '../../../shared/silence/match';
import { describeHold, type QuietSubject, type Silence } from '../../../shared/silence/model';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** 2026-12-05 is a Saturday: the sample window opens at 02:00Z and closes at 04:00Z. */
const START = '2026-12-05T02:00:00.000Z';
const END = '2026-12-05T04:00:00.000Z';
const at = (instant: string) => new Date(instant);
const plus = (instant: string, ms: number) => new Date(Date.parse(instant) + ms);

/** A silence of the HighCPU alarm from 02:00Z to 04:00Z, added five minutes before it starts. */
const silence = (overrides: Partial<Silence> = {}): Silence => ({
  id: 'sil-0000000001',
  alarms: ['RetailPrediction-HighCPU'],
  startsAt: START,
  endsAt: END,
  reason: 'migrating the feature store',
  createdBy: 'alice@example.com',
  createdAt: '2026-12-05T01:55:00.000Z',
  pauseRemediation: false,
  ...overrides,
});

/** A weekly two-hour window on Saturdays at 02:00 UTC, as the policy schema leaves it (duration in ms). */
const nightly = (overrides: Partial<MaintenanceWindow> = {}): MaintenanceWindow => ({
  name: 'weekly-patching',
  schedule: '0 2 * * SAT',
  timeZone: 'UTC',
  duration: 2 * HOUR_MS,
  alarms: ['RetailPrediction-*'],
  reason: 'node patching',
  pauseRemediation: false,
  ...overrides,
});

const subject = (alarmName: string, severity: Severity = 'warning'): QuietSubject => ({ alarmName, severity });
const DURING = at('2026-12-05T03:00:00.000Z');

describe('silenceAnnouncements: a silence shorter than the ending notice', () => {
  it('is not announced as ending: its added message already says when it ends', () => {
    const short = silence({ startsAt: START, endsAt: plus(START, 10 * 60_000).toISOString(), createdAt: START });

    expect(silenceAnnouncements([short], at(START)).map((a) => a.kind)).toEqual(['silence-added']);
    expect(silenceAnnouncements([short], plus(START, 5 * 60_000)).map((a) => a.kind)).toEqual(['silence-added']);
  });
});

describe('silenceCovers: patterns', () => {
  it.each([
    ['an exact name', ['RetailPrediction-HighCPU'], 'RetailPrediction-HighCPU', true],
    ['an exact name, not a longer one', ['RetailPrediction-HighCPU'], 'RetailPrediction-HighCPU-Nodes', false],
    ['an exact name, not a shorter one', ['RetailPrediction-HighCPU'], 'RetailPrediction-High', false],
    ['an exact name, case and all', ['RetailPrediction-HighCPU'], 'retailprediction-highcpu', false],
    ['a prefix with *', ['RetailPrediction-*'], 'RetailPrediction-HighLatency', true],
    ['a prefix with *, not another prefix', ['RetailPrediction-*'], 'Checkout-HighLatency', false],
    ['* matching nothing at the end', ['RetailPrediction-HighCPU*'], 'RetailPrediction-HighCPU', true],
    ['a suffix with *', ['*-HighLatency'], 'Checkout-HighLatency', true],
    ['a suffix with *, not another suffix', ['*-HighLatency'], 'Checkout-HighCPU', false],
    ['* in the middle', ['Retail*CPU'], 'RetailPrediction-HighCPU', true],
    ['* in the middle, both ends anchored', ['Retail*CPU'], 'RetailPrediction-HighCPU-Nodes', false],
    ['several * in one pattern', ['*Prediction*Error*'], 'RetailPrediction-HighErrorRate', true],
    ['a lone * covering every alarm', ['*'], 'anything at all', true],
    ['a dot as a dot, not any character', ['RetailPrediction.HighCPU'], 'RetailPrediction-HighCPU', false],
    ['brackets and pluses as themselves', ['api[eu]+5xx'], 'api[eu]+5xx', true],
    ['any of several patterns', ['Checkout-*', '*-HighCPU'], 'RetailPrediction-HighCPU', true],
    ['none of several patterns', ['Checkout-*', '*-HighLatency'], 'RetailPrediction-HighCPU', false],
  ])('%s', (_label, alarms, name, covered) => {
    expect(silenceCovers(silence({ alarms }), subject(name), DURING)).toBe(covered);
  });
});

describe('silenceCovers: severities and bounds', () => {
  it('with severities covers only those severities', () => {
    const s = silence({ alarms: ['RetailPrediction-*'], severities: ['warning', 'info'] });

    expect(silenceCovers(s, subject('RetailPrediction-HighCPU', 'warning'), DURING)).toBe(true);
    expect(silenceCovers(s, subject('RetailPrediction-HighCPU', 'info'), DURING)).toBe(true);
    expect(silenceCovers(s, subject('RetailPrediction-HighCPU', 'critical'), DURING)).toBe(false);
  });

  it('without severities covers every severity', () => {
    for (const severity of ['critical', 'warning', 'info'] as const) {
      expect(silenceCovers(silence(), subject('RetailPrediction-HighCPU', severity), DURING)).toBe(true);
    }
  });

  it('a matching severity does not cover a name the patterns do not match', () => {
    expect(silenceCovers(silence({ severities: ['warning'] }), subject('Checkout-HighCPU', 'warning'), DURING)).toBe(false);
  });

  it.each([
    ['a millisecond before it starts', plus(START, -1), false],
    ['the instant it starts', at(START), true],
    ['while it lasts', DURING, true],
    ['a millisecond before it ends', plus(END, -1), true],
    ['the instant it ends (the end is exclusive)', at(END), false],
    ['after it ended', plus(END, MINUTE_MS), false],
  ])('%s: covered %s', (_label, when, covered) => {
    expect(silenceCovers(silence(), subject('RetailPrediction-HighCPU'), when)).toBe(covered);
  });

  it.each([
    ['an end that is not a time', { endsAt: 'tomorrow' }],
    ['a start that is not a time', { startsAt: '' }],
  ])('a silence with %s covers nothing (loud beats lost), rather than every moment', (_label, broken) => {
    expect(silenceCovers(silence(broken), subject('RetailPrediction-HighCPU'), at('2030-01-01T00:00:00.000Z'))).toBe(false);
    expect(silenceCovers(silence(broken), subject('RetailPrediction-HighCPU'), DURING)).toBe(false);
  });

  it('an expired silence (its end moved to when it was expired) no longer covers', () => {
    const expired = silence({ endsAt: '2026-12-05T02:30:00.000Z', expiredBy: 'bob@example.com' });

    expect(silenceCovers(expired, subject('RetailPrediction-HighCPU'), at('2026-12-05T02:29:59.999Z'))).toBe(true);
    expect(silenceCovers(expired, subject('RetailPrediction-HighCPU'), at('2026-12-05T02:30:00.000Z'))).toBe(false);
  });
});

describe('holdsOn: which hold, in which order', () => {
  const cpu = subject('RetailPrediction-HighCPU');

  it('a covering silence becomes a hold with its id, reason, author, bounds and pause', () => {
    const holds = holdsOn(cpu, DURING, [silence({ pauseRemediation: true })], []);

    expect(holds).toEqual([
      { kind: 'silence', id: 'sil-0000000001', reason: 'migrating the feature store', by: 'alice@example.com', startsAt: START, endsAt: END, pauseRemediation: true },
    ]);
    expect(describeHold(holds[0]!)).toBe(`silence sil-0000000001 (migrating the feature store, by alice@example.com, until ${END})`);
  });

  it('silences that do not cover the alarm are left out', () => {
    const silences = [
      silence({ id: 'sil-other-name', alarms: ['Checkout-*'] }),
      silence({ id: 'sil-other-severity', severities: ['critical'] }),
      silence({ id: 'sil-later', startsAt: '2026-12-05T05:00:00.000Z', endsAt: '2026-12-05T06:00:00.000Z' }),
      silence({ id: 'sil-covering' }),
    ];

    expect(holdsOn(cpu, DURING, silences, []).map((h) => h.id)).toEqual(['sil-covering']);
  });

  it('nothing holds an alarm no silence or window covers', () => {
    expect(holdsOn(subject('Checkout-HighCPU'), DURING, [silence()], [nightly()])).toEqual([]);
  });

  it('overlapping silences: the longest-lasting first, whatever order they were stored in', () => {
    const silences = [
      silence({ id: 'sil-short', endsAt: '2026-12-05T03:30:00.000Z' }),
      silence({ id: 'sil-long', endsAt: '2026-12-05T06:00:00.000Z' }),
      silence({ id: 'sil-middle', endsAt: '2026-12-05T05:00:00.000Z' }),
    ];

    expect(holdsOn(cpu, DURING, silences, []).map((h) => h.id)).toEqual(['sil-long', 'sil-middle', 'sil-short']);
  });

  it('silences ending together: by id', () => {
    const silences = [silence({ id: 'sil-bbbbbbbbbb' }), silence({ id: 'sil-aaaaaaaaaa' })];

    expect(holdsOn(cpu, DURING, silences, []).map((h) => h.id)).toEqual(['sil-aaaaaaaaaa', 'sil-bbbbbbbbbb']);
  });

  it('an open window is a hold named window:<name>, its bounds the occurrence open now', () => {
    const holds = holdsOn(cpu, DURING, [], [nightly({ pauseRemediation: true })]);

    expect(holds).toEqual([
      { kind: 'window', id: 'window:weekly-patching', name: 'weekly-patching', reason: 'node patching', by: 'policy', startsAt: START, endsAt: END, pauseRemediation: true },
    ]);
    expect(describeHold(holds[0]!)).toBe(`maintenance window weekly-patching (node patching, by policy, until ${END})`);
  });

  it('a window holds only while open (its end exclusive), only the alarms and severities it names', () => {
    expect(holdsOn(cpu, plus(START, -1), [], [nightly()])).toEqual([]);
    expect(holdsOn(cpu, at(START), [], [nightly()])).toHaveLength(1);
    expect(holdsOn(cpu, plus(END, -1), [], [nightly()])).toHaveLength(1);
    expect(holdsOn(cpu, at(END), [], [nightly()])).toEqual([]);
    expect(holdsOn(subject('Checkout-HighCPU'), DURING, [], [nightly()])).toEqual([]);
    expect(holdsOn(subject('RetailPrediction-HighCPU', 'critical'), DURING, [], [nightly({ severity: ['warning'] })])).toEqual([]);
    expect(holdsOn(subject('RetailPrediction-HighCPU', 'warning'), DURING, [], [nightly({ severity: ['warning'] })])).toHaveLength(1);
  });

  it('windowHold is undefined while the window is closed', () => {
    expect(windowHold(nightly(), at('2026-12-06T03:00:00.000Z'))).toBeUndefined();
    expect(windowHold(nightly(), DURING)?.endsAt).toBe(END);
  });

  it('a silence and a window ending together: the silence first', () => {
    const holds = holdsOn(cpu, DURING, [silence({ id: 'sil-zzzzzzzzzz' })], [nightly({ name: 'aaa-first-by-name' })]);

    expect(holds.map((h) => h.id)).toEqual(['sil-zzzzzzzzzz', 'window:aaa-first-by-name']);
  });

  it('a window that lasts longer than a silence comes before it', () => {
    const holds = holdsOn(cpu, DURING, [silence({ endsAt: '2026-12-05T03:30:00.000Z' })], [nightly()]);

    expect(holds.map((h) => h.id)).toEqual(['window:weekly-patching', 'sil-0000000001']);
  });

  it('pausingHold picks the hold that pauses remediation even when another holds longer', () => {
    const holds = holdsOn(
      cpu,
      DURING,
      [silence({ id: 'sil-long-quiet', endsAt: '2026-12-05T08:00:00.000Z', pauseRemediation: false }), silence({ id: 'sil-short-pause', endsAt: '2026-12-05T03:30:00.000Z', pauseRemediation: true })],
      [nightly({ pauseRemediation: true })],
    );

    expect(holds.map((h) => h.id)).toEqual(['sil-long-quiet', 'window:weekly-patching', 'sil-short-pause']);
    // The longest-lasting of those that pause: the window.
    expect(pausingHold(holds)?.id).toBe('window:weekly-patching');
    expect(pausingHold(holds.filter((h) => h.kind === 'silence'))?.id).toBe('sil-short-pause');
  });

  it('pausingHold is undefined when no hold pauses remediation', () => {
    expect(pausingHold(holdsOn(cpu, DURING, [silence()], [nightly()]))).toBeUndefined();
    expect(pausingHold([])).toBeUndefined();
  });
});

describe('silenceAnnouncements', () => {
  const created = Date.parse('2026-12-05T01:55:00.000Z');
  const kinds = (silences: readonly Silence[], now: Date) => silenceAnnouncements(silences, now).map((a) => a.kind);

  it('added: who, what, from when until when, for how long, why, and whether remediation goes on', () => {
    const [added] = silenceAnnouncements([silence()], new Date(created + MINUTE_MS));

    expect(added).toEqual({
      id: 'announce#sil-0000000001#added',
      kind: 'silence-added',
      holdId: 'sil-0000000001',
      text: ':mute: Silence sil-0000000001 added by alice@example.com: `RetailPrediction-HighCPU` from 2026-12-05T02:00:00.000Z until 2026-12-05T04:00:00.000Z (2h). Reason: migrating the feature store. Remediation goes on.',
    });
  });

  it('added, for a silence in force, with several patterns, severities and paused remediation: the time left, no "from"', () => {
    const s = silence({ alarms: ['RetailPrediction-*', '*-HighCPU'], severities: ['warning', 'info'], createdAt: '2026-12-05T02:30:00.000Z', startsAt: '2026-12-05T02:30:00.000Z', pauseRemediation: true });

    const [added] = silenceAnnouncements([s], at('2026-12-05T02:30:00.000Z'));

    expect(added?.text).toBe(
      ':mute: Silence sil-0000000001 added by alice@example.com: `RetailPrediction-*`, `*-HighCPU` (severity warning, info) until 2026-12-05T04:00:00.000Z (1h30m). Reason: migrating the feature store. Remediation is paused for these alarms.',
    );
  });

  it('added once per silence: the same id on every run within the hour, none after ANNOUNCE_WITHIN_MS', () => {
    const early = silenceAnnouncements([silence()], new Date(created));
    const late = silenceAnnouncements([silence()], new Date(created + ANNOUNCE_WITHIN_MS - 1));

    expect(early.filter((a) => a.kind === 'silence-added')).toHaveLength(1);
    expect(late.filter((a) => a.kind === 'silence-added').map((a) => a.id)).toEqual(early.map((a) => a.id));
    expect(kinds([silence()], new Date(created + ANNOUNCE_WITHIN_MS))).not.toContain('silence-added');
    expect(kinds([silence()], new Date(created - 1))).toEqual([]);
  });

  it('each silence is announced on its own', () => {
    const ids = silenceAnnouncements([silence({ id: 'sil-aaaaaaaaaa' }), silence({ id: 'sil-bbbbbbbbbb' })], new Date(created)).map((a) => a.id);

    expect(ids).toEqual(['announce#sil-aaaaaaaaaa#added', 'announce#sil-bbbbbbbbbb#added']);
  });

  it('ending: 15 minutes before the end, with how long is left, and not earlier', () => {
    const notice = Date.parse(END) - ENDING_NOTICE_MS;

    expect(kinds([silence()], new Date(notice - 1))).toEqual([]);
    const [ending] = silenceAnnouncements([silence()], new Date(notice));
    expect(ending).toEqual({
      id: 'announce#sil-0000000001#ending',
      kind: 'silence-ending',
      holdId: 'sil-0000000001',
      text: ':hourglass_flowing_sand: Silence sil-0000000001 (migrating the feature store) ends at 2026-12-05T04:00:00.000Z, in 15m: `RetailPrediction-HighCPU` will notify again.',
    });
    expect(silenceAnnouncements([silence()], new Date(notice + 5 * MINUTE_MS))[0]?.text).toContain('in 10m:');
    expect(kinds([silence()], plus(END, -1))).toEqual(['silence-ending']);
  });

  it('ended: at its end, and within ANNOUNCE_WITHIN_MS of it only', () => {
    const [ended] = silenceAnnouncements([silence()], at(END));

    expect(ended).toEqual({
      id: 'announce#sil-0000000001#ended',
      kind: 'silence-ended',
      holdId: 'sil-0000000001',
      text: ':loud_sound: Silence sil-0000000001 (migrating the feature store) ended at 2026-12-05T04:00:00.000Z: `RetailPrediction-HighCPU` notify again.',
    });
    expect(kinds([silence()], plus(END, ANNOUNCE_WITHIN_MS - 1))).toEqual(['silence-ended']);
    expect(kinds([silence()], plus(END, ANNOUNCE_WITHIN_MS))).toEqual([]);
  });

  it('ended, for a silence someone expired: says who, and gives no "ending" notice', () => {
    const expired = silence({ endsAt: '2026-12-05T02:20:00.000Z', expiredBy: 'bob@example.com', createdAt: '2026-12-05T00:00:00.000Z' });

    expect(kinds([expired], at('2026-12-05T02:10:00.000Z'))).toEqual([]);
    const [ended] = silenceAnnouncements([expired], at('2026-12-05T02:20:00.000Z'));
    expect(ended?.kind).toBe('silence-ended');
    expect(ended?.text).toBe(':loud_sound: Silence sil-0000000001 (migrating the feature store) was expired by bob@example.com at 2026-12-05T02:20:00.000Z: `RetailPrediction-HighCPU` notify again.');
  });

  it('a silence added and expired within the hour announces its end, not its addition', () => {
    const expired = silence({ createdAt: '2026-12-05T02:00:00.000Z', endsAt: '2026-12-05T02:05:00.000Z', expiredBy: 'bob@example.com' });

    expect(kinds([expired], at('2026-12-05T02:06:00.000Z'))).toEqual(['silence-ended']);
  });
});

describe('windowAnnouncements', () => {
  it('opened: at the start of an occurrence, with its end, duration, alarms, reason and pause, keyed by the occurrence', () => {
    const [opened] = windowAnnouncements([nightly({ pauseRemediation: true, severity: ['warning'] })], plus(START, 30_000));

    expect(opened).toEqual({
      id: 'announce#window:weekly-patching#2026-12-05T02:00:00.000Z#opened',
      kind: 'window-opened',
      holdId: 'window:weekly-patching',
      text: ':construction: Maintenance window weekly-patching is open until 2026-12-05T04:00:00.000Z (2h): `RetailPrediction-*` (severity warning) are silenced. Reason: node patching. Remediation is paused for these alarms.',
    });
  });

  it('opened only within ANNOUNCE_WITHIN_MS of the start, never before it', () => {
    expect(windowAnnouncements([nightly()], plus(START, -1))).toEqual([]);
    expect(windowAnnouncements([nightly()], plus(START, ANNOUNCE_WITHIN_MS - 1)).map((a) => a.kind)).toEqual(['window-opened']);
    expect(windowAnnouncements([nightly()], plus(START, ANNOUNCE_WITHIN_MS))).toEqual([]);
  });

  it('closed: at the end of the occurrence, within ANNOUNCE_WITHIN_MS of it', () => {
    const [closed] = windowAnnouncements([nightly()], at(END));

    expect(closed).toEqual({
      id: 'announce#window:weekly-patching#2026-12-05T02:00:00.000Z#closed',
      kind: 'window-closed',
      holdId: 'window:weekly-patching',
      since: '2026-12-05T02:00:00.000Z',
      text: ':white_check_mark: Maintenance window weekly-patching closed at 2026-12-05T04:00:00.000Z: `RetailPrediction-*` notify again.',
    });
    expect(windowAnnouncements([nightly()], plus(END, -1)).map((a) => a.kind)).toEqual([]);
    expect(windowAnnouncements([nightly()], plus(END, ANNOUNCE_WITHIN_MS - 1)).map((a) => a.kind)).toEqual(['window-closed']);
    expect(windowAnnouncements([nightly()], plus(END, ANNOUNCE_WITHIN_MS))).toEqual([]);
  });

  it('occurrences that overlap close once, when the last of them ends', () => {
    // Hourly, two hours long: the 02:00 occurrence ends at 04:00 while the 03:00 one is open until 05:00.
    const hourly = nightly({ schedule: '0 2-3 * * SAT' });

    expect(windowAnnouncements([hourly], at('2026-12-05T04:00:00.000Z')).filter((a) => a.kind === 'window-closed')).toEqual([]);
    expect(windowAnnouncements([hourly], at('2026-12-05T05:00:00.000Z')).filter((a) => a.kind === 'window-closed').map((a) => a.id)).toEqual([
      'announce#window:weekly-patching#2026-12-05T03:00:00.000Z#closed',
    ]);
  });

  it("each week's occurrence has its own ids", () => {
    const nextWeek = windowAnnouncements([nightly()], at('2026-12-12T02:00:00.000Z'));

    expect(nextWeek.map((a) => a.id)).toEqual(['announce#window:weekly-patching#2026-12-12T02:00:00.000Z#opened']);
  });

  it('a short window opened and closed within the hour announces both', () => {
    const short = nightly({ duration: 10 * MINUTE_MS });

    expect(windowAnnouncements([short], plus(START, 20 * MINUTE_MS)).map((a) => a.kind)).toEqual(['window-closed']);
    expect(windowAnnouncements([short], plus(START, 5 * MINUTE_MS)).map((a) => a.kind)).toEqual(['window-opened']);
  });
});

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['7d', 604_800_000],
    ['1h30m', 5_400_000],
    ['1d2h3m4s', 93_784_000],
    ['90m', 5_400_000],
    ['0h5m', 300_000],
    [' 5m ', 300_000],
  ])('%j is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '   ', '0s', '0h0m', '5x', '1m2h', '5', 'm', '-5m', '1.5h', '5M', '5 m', '1h 30m', 'h1', '5ms'])('%j is not a duration', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [5_400_000, '1h30m'],
    [30_000, '30s'],
    [86_400_000, '1d'],
    [90_061_000, '1d1h1m1s'],
    [604_800_000, '7d'],
    [1_499, '1s'],
    [1_500, '2s'],
    [499, '0s'],
    [0, '0s'],
    [-60_000, '0s'],
  ])('%d ms is %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each(['30s', '5m', '2h', '1h30m', '7d', '1d2h3m4s'])('%j reads back as itself', (text) => {
    expect(formatDuration(parseDuration(text)!)).toBe(text);
  });
});
