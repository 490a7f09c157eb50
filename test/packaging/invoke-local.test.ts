// Packaging: `serverless invoke local` as an operator runs it: a run that fails ends at once, non-zero, saying why.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { invokeLocal, printStage, serviceCopy, type FunctionName, type JsonObject, type RunResult } from './serverless';

jest.setTimeout(180_000);

/** A failed run must end by itself well within this, the build included; the CLI is killed at this limit. */
const FAILED_RUN_LIMIT_MS = 60_000;

/** The run ended by itself, with exit code 1, and said `error`. */
function expectFailedRun(run: RunResult, error: string | RegExp): void {
  expect({ timedOut: run.timedOut, status: run.status }).toEqual({ timedOut: false, status: 1 });
  expect(run.output).toMatch(error);
}

describe('a failed invoke local ends, non-zero, with the error', () => {
  it('when the build fails: a stage policy file that is not JSON', () => {
    const service = serviceCopy();
    try {
      // Every bundle carries every stage file, so another stage's broken file fails the build of local's.
      writeFileSync(join(service.directory, 'shared/policy/stages/broken.json'), '{ "version": 1,, }\n');
      const run = invokeLocal('local', 'notify', 'events/alarm-high-error-rate-alarm.json', { cwd: service.directory, timeoutMs: FAILED_RUN_LIMIT_MS });
      expectFailedRun(run, /Build failed with 1 error:\s+shared\/policy\/stages\/broken\.json:1:15/);
    } finally {
      service.cleanup();
    }
  });

  it('when forwardLogs cannot start: a live run without LOG_SINK_URL', () => {
    const run = invokeLocal('local', 'forwardLogs', 'events/logs-api.json', { env: ['DRY_RUN=false'], unset: ['LOG_SINK_URL'], timeoutMs: FAILED_RUN_LIMIT_MS });
    expectFailedRun(run, 'ConfigError: LOG_SINK_URL must be set');
  });

  it('when notify cannot start: a live run with no channel configured', () => {
    const run = invokeLocal('local', 'notify', 'events/alarm-high-error-rate-alarm.json', { env: ['DRY_RUN=false'], unset: ['SLACK_WEBHOOK_URL', 'PAGERDUTY_ROUTING_KEY'], timeoutMs: FAILED_RUN_LIMIT_MS });
    expectFailedRun(run, 'ConfigError: The local policy routes to channels that are not configured: pagerduty');
  });

  it('when the handler throws: an event that is not SNS', () => {
    const run = invokeLocal('local', 'notify', 'events/logs-api.json', { timeoutMs: FAILED_RUN_LIMIT_MS });
    expectFailedRun(run, '"errorMessage": "Expected an SNS event with Records; got no Records"');
  });
});

interface NotifyResult {
  dryRun: boolean;
  messages: { alarm: string; outcomes: { channel: string; status: string; payload: { body?: string; payload?: { custom_details?: { stage?: string } } } }[] }[];
}

/** The handler's result: the last JSON document the CLI prints, after the function's own log lines. */
const resultOf = <T>(run: RunResult): T => JSON.parse(run.stdout.slice(run.stdout.lastIndexOf('\n{\n') + 1)) as T;

describe.each(['dev', 'prod'])('invoke local --stage %s runs offline, with no AWS account', (stage) => {
  it('notify plans, under the stage policy, what it would send, and sends nothing', () => {
    const run = invokeLocal(stage, 'notify', 'events/alarm-high-error-rate-alarm.json', { timeoutMs: FAILED_RUN_LIMIT_MS });
    if (run.status !== 0) throw new Error(`invoke local --stage ${stage} exited with ${run.status}:\n${run.output}`);
    expect(run.output).not.toMatch(/credentials|Could not resolve/i);

    const result = resultOf<NotifyResult>(run);
    expect(result.dryRun).toBe(true);
    const outcomes = Object.fromEntries(result.messages[0]!.outcomes.map((o) => [o.channel, o]));
    expect(Object.keys(outcomes).sort()).toEqual(['email', 'pagerduty', 'slack']);
    expect(Object.values(outcomes).map((o) => o.status)).toEqual(['planned', 'planned', 'planned']);
    expect(outcomes.pagerduty!.payload.payload?.custom_details?.stage).toBe(stage);
    expect(outcomes.email!.payload.body).toContain(`-- Firebreak, stage ${stage}, SNS message`);
  });
});

/** The function's structured log lines (Powertools' JSON), without the result the CLI prints after them. */
const logLinesOf = (run: RunResult) =>
  run.stdout
    .split('\n')
    .filter((line) => line.startsWith('{"level":'))
    .map((line) => JSON.parse(line) as { cold_start?: boolean; function_memory_size?: string; payload?: unknown });

describe("a run in stage local prints what it does once, and only what applies there", () => {
  let notify: RunResult;
  let forwardLogs: RunResult;
  let resolved: JsonObject;

  beforeAll(() => {
    notify = invokeLocal('local', 'notify', 'events/alarm-high-error-rate-alarm.json');
    forwardLogs = invokeLocal('local', 'forwardLogs', 'events/logs-training.json');
    resolved = printStage('local');
    for (const run of [notify, forwardLogs]) if (run.status !== 0) throw new Error(`invoke local exited with ${run.status}:\n${run.output}`);
  });

  it("prints each of notify's payloads once, in the result; its log lines say what each is", () => {
    // One marker from each channel's payload: the mail's body, the page's details, the Slack blocks.
    for (const marker of ['Alarm in the CloudWatch console:', '"custom_details"', '"blocks"']) {
      expect({ marker, count: notify.output.split(marker).length - 1 }).toEqual({ marker, count: 1 });
    }
    const planned = logLinesOf(notify).filter((line) => 'detail' in line);
    expect(planned).toHaveLength(3);
    for (const line of planned) expect(line).not.toHaveProperty('payload');
  });

  it('writes no EMF line: metrics are off in stage local, for Powertools and for forwardLogs alike', () => {
    expect(notify.output).not.toContain('"_aws"');
    expect(forwardLogs.output).not.toContain('"_aws"');
  });

  it('logs a cold start with the memory size serverless.yml gives the function, as Lambda would', () => {
    const memorySize = (fn: FunctionName) => {
      const own = ((resolved.functions as JsonObject)[fn] as JsonObject).memorySize;
      return String(own ?? (resolved.provider as JsonObject).memorySize);
    };
    expect(memorySize('notify')).not.toBe(memorySize('forwardLogs'));
    for (const [fn, run] of [['notify', notify], ['forwardLogs', forwardLogs]] as const) {
      const lines = logLinesOf(run);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect({ fn, cold_start: line.cold_start, function_memory_size: line.function_memory_size }).toEqual({ fn, cold_start: true, function_memory_size: memorySize(fn) });
    }
  });
});
