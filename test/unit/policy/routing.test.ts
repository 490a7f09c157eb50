import { decideSeverity, matchesPattern, route, runbookPath } from '../../../shared/policy/routing';
import { parsePolicy } from '../../../shared/policy/parse-policy';
import { policyForStage, stageDocument, stageNames } from '../../../shared/policy/load';
import { ConfigError } from '../../../shared/errors';
import type { RoutingPolicy } from '../../../shared/policy/schema';

const sample = (): RoutingPolicy => policyForStage('dev').notify;

describe('decideSeverity', () => {
  it('takes a policy rule on the alarm name first', () => {
    expect(decideSeverity(sample(), 'RetailPrediction-HighErrorRate', 'severity=info')).toEqual({ severity: 'critical', from: 'policy rule' });
  });
  it.each([
    ['[P0] checkout broken', 'critical'],
    ['[p1] errors', 'critical'],
    ['[P2] slow', 'warning'],
    ['[P3] fyi', 'info'],
    ['severity=critical', 'critical'],
    ['Severity: warning — latency', 'warning'],
    ['owner=ml severity=info', 'info'],
  ])('reads the description token in %j', (description, severity) => {
    expect(decideSeverity(sample(), 'Other-Alarm', description)).toEqual({ severity, from: 'description token' });
  });
  it('an explicit severity= token beats a priority token', () => {
    expect(decideSeverity(sample(), 'X', '[P0] severity=info').severity).toBe('info');
  });
  it('falls back to the default', () => {
    expect(decideSeverity(sample(), 'Other', 'no token here')).toEqual({ severity: 'warning', from: 'default' });
    expect(decideSeverity(sample(), undefined)).toEqual({ severity: 'warning', from: 'default' });
  });
});

describe('route: the sample policy and the reference alarms', () => {
  it.each([
    ['RetailPrediction-HighErrorRate', 'critical', ['critical'], ['pagerduty', 'slack', 'email']],
    ['RetailPrediction-HighLatency', 'warning', ['retail-warnings'], ['slack']],
    ['RetailPrediction-HighCPU', 'warning', ['retail-warnings'], ['slack']],
    ['RetailPrediction-CriticalIssue', 'critical', ['critical-issue-pages'], ['pagerduty']],
    ['Unknown-Alarm', 'warning', ['default'], ['slack', 'email']],
  ] as const)('%s (%s) → %j %j', (alarmName, severity, routes, channels) => {
    const decision = route(sample(), { alarmName, severity, state: 'ALARM' });
    expect(decision).toEqual({ routes, channels, routeOf: Object.fromEntries(channels.map((c) => [c, routes[0]])), withheld: [] });
  });

  it('sends OK to the same channels (PagerDuty resolves)', () => {
    expect(route(sample(), { alarmName: 'RetailPrediction-HighErrorRate', severity: 'critical', state: 'OK' }).channels).toEqual(['pagerduty', 'slack', 'email']);
  });

  it('withholds PagerDuty on INSUFFICIENT_DATA unless the policy says trigger', () => {
    const decision = route(sample(), { alarmName: 'RetailPrediction-HighErrorRate', severity: 'critical', state: 'INSUFFICIENT_DATA' });
    expect(decision.channels).toEqual(['slack', 'email']);
    expect(decision.withheld).toEqual([{ channel: 'pagerduty', reason: expect.stringMatching(/INSUFFICIENT_DATA pages nobody/) }]);
    const paging = { ...sample(), pagerduty: { ...sample().pagerduty, insufficientData: 'trigger' as const } };
    expect(route(paging, { alarmName: 'RetailPrediction-HighErrorRate', severity: 'critical', state: 'INSUFFICIENT_DATA' }).channels).toContain('pagerduty');
  });

  it('gives generic notifications (no alarm name) the default route', () => {
    expect(route(sample(), { severity: 'critical' })).toEqual({ routes: ['default'], channels: ['slack', 'email'], routeOf: { slack: 'default', email: 'default' }, withheld: [] });
  });

  it('names, for each channel, the first matched route that names it (the route that decides whether it is grouped)', () => {
    const policy = {
      ...sample(),
      routes: [
        { name: 'all-retail', match: { alarm: ['RetailPrediction-*'] }, channels: ['slack' as const], continue: true },
        { name: 'paging', match: {}, channels: ['pagerduty' as const, 'slack' as const], continue: false },
      ],
    };
    expect(route(policy, { alarmName: 'RetailPrediction-HighCPU', severity: 'warning', state: 'ALARM' }).routeOf).toEqual({ slack: 'all-retail', pagerduty: 'paging' });
  });
});

describe('route: first match wins, continue adds channels', () => {
  const policy = (): RoutingPolicy =>
    parsePolicy({
      version: 1,
      notify: {
        severity: { rules: [] },
        routes: [
          { name: 'ml', match: { alarm: ['Training-*', 'Retail*'] }, channels: ['slack'], continue: true },
          { name: 'crit', match: { severity: ['critical'], state: ['ALARM'] }, channels: ['pagerduty', 'slack'] },
          { name: 'never', match: { alarm: 'Retail*' }, channels: ['email'] },
        ],
        defaultRoute: { channels: ['email'] },
      },
    }).notify;

  it('continues past a route with continue, deduplicating channels', () => {
    expect(route(policy(), { alarmName: 'RetailX', severity: 'critical', state: 'ALARM' })).toMatchObject({
      routes: ['ml', 'crit'],
      channels: ['slack', 'pagerduty'],
    });
  });
  it('stops at the first route without continue', () => {
    expect(route(policy(), { alarmName: 'RetailX', severity: 'warning', state: 'ALARM' }).routes).toEqual(['ml', 'never']);
  });
  it('a state matcher excludes other states', () => {
    expect(route(policy(), { alarmName: 'Other', severity: 'critical', state: 'OK' }).routes).toEqual(['default']);
  });
});

describe('matchesPattern', () => {
  it.each([
    ['RetailPrediction-*', 'RetailPrediction-HighCPU', true],
    ['RetailPrediction-*', 'Retail-HighCPU', false],
    ['*CPU', 'RetailPrediction-HighCPU', true],
    ['Exact.Name', 'ExactXName', false],
    ['a+b', 'a+b', true],
  ])('%s ~ %s = %s', (pattern, name, expected) => expect(matchesPattern(pattern, name)).toBe(expected));
});

describe('runbookPath', () => {
  it('maps the reference alarms to their runbook and anything else to the index', () => {
    expect(runbookPath(sample(), 'RetailPrediction-HighCPU')).toBe('RetailPrediction-HighCPU.md');
    expect(runbookPath(sample(), 'Other')).toBe('README.md');
    expect(runbookPath(sample(), undefined)).toBe('README.md');
  });
});

describe('policy validation', () => {
  it.each(stageNames())('the %s stage policy is valid', (stage) => {
    expect(() => policyForStage(stage)).not.toThrow();
  });

  it('names the bad field', () => {
    const bad = structuredClone(stageDocument('dev')) as { notify: { routes: { channels: string[] }[] } };
    bad.notify.routes[1]!.channels[0] = 'pager';
    expect(() => parsePolicy(bad)).toThrow(ConfigError);
    expect(() => parsePolicy(bad)).toThrow(/notify\.routes\.1\.channels\.0/);
  });

  it('rejects unknown fields (a typo is not silently ignored)', () => {
    const bad = structuredClone(stageDocument('dev')) as { notify: Record<string, unknown> };
    bad.notify.defaultRoutes = { channels: ['slack'] };
    expect(() => parsePolicy(bad)).toThrow(/notify: Unrecognized key: "defaultRoutes"/);
  });

  it('rejects a channel listed twice and an unknown stage', () => {
    const bad = structuredClone(stageDocument('dev')) as { notify: { defaultRoute: { channels: string[] } } };
    bad.notify.defaultRoute.channels = ['slack', 'slack'];
    expect(() => parsePolicy(bad)).toThrow(/notify\.defaultRoute\.channels: lists a channel twice/);
    expect(() => policyForStage('staging')).toThrow(/No policy for stage "staging"/);
  });
});
