// Packaging: the `local` stage resolves and runs offline (invoke local, dry-run) with no AWS account.
import { FUNCTION_NAMES, invokeLocal, printStage, type JsonObject } from './serverless';

jest.setTimeout(120_000);

let resolved: JsonObject;

beforeAll(() => {
  resolved = printStage('local');
});

/** What `invoke local` hands a function: provider environment overlaid by the function's own. */
function environmentOf(name: string): JsonObject {
  const provider = (resolved.provider as JsonObject).environment as JsonObject;
  const fn = ((resolved.functions as JsonObject)[name] as JsonObject).environment as JsonObject | undefined;
  return { ...provider, ...fn };
}

it('resolves the local stage without AWS and runs every function in dry-run', () => {
  expect((resolved.provider as JsonObject).stage).toBe('local');
  for (const name of FUNCTION_NAMES) {
    expect(environmentOf(name)).toMatchObject({ STAGE: 'local', DRY_RUN: 'true' });
  }
});

it('gives every local environment value as a plain string, since invoke local cannot resolve CloudFormation references', () => {
  for (const name of FUNCTION_NAMES) {
    for (const [key, value] of Object.entries(environmentOf(name))) {
      expect({ key, type: typeof value }).toEqual({ key, type: 'string' });
    }
  }
});

it('names no secret parameter locally, so nothing asks SSM for one', () => {
  const notify = environmentOf('notify');
  expect(notify.SLACK_WEBHOOK_PARAM).toBe('');
  expect(notify.PAGERDUTY_ROUTING_KEY_PARAM).toBe('');
  expect(notify.EMAIL_TOPIC_ARN).toMatch(/^arn:aws:sns:us-east-1:\d{12}:firebreak-local-email$/);
});

it('runs the first command of the README on a machine with no AWS account: notify prints what it would send', () => {
  const run = invokeLocal('local', 'notify', 'events/alarm-high-error-rate-alarm.json');
  expect(run.output).not.toMatch(/credentials|ExpiredToken|UnrecognizedClient/i);
  if (run.status !== 0) throw new Error(`invoke local exited with ${run.status}:\n${run.output}`);
  // The handler's result is the last JSON document the CLI prints, after the function's own log lines.
  const result = JSON.parse(run.stdout.slice(run.stdout.lastIndexOf('\n{\n') + 1)) as {
    dryRun: boolean;
    messages: { alarm: string; outcomes: { channel: string; status: string; payload: unknown }[] }[];
  };
  expect(result.dryRun).toBe(true);
  expect(result.messages.map((m) => m.alarm)).toEqual(['RetailPrediction-HighErrorRate']);
  const outcomes = result.messages[0]!.outcomes;
  expect(outcomes.map((o) => o.channel).sort()).toEqual(['email', 'pagerduty', 'slack']);
  for (const outcome of outcomes) {
    expect(outcome.status).toBe('planned');
    expect(outcome.payload).toBeTruthy();
  }
});
