// Packaging: `serverless invoke local` as an operator runs it: a run that fails ends at once, non-zero, saying why.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { invokeLocal, serviceCopy, type RunResult } from './serverless';

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
