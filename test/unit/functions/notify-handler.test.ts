// The notify handler's cold start: configuration checked before any alarm arrives; dry run by default in local.
import type { Context, SNSEvent } from 'aws-lambda';
import { loadEvent } from '../../support/events';

type Handler = (event: SNSEvent, context: Context) => Promise<{ dryRun: boolean; messages: { outcomes: { channel: string; status: string; payload?: unknown }[] }[] }>;

function loadHandler(env: Record<string, string>): Handler {
  const saved = { ...process.env };
  for (const key of ['STAGE', 'DRY_RUN', 'SLACK_WEBHOOK_URL', 'SLACK_WEBHOOK_PARAM', 'PAGERDUTY_ROUTING_KEY', 'PAGERDUTY_ROUTING_KEY_PARAM', 'EMAIL_TOPIC_ARN', 'STATE_TABLE']) delete process.env[key];
  Object.assign(process.env, { POWERTOOLS_METRICS_DISABLED: 'true' }, env);
  try {
    let handler: Handler | undefined;
    jest.isolateModules(() => {
      // isolateModules needs a synchronous load so each test gets its own cold start.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      handler = (require('../../../functions/notify/handler') as { handler: Handler }).handler;
    });
    return handler!;
  } finally {
    process.env = saved;
  }
}

const context = { functionName: 'firebreak-local-notify', awsRequestId: 'req-1' } as Context;

describe('notify handler', () => {
  it('in stage local runs dry: returns the exact payloads and sends nothing, with no AWS settings at all', async () => {
    const fetchSpy = jest.spyOn(globalThis, 'fetch');
    const handler = loadHandler({ STAGE: 'local' });
    const result = await handler(loadEvent('alarm-high-error-rate-alarm'), context);
    expect(result.dryRun).toBe(true);
    const outcomes = result.messages[0]!.outcomes;
    expect(outcomes.map((o) => [o.channel, o.status])).toEqual([
      ['pagerduty', 'planned'],
      ['slack', 'planned'],
      ['email', 'planned'],
    ]);
    expect(outcomes[0]!.payload).toMatchObject({ event_action: 'trigger' });
    expect(fetchSpy).not.toHaveBeenCalled();
    fetchSpy.mockRestore();
  });

  it('refuses to start when the policy routes to a channel that is not configured', () => {
    expect(() => loadHandler({ STAGE: 'dev', DRY_RUN: 'false', STATE_TABLE: 'state', EMAIL_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:email' })).toThrow(
      /routes to channels that are not configured: pagerduty \(PAGERDUTY_ROUTING_KEY or PAGERDUTY_ROUTING_KEY_PARAM\), slack \(SLACK_WEBHOOK_URL or SLACK_WEBHOOK_PARAM, or the app: SLACK_BOT_TOKEN or SLACK_BOT_TOKEN_PARAM\)$/,
    );
  });

  it('refuses to start without STATE_TABLE when it really delivers', () => {
    expect(() =>
      loadHandler({ STAGE: 'dev', DRY_RUN: 'false', SLACK_WEBHOOK_PARAM: '/firebreak/dev/slack', PAGERDUTY_ROUTING_KEY_PARAM: '/firebreak/dev/pd', EMAIL_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:email' }),
    ).toThrow('STATE_TABLE must be set');
  });

  it("flushes the invocation's counts as EMF when metrics are on", async () => {
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const handler = loadHandler({ STAGE: 'local', POWERTOOLS_METRICS_DISABLED: 'false' });
    await handler(loadEvent('alarm-high-error-rate-alarm'), context);
    const emf = stdout.mock.calls.map(([line]) => String(line)).filter((line) => line.includes('"_aws"'));
    stdout.mockRestore();
    expect(emf).toHaveLength(1);
    expect(JSON.parse(emf[0]!)).toMatchObject({ AlarmMessages: 1 });
  });

  it('has nothing to flush, and warns of nothing, when it refused the event before counting', async () => {
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const handler = loadHandler({ STAGE: 'local', POWERTOOLS_METRICS_DISABLED: 'false' });
    await expect(handler({ Records: [] } as unknown as SNSEvent, context)).rejects.toThrow('Expected an SNS event with Records');
    const printed = [...stdout.mock.calls, ...stderr.mock.calls].map(([line]) => String(line));
    stdout.mockRestore();
    stderr.mockRestore();
    expect(printed.filter((line) => line.includes('"_aws"') || line.includes('No application metrics'))).toEqual([]);
  });

  it('refuses a bad setting by name', () => {
    expect(() => loadHandler({ STAGE: 'dev', DRY_RUN: 'maybe' })).toThrow(/DRY_RUN: expected true or false/);
    expect(() => loadHandler({ STAGE: 'qa' })).toThrow(/No policy for stage "qa"/);
  });
});
