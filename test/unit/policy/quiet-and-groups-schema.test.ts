// The policy schema's maintenance windows and grouped routes: what a stage file may say, and the messages for what it may not.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePolicy } from '../../../shared/policy/parse-policy';

const devPolicy = () => JSON.parse(readFileSync(join(__dirname, '../../../shared/policy/stages/dev.json'), 'utf8')) as { notify: Record<string, unknown> & { routes: Record<string, unknown>[] } };

const window = (overrides: Record<string, unknown> = {}) => ({
  name: 'weekly-patching',
  schedule: '0 3 * * SAT',
  timeZone: 'Europe/London',
  duration: '2h',
  alarms: 'RetailPrediction-*',
  reason: 'node patching',
  ...overrides,
});

const withWindows = (...windows: unknown[]) => {
  const policy = devPolicy();
  policy.notify.windows = windows;
  return policy;
};

describe('notify.windows', () => {
  it('reads a window: the duration in ms, one pattern as a list, remediation not paused unless it says so', () => {
    const parsed = parsePolicy(withWindows(window()), 'dev.json');

    expect(parsed.notify.windows).toEqual([
      { name: 'weekly-patching', schedule: '0 3 * * SAT', timeZone: 'Europe/London', duration: 7_200_000, alarms: ['RetailPrediction-*'], reason: 'node patching', pauseRemediation: false },
    ]);
  });

  it('takes a canonical zone, UTC and an alias the runtime knows (US/Eastern is not in the canonical list)', () => {
    for (const timeZone of ['America/New_York', 'UTC', 'US/Eastern']) {
      expect(parsePolicy(withWindows(window({ timeZone })), 'dev.json').notify.windows[0]?.timeZone).toBe(timeZone);
    }
  });

  it.each([
    [{ timeZone: 'Mars/Olympus_Mons' }, 'is not an IANA time zone'],
    [{ schedule: '0 25 * * *' }, 'field "hour" is 25: write 0-23'],
    [{ duration: '8d' }, 'is longer than'],
    [{ duration: 'two hours' }, 'is not a duration'],
    [{ reason: '' }, 'reason'],
  ])('refuses %j, saying %s', (overrides, message) => {
    expect(() => parsePolicy(withWindows(window(overrides)), 'dev.json')).toThrow(message);
  });

  it('refuses two windows of one name', () => {
    expect(() => parsePolicy(withWindows(window(), window()), 'dev.json')).toThrow('names a window twice');
  });
});

describe('a route with group', () => {
  const grouped = (group: unknown) => {
    const policy = devPolicy();
    policy.notify.routes = [{ name: 'storm', match: {}, channels: ['slack'], group }];
    return policy;
  };

  it('reads wait and interval to ms, with Alertmanager-like defaults (30s, 5m)', () => {
    expect(parsePolicy(grouped({ by: ['service'] }), 'dev.json').notify.routes[0]?.group).toEqual({ by: ['service'], wait: 30_000, interval: 300_000 });
    expect(parsePolicy(grouped({ by: ['severity', 'alarmPrefix'], wait: '1m', interval: '1h' }), 'dev.json').notify.routes[0]?.group).toEqual({ by: ['severity', 'alarmPrefix'], wait: 60_000, interval: 3_600_000 });
  });

  it.each([
    [{ by: [] }, 'by'],
    [{ by: ['service', 'service'] }, 'lists a key twice'],
    [{ by: ['cluster'] }, 'by'],
    [{ by: ['service'], wait: '16m' }, 'is longer than'],
  ])('refuses %j', (group, message) => {
    expect(() => parsePolicy(grouped(group), 'dev.json')).toThrow(message);
  });
});
