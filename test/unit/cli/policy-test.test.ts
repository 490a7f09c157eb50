import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeMessage, describeSubscriptions, messagesInFile } from '../../../shared/cli/policy-test';
import { policyForStage, stageDocument } from '../../../shared/policy/load';
import { parsePolicy } from '../../../shared/policy/parse-policy';

const file = (name: string) => join(__dirname, '../../../events', `${name}.json`);
const report = (name: string, stage = 'dev') => {
  const [message] = messagesInFile(name, readFileSync(file(name), 'utf8'));
  return describeMessage(message!, policyForStage(stage), stage).join('\n');
};

describe('npm run policy', () => {
  it('shows severity, route and channels of a critical alarm', () => {
    expect(report('alarm-high-error-rate-alarm')).toBe(
      [
        'alarm:     RetailPrediction-HighErrorRate (metric-math alarm, OK -> ALARM, eu-west-1)',
        'severity:  critical (policy rule)',
        'routes:    critical',
        'channels:  pagerduty (trigger), slack, email',
        'action:    respond for service retail-prediction: diagnose, then scale, open breaker retail-prediction-api or page',
        '           every action passes the safety guards first (kill switch, allow-list, bounds, cooldown, budgets)',
      ].join('\n'),
    );
  });

  it('shows the remediation actions of each state, and none where the policy has none', () => {
    expect(report('alarm-high-cpu-alarm')).toContain('action:    scaleNodegroup retail-prediction-nodegroup +1\naction:    scaleDeployment retail-forecast-api to 6 replicas');
    expect(report('alarm-high-cpu-ok')).toContain('action:    scaleDeployment retail-forecast-api to 3 replicas');
    expect(report('alarm-high-error-rate-ok')).toContain('close the incident');
    expect(report('alarm-high-latency-alarm')).toContain('actions:   (none)');
  });

  it('shows a resolve for OK and what is withheld for INSUFFICIENT_DATA', () => {
    expect(report('alarm-critical-issue-ok')).toContain('channels:  pagerduty (resolve)');
    const insufficient = messagesInFile('x', JSON.stringify({ ...JSON.parse(JSON.parse(readFileSync(file('alarm-insufficient-data'), 'utf8')).Records[0].Sns.Message), AlarmName: 'RetailPrediction-HighErrorRate' }));
    expect(describeMessage(insufficient[0]!, policyForStage('dev'), 'dev').join('\n')).toMatch(/withheld: {2}pagerduty: INSUFFICIENT_DATA pages nobody/);
  });

  it('reads a bare CloudWatch message as well as an SNS event, and explains a generic one', () => {
    const bare = JSON.parse(readFileSync(file('alarm-high-cpu-alarm'), 'utf8')).Records[0].Sns.Message as string;
    expect(describeMessage(messagesInFile('bare.json', bare)[0]!, policyForStage('dev'), 'dev')[0]).toContain('RetailPrediction-HighCPU');
    expect(report('sns-plain-text')).toContain('not an alarm: not JSON');
  });
});

describe('npm run policy: subscriptions', () => {
  /** The prod policy with the responder's alarms replaced and its remediation section kept or left out. */
  const prodWith = (responderAlarms: string[], remediation = true) => {
    const document = structuredClone(stageDocument('prod')) as { remediation?: unknown; responder: { services: Record<string, { alarms: string[] }> } };
    document.responder.services['retail-prediction']!.alarms = responderAlarms;
    if (!remediation) delete document.remediation;
    return parsePolicy(document, 'test policy');
  };

  it('says which alarms, in which states, reach each function on the alarms topic', () => {
    expect(describeSubscriptions(policyForStage('prod'), 'prod')).toEqual([
      'subscriptions to the alarms topic (stage prod):',
      '  notify           every message',
      '  scaleNodegroup   RetailPrediction-HighCPU in ALARM',
      '  scaleDeployment  RetailPrediction-HighCPU in ALARM, OK',
      '  respond          RetailPrediction-HighErrorRate in any state',
    ]);
  });

  it('says when a function receives every alarm or is not subscribed, and why', () => {
    const lines = describeSubscriptions(prodWith(['Retail*Latency'], false), 'prod');
    expect(lines).toContain('  scaleNodegroup   not subscribed: the policy has no remediation section');
    expect(lines).toContain('  respond          every alarm: alarm pattern Retail*Latency has a * that is not at its end; SNS selects exact names and prefixes only');
    expect(describeSubscriptions(prodWith(['RetailPrediction-*']), 'prod')).toContain('  respond          RetailPrediction-* (every name starting RetailPrediction-) in any state');
  });
});
