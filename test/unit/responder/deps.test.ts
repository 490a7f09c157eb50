// Unit tests: the responder wiring — alarm states, kill switch and budgets through remediation, links, dry run.
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { loadConfig } from '../../../shared/config';
import { ConfigError } from '../../../shared/errors';
import { policyForStage, stageDocument } from '../../../shared/policy/load';
import { parsePolicyBySection } from '../../../shared/policy/parse-policy';
import { cloudWatchAlarmStates, defaultResponderDeps, loggingPager, loggingTeamNotifier, pagerDutyPager, reviewConsoleUrl } from '../../../shared/responder/deps';
import { TestReceiver } from '../../support/receiver';

const cloudWatch = mockClient(CloudWatchClient);
beforeEach(() => cloudWatch.reset());

describe('responder wiring', () => {
  it('reads metric and composite alarm states from DescribeAlarms', async () => {
    cloudWatch.on(DescribeAlarmsCommand).resolvesOnce({ MetricAlarms: [{ StateValue: 'ALARM' }] }).resolvesOnce({ CompositeAlarms: [{ StateValue: 'OK' }] }).resolvesOnce({});
    const states = cloudWatchAlarmStates(new CloudWatchClient({ region: 'us-east-1' }));
    expect(await states.stateOf('RetailPrediction-HighErrorRate')).toBe('ALARM');
    expect(await states.stateOf('RetailPrediction-CriticalIssue')).toBe('OK');
    expect(await states.stateOf('gone')).toBeUndefined();
    expect(cloudWatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNames: ['RetailPrediction-HighErrorRate'], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] });
  });

  it("hands breaker actions to the remediation engine, with the policy's breakers as its allow-list", async () => {
    const deps = defaultResponderDeps(loadConfig({ STAGE: 'local' }), policyForStage('local'), {
      flags: { read: async () => undefined, write: async () => Promise.reject(new Error('a dry run writes no flag')), list: async () => [] },
    });
    const request = (target: string) => ({
      messageId: 'respond:m-1',
      alarm: { name: 'RetailPrediction-HighErrorRate', state: 'ALARM' as const },
      action: { kind: 'open-breaker' as const, target, reason: 'error rate 62%' },
      requestedBy: 'respond',
    });
    expect(await deps.remediator.remediate(request('retail-prediction-api'))).toMatchObject({ status: 'dry-run', action: 'open-breaker', after: 'open', plan: expect.stringContaining('opened') });
    expect(await deps.remediator.remediate(request('checkout'))).toMatchObject({ status: 'refused', guard: 'allow-list' });
  });

  it('links the review draft to its STATE_TABLE item in the console', () => {
    expect(reviewConsoleUrl('eu-west-1', 'firebreak-prod-state', 'A@2026-11-21T03:13:05.123Z')).toBe(
      'https://eu-west-1.console.aws.amazon.com/dynamodbv2/home?region=eu-west-1#item-explorer?table=firebreak-prod-state&pk=incident%23A%402026-11-21T03%3A13%3A05.123Z&sk=review',
    );
  });

  it('needs STATE_TABLE outside a dry run', () => {
    expect(() => defaultResponderDeps(loadConfig({ STAGE: 'dev', DRY_RUN: 'false' }), policyForStage('dev'))).toThrow('STATE_TABLE must be set');
  });

  it('refuses at cold start a policy that scales a target remediation does not declare', () => {
    const policy = policyForStage('dev');
    expect(() => defaultResponderDeps(loadConfig({ STAGE: 'dev', STATE_TABLE: 'firebreak-dev-state' }), { ...policy, remediation: undefined })).toThrow(ConfigError);
  });

  it('validates at cold start every policy section it reads, notify included', () => {
    const bad = structuredClone(stageDocument('dev')) as { notify: { defaultRoute: { channels: string[] } } };
    bad.notify.defaultRoute.channels = ['pager'];
    const policy = parsePolicyBySection(bad, 'policy for stage dev');
    expect(() => defaultResponderDeps(loadConfig({ STAGE: 'dev', STATE_TABLE: 'firebreak-dev-state' }), policy)).toThrow(/notify\.defaultRoute\.channels\.0/);
  });

  it('in a dry run sends nothing and keeps incidents in memory', async () => {
    const deps = defaultResponderDeps(loadConfig({ STAGE: 'local' }), policyForStage('local'));
    expect(deps.dryRun).toBe(true);
    expect(deps.pager).toBe(loggingPager);
    expect(deps.team).toBe(loggingTeamNotifier);
    expect(deps.reviewUrl('x')).toBeUndefined();
    const incident = await deps.incidents.openOrGet('A', 'svc', '2026-11-21T03:00:00.000Z');
    expect(await deps.incidents.current('A')).toEqual(incident);
    expect(deps.runbookUrl('RetailPrediction-HighErrorRate')).toMatch(/\/RetailPrediction-HighErrorRate\.md$/);
    expect(deps.severityOf('RetailPrediction-HighErrorRate')).toBe('critical');
  });
});

describe('responder pager', () => {
  let receiver: TestReceiver;
  beforeAll(async () => {
    receiver = await TestReceiver.start();
  });
  afterAll(() => receiver.close());

  it("pages and resolves an incident of an alarm with a 255-character name on one dedup key within PagerDuty's limit", async () => {
    const pager = pagerDutyPager(loadConfig({ STAGE: 'dev', PAGERDUTY_ROUTING_KEY: 'routing-key-1', PAGERDUTY_EVENTS_URL: receiver.url('/pagerduty') }));
    const incident = `${'A'.repeat(255)}@2026-03-02T09:00:00.000Z`;
    await pager.trigger({ dedupKey: incident, summary: 'Service degraded', source: 'retail-prediction', severity: 'critical', details: {}, links: [] });
    await pager.resolve(incident, 'Recovered');

    const sent = receiver.jsonBodies<{ event_action: string; dedup_key: string }>();
    expect(sent.map((e) => e.event_action)).toEqual(['trigger', 'resolve']);
    expect(sent[0]?.dedup_key.length).toBeLessThanOrEqual(255);
    expect(sent[0]?.dedup_key.startsWith('A'.repeat(100))).toBe(true);
    expect(sent[1]?.dedup_key).toBe(sent[0]?.dedup_key);
  });
});
