// Packaging: the `local` stage resolves offline into settings `serverless invoke local` can run with, dry-run on.
import { FUNCTION_NAMES, printStage, type JsonObject } from './serverless';

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
