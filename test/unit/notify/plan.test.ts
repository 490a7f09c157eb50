// Unit tests: a planned delivery described in one line, as a dry run logs it (the payload itself is in the result).
import { parseSnsRecord } from '../../../shared/alarm/parse';
import { describeDelivery, planNotification } from '../../../shared/notify/plan';
import { policyForStage } from '../../../shared/policy/load';
import { loadSnsRecord } from '../../support/events';

const planOf = (name: string) =>
  planNotification(parseSnsRecord(loadSnsRecord(name)), { policy: policyForStage('dev').notify, stage: 'dev', runbookBaseUrl: 'https://runbooks.example.com/firebreak/' });

describe('describeDelivery', () => {
  it('says what each channel would get: the page and its key, the Slack headline, the mail subject', () => {
    const described = Object.fromEntries(planOf('alarm-high-error-rate-alarm').deliveries.map((d) => [d.channel, describeDelivery(d)]));

    expect(described).toEqual({
      pagerduty: 'trigger (critical) for dedup_key arn:aws:cloudwatch:eu-west-1:123456789012:alarm:RetailPrediction-HighErrorRate',
      slack: expect.stringMatching(/^message ":rotating_light: ALARM: RetailPrediction-HighErrorRate \(eu-west-1\) \[critical\]: Threshold Crossed.*…"$/),
      email: 'mail with subject "ALARM: RetailPrediction-HighErrorRate (eu-west-1)"',
    });
    expect(described.slack!.length).toBeLessThan(120);
  });

  it('describes a resolve, which carries no severity', () => {
    const page = planOf('alarm-high-error-rate-ok').deliveries.find((d) => d.channel === 'pagerduty')!;

    expect(describeDelivery(page)).toBe('resolve for dedup_key arn:aws:cloudwatch:eu-west-1:123456789012:alarm:RetailPrediction-HighErrorRate');
  });
});
