// Packaging: the deployed functions that act on alarms evaluate no AWS SDK at cold start nor for an alarm they do not act on; the first one they act on loads it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluatedPackages } from '../support/bundle-evaluation';
import { REPO_ROOT, type FunctionName } from './serverless';

jest.setTimeout(120_000);

const AWS_SDK = /^@aws-sdk\//;

let home: string;
let outDir: string;
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'firebreak-lazy-adapters-home-'));
});
beforeEach(() => {
  outDir = mkdtempSync(join(tmpdir(), 'firebreak-lazy-adapters-'));
});
afterEach(() => rmSync(outDir, { recursive: true, force: true }));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** Stage `local` as `invoke local` runs it: dry run, offline, no credential source at all (no instance metadata either). */
const localEnv = (): NodeJS.ProcessEnv => ({
  STAGE: 'local',
  DRY_RUN: 'true',
  AWS_REGION: 'us-east-1',
  STATE_TABLE: 'firebreak-local-state',
  POWERTOOLS_DEV: 'false',
  HOME: home,
  AWS_CONFIG_FILE: join(home, 'no-aws-config'),
  AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-aws-credentials'),
  AWS_EC2_METADATA_DISABLED: 'true',
});

/**
 * JavaScript run after the bundle loads: the handler with `events/<event>.json`, then a check that the
 * alarm matched a rule (some outcome) or none, so the assertion on the SDK is about the path it names.
 */
const invoke = (event: string, matches: boolean): string => `
  const event = JSON.parse(require('node:fs').readFileSync(${JSON.stringify(join(REPO_ROOT, 'events', `${event}.json`))}, 'utf8'));
  const result = await handler(event, {});
  const outcomes = result.messages.flatMap((m) => m.outcomes);
  if ((outcomes.length > 0) !== ${matches}) throw new Error('expected ${matches ? 'a matching rule' : 'no matching rule'}, got ' + JSON.stringify(result));`;

const sdkEvaluated = (fn: FunctionName, then?: string) => evaluatedPackages(join(REPO_ROOT, 'functions', fn, 'handler.ts'), AWS_SDK, localEnv(), outDir, then);

describe.each<FunctionName>(['scaleNodegroup', 'scaleDeployment'])('the deployed %s bundle', (fn) => {
  it('evaluates nothing of the AWS SDK when it loads', async () => {
    await expect(sdkEvaluated(fn)).resolves.toEqual([]);
  });

  it.each(['alarm-high-error-rate-alarm', 'alarm-high-latency-alarm'])('evaluates nothing of the AWS SDK for an alarm that matches no rule (%s)', async (event) => {
    await expect(sdkEvaluated(fn, invoke(event, false))).resolves.toEqual([]);
  });

  it('evaluates the AWS SDK clients of its adapters for the first alarm that matches a rule', async () => {
    const evaluated = await sdkEvaluated(fn, invoke('alarm-high-cpu-alarm', true));

    // The kill switch (SSM) and the ledger (DynamoDB) are read in a dry run: their clients were loaded.
    expect(evaluated).toEqual(expect.arrayContaining(['@aws-sdk/client-ssm', '@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb']));
  });
});

describe('the deployed respond bundle', () => {
  /** The handler with `events/<event>.json`, then a check of the outcome's status (or the sweep of a schedule). */
  const respond = (event: string, expected: string): string => `
    const event = JSON.parse(require('node:fs').readFileSync(${JSON.stringify(join(REPO_ROOT, 'events', `${event}.json`))}, 'utf8'));
    const result = await handler(event, {});
    const status = result.sweep ? 'sweep' : result.messages[0]?.outcome?.status;
    if (status !== ${JSON.stringify(expected)}) throw new Error('expected ${expected}, got ' + JSON.stringify(result));`;

  it('evaluates nothing of the AWS SDK when it loads', async () => {
    await expect(sdkEvaluated('respond')).resolves.toEqual([]);
  });

  it('evaluates nothing of the AWS SDK for an alarm its policy hands to no service', async () => {
    await expect(sdkEvaluated('respond', respond('alarm-high-latency-alarm', 'not-handled'))).resolves.toEqual([]);
  });

  it('evaluates the AWS SDK for an alarm its policy hands to a service, and for the schedule (the flag store)', async () => {
    // The responder reads the service's metrics from CloudWatch.
    await expect(sdkEvaluated('respond', respond('alarm-high-error-rate-alarm', 'responded'))).resolves.toEqual(expect.arrayContaining(['@aws-sdk/client-cloudwatch']));
    // The sweep lists the breaker flags in SSM.
    await expect(sdkEvaluated('respond', respond('respond-schedule', 'sweep'))).resolves.toEqual(expect.arrayContaining(['@aws-sdk/client-ssm']));
  });
});
