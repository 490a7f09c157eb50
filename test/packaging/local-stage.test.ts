// Packaging: the `local` stage resolves and runs offline (invoke local, dry-run) with no AWS account.
import { FUNCTION_NAMES, invokeLocal, printStage, type FunctionName, type JsonObject } from './serverless';

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

/**
 * `invoke local` of one function on this machine with every credential source removed; fails with the
 * CLI's output unless it exits 0. Returns the handler's result: the last JSON document the CLI prints,
 * after the function's own log lines.
 */
function invokeOffline<T>(fn: FunctionName, eventFile: string): { result: T; output: string } {
  const run = invokeLocal('local', fn, eventFile);
  if (run.status !== 0) throw new Error(`invoke local -f ${fn} exited with ${run.status}:\n${run.output}`);
  expect(run.output).not.toMatch(/Could not load credentials|ExpiredToken|UnrecognizedClient|"errorMessage"/);
  return { result: JSON.parse(run.stdout.slice(run.stdout.lastIndexOf('\n{\n') + 1)) as T, output: run.output };
}

interface RemediationResult {
  dryRun: boolean;
  messages: { alarm: string; outcomes: { status: string; target: string; plan?: string; after?: number; unknown?: string[] }[] }[];
}

it('runs the first command of the README on a machine with no AWS account: notify prints what it would send', () => {
  const { result, output } = invokeOffline<{
    dryRun: boolean;
    messages: { alarm: string; outcomes: { channel: string; status: string; payload: unknown }[] }[];
  }>('notify', 'events/alarm-high-error-rate-alarm.json');
  // notify reads nothing from AWS in a dry run: not even a note about credentials.
  expect(output).not.toMatch(/credentials/i);
  expect(result.dryRun).toBe(true);
  expect(result.messages.map((m) => m.alarm)).toEqual(['RetailPrediction-HighErrorRate']);
  const outcomes = result.messages[0]!.outcomes;
  expect(outcomes.map((o) => o.channel).sort()).toEqual(['email', 'pagerduty', 'slack']);
  for (const outcome of outcomes) {
    expect(outcome.status).toBe('planned');
    expect(outcome.payload).toBeTruthy();
  }
});

it('scaleNodegroup with no AWS account prints a plan: +1, with the size, kill switch and cooldowns stated as unknown', () => {
  const { result } = invokeOffline<RemediationResult>('scaleNodegroup', 'events/alarm-high-cpu-alarm.json');

  expect(result.dryRun).toBe(true);
  expect(result.messages.map((m) => m.alarm)).toEqual(['RetailPrediction-HighCPU']);
  const [outcome] = result.messages[0]!.outcomes;
  expect(outcome).toMatchObject({ status: 'dry-run', target: 'retail-prediction-nodegroup' });
  expect(outcome!.plan).toContain("size unknown: would request +1, capped by the policy's bounds");
  expect(outcome!.unknown).toEqual([
    'kill switch: unknown (could not read /firebreak/local/kill-switch: no AWS credentials)',
    'silences: unknown (could not read the silences in STATE_TABLE firebreak-local-state: no AWS credentials)',
    'node group size: unknown (could not read node group retail-prediction-cluster/retail-prediction-nodegroup through eks:DescribeNodegroup: no AWS credentials)',
    'cooldown and budgets: unknown (could not read the cooldown and budgets of retail-prediction-nodegroup: no AWS credentials)',
  ]);
});

it('scaleDeployment with no AWS account prints a plan: mlops/retail-forecast-api to 6, the cluster stated as unreachable', () => {
  const { result } = invokeOffline<RemediationResult>('scaleDeployment', 'events/alarm-high-cpu-alarm.json');

  expect(result.dryRun).toBe(true);
  const [outcome] = result.messages[0]!.outcomes;
  expect(outcome).toMatchObject({ status: 'dry-run', target: 'retail-forecast-api', after: 6 });
  expect(outcome!.plan).toContain('deployment mlops/retail-forecast-api replicas unknown: would scale to 6');
  expect(outcome!.unknown).toEqual(
    expect.arrayContaining([
      'kill switch: unknown (could not read /firebreak/local/kill-switch: no AWS credentials)',
      'deployment state: unknown (could not read the endpoint and credentials of cluster retail-prediction-cluster: no AWS credentials)',
    ]),
  );
});

it('respond with no AWS account: diagnosis unavailable, so insufficient data, so a page that is planned and not sent', () => {
  const { result, output } = invokeOffline<{
    dryRun: boolean;
    messages: { alarm: string; outcome: { status: string; decision: string; actions: string[]; unknown?: string[]; planned?: string[] } }[];
  }>('respond', 'events/alarm-high-error-rate-alarm.json');

  expect(result.dryRun).toBe(true);
  expect(result.messages[0]).toMatchObject({
    alarm: 'RetailPrediction-HighErrorRate',
    outcome: {
      status: 'responded',
      decision: 'insufficient-data',
      actions: [],
      unknown: [
        'alarm state: unknown (could not read CloudWatch DescribeAlarms: no AWS credentials); planned as if it still fires',
        'diagnostics: unavailable (could not read CloudWatch DescribeAlarms: no AWS credentials)',
      ],
      planned: ['slack', 'pagerduty'],
    },
  });
  expect(output).toContain('DRY_RUN: would page on-call');
});

it('respond on its schedule with no AWS account: the breaker sweep says the flags could not be read', () => {
  const { result } = invokeOffline<{ dryRun: boolean; sweep: { flag: string; result: string }[] }>('respond', 'events/respond-schedule.json');

  expect(result).toEqual({
    dryRun: true,
    messages: [],
    sweep: [{ flag: 'breaker flags', result: 'unknown (could not read the breaker flags: no AWS credentials); nothing re-evaluated' }],
  });
});

it('forwardLogs with no AWS account plans the batch and sends nothing', () => {
  const { result } = invokeOffline<{ dryRun: boolean; received: number; failed: number }>('forwardLogs', 'events/logs-api.json');

  expect(result).toMatchObject({ dryRun: true, failed: 0 });
  expect(result.received).toBeGreaterThan(0);
});
