// Unit tests: refusal notices reach Slack, and PagerDuty when critical, through real HTTP on loopback.
import { loadConfig } from '../../../shared/config';
import { InvocationFailedError } from '../../../shared/errors';
import { channelRefusalNotifier, refusalPage, refusalText } from '../../../shared/remediation/notifier';
import { TestReceiver } from '../../support/receiver';
import { refusalNotice as notice } from '../../support/refusal-notice';

let receiver: TestReceiver;
beforeAll(async () => {
  receiver = await TestReceiver.start();
});
afterAll(() => receiver.close());
beforeEach(() => receiver.reset());


const notifier = () =>
  channelRefusalNotifier(
    loadConfig({ STAGE: 'dev', SLACK_WEBHOOK_URL: receiver.url('/slack'), PAGERDUTY_ROUTING_KEY: 'routing-key-1', PAGERDUTY_EVENTS_URL: receiver.url('/pagerduty') }),
    { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 10 } },
  );

it('tells Slack why, and does not page for a non-critical alarm', async () => {
  await notifier().tell(notice());

  expect(receiver.requests.map((r) => r.path)).toEqual(['/slack']);
  const [body] = receiver.jsonBodies<{ text: string }>();
  expect(body?.text).toContain('was refused by the bounds guard');
  expect(body?.text).toContain('already at maximum capacity (6 of max 6)');
});

it('pages as well when the rule is critical, deduplicated per alarm and target', async () => {
  await notifier().tell(notice({ critical: true, guard: 'kill-switch', reason: 'the kill switch is on' }));

  expect(receiver.requests.map((r) => r.path).sort()).toEqual(['/pagerduty', '/slack']);
  const page = receiver.requests.find((r) => r.path === '/pagerduty');
  expect(JSON.parse(page?.body ?? '{}')).toMatchObject({
    routing_key: 'routing-key-1',
    event_action: 'trigger',
    dedup_key: 'firebreak:remediation:RetailPrediction-HighCPU:retail-prediction-nodegroup',
    payload: { severity: 'critical', summary: expect.stringContaining('kill-switch') },
  });
});

it('pages for an alarm whose name is as long as CloudWatch allows, within PagerDuty\'s 255-character dedup key', async () => {
  const alarm = `RetailPrediction-${'VeryLongAlarmName-'.repeat(13)}`.slice(0, 255);
  await notifier().tell(notice({ critical: true, alarm }));
  await notifier().tell(notice({ critical: true, alarm, target: 'other-nodegroup' }));

  const keys = receiver.requests.filter((r) => r.path === '/pagerduty').map((r) => (JSON.parse(r.body) as { dedup_key: string }).dedup_key);
  expect(keys).toHaveLength(2);
  for (const key of keys) {
    expect(key.length).toBeLessThanOrEqual(255);
    expect(key.startsWith(`firebreak:remediation:${alarm.slice(0, 100)}`)).toBe(true);
  }
  // Still one incident per alarm and target.
  expect(keys[0]).not.toBe(keys[1]);
});

it('throws after trying both when a channel fails', async () => {
  receiver.setFallback({ status: 400, body: 'invalid_payload' });

  const error = await notifier().tell(notice({ critical: true })).catch((e: unknown) => e);

  expect(error).toBeInstanceOf(InvocationFailedError);
  expect((error as InvocationFailedError).failures.map((f) => f.what).sort()).toEqual(['pagerduty', 'slack']);
});

it('words "in progress" differently from a refusal', () => {
  expect(refusalText(notice({ guard: 'in-progress', reason: 'ScalingActivityInProgress: busy' }))).toContain('another change is already in progress');
});

it('cuts a long refusal summary between characters, never inside an emoji', () => {
  const head = refusalText(notice({ reason: '' }));
  const reason = `${'r'.repeat(1023 - head.length)}🚨 change freeze`;
  const summary = refusalPage(notice({ reason }), 'dev').payload?.summary ?? '';
  expect(summary).toBe(refusalText(notice({ reason })).slice(0, 1023));
  expect(summary).not.toMatch(/[\uD800-\uDBFF]$/);
});
