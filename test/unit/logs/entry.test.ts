// Unit: one delivery end to end through the entry (sample events), the cold-start wiring, and the Lambda handler.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { ConfigError, loadConfig } from '../../../shared/config';
import { InvalidInputError } from '../../../shared/errors';
import { createForwardDependencies, handleLogsDelivery } from '../../../shared/logs/entry';
import type { ForwardDependencies } from '../../../shared/logs/forward';
import { defaultLogsPolicy, logsPolicySchema } from '../../../shared/logs/policy';
import { logger } from '../../../shared/logger';
import { sampleEvents } from '../../support/logs-samples';

const loadEvent = (name: string): unknown => JSON.parse(readFileSync(join(__dirname, '../../../events', name), 'utf8'));

const dryRunDeps = (): ForwardDependencies & { lines: string[] } => {
  const lines: string[] = [];
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as ForwardDependencies['log'];
  return { ...createForwardDependencies(loadConfig({ STAGE: 'local' }), defaultLogsPolicy()), writeMetric: (l) => void lines.push(l), log: quiet, lines };
};

describe('sample events in events/', () => {
  it.each(Object.keys(sampleEvents()))('%s is what the generator writes (reproducible)', (name) => {
    expect(loadEvent(name)).toEqual(sampleEvents()[name]);
  });
});

describe('handleLogsDelivery', () => {
  it.each([
    ['logs-api.json', 43],
    ['logs-training.json', 15],
    ['logs-lambda-text.json', 8],
    ['logs-mixed-garbage.json', 14],
  ])('plans every event of %s in dry run', async (name, events) => {
    const deps = dryRunDeps();
    const result = await handleLogsDelivery(structuredClone(loadEvent(name)), deps);
    expect(result).toMatchObject({ received: events, filtered: 0, failed: 0, dryRun: true });
    expect(deps.lines.length).toBeGreaterThan(0);
  });

  it('acknowledges and skips a CONTROL_MESSAGE', async () => {
    await expect(handleLogsDelivery(loadEvent('logs-control-message.json'), dryRunDeps())).resolves.toEqual({ skipped: 'control-message', logGroup: '' });
  });

  it('refuses corrupt input with an InvalidInputError and logs the reason', async () => {
    const spy = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    await expect(handleLogsDelivery({ awslogs: { data: 'H4sIAAAA' } }, dryRunDeps())).rejects.toBeInstanceOf(InvalidInputError);
    expect(spy).toHaveBeenCalledWith('Refused a corrupt CloudWatch Logs delivery', { reason: expect.stringMatching(/gzip/) });
    spy.mockRestore();
  });
});

describe('createForwardDependencies', () => {
  const live = { STAGE: 'dev', DRY_RUN: 'false', LOG_SINK_URL: 'https://logs.example.com/ingest', STATE_TABLE: 'firebreak-dev-state', SLACK_WEBHOOK_PARAM: '/firebreak/dev/slack-webhook' };

  it('wires a sink and a digest when everything is set', () => {
    const deps = createForwardDependencies(loadConfig(live), defaultLogsPolicy());
    expect(deps.sink).toBeDefined();
    expect(deps.digest).toBeDefined();
    expect(deps.dryRun).toBe(false);
  });

  it('fails the cold start naming what is missing', () => {
    expect(() => createForwardDependencies(loadConfig({ ...live, LOG_SINK_URL: '' }), defaultLogsPolicy())).toThrow(new ConfigError('LOG_SINK_URL must be set'));
    expect(() => createForwardDependencies(loadConfig({ ...live, STATE_TABLE: '' }), defaultLogsPolicy())).toThrow(new ConfigError('STATE_TABLE must be set'));
    expect(() => createForwardDependencies(loadConfig({ ...live, SLACK_WEBHOOK_PARAM: '' }), defaultLogsPolicy())).toThrow(/SLACK_WEBHOOK_URL or SLACK_WEBHOOK_PARAM/);
  });

  it('needs neither table nor webhook when digests are off, nor anything in dry run', () => {
    const noDigest = logsPolicySchema.parse({ digest: { enabled: false } });
    expect(createForwardDependencies(loadConfig({ ...live, STATE_TABLE: '', SLACK_WEBHOOK_PARAM: '' }), noDigest).digest).toBeUndefined();
    expect(createForwardDependencies(loadConfig({ STAGE: 'dev', DRY_RUN: 'true' }), defaultLogsPolicy()).sink).toBeUndefined();
  });

  it('says loudly when the policy names the function\'s own log group, and notes a prefix that covers it', () => {
    const error = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const settings = loadConfig({ STAGE: 'local', AWS_LAMBDA_FUNCTION_NAME: 'firebreak-local-forwardLogs' });
    createForwardDependencies(settings, logsPolicySchema.parse({ groups: [{ match: '/aws/lambda/*' }, { match: '/aws/lambda/firebreak-local-forwardLogs' }] }));
    expect(error).toHaveBeenCalledWith(expect.stringMatching(/names this function's own log group/), { match: '/aws/lambda/firebreak-local-forwardLogs', logGroup: '/aws/lambda/firebreak-local-forwardLogs' });
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/own log group by prefix/), { match: '/aws/lambda/*', logGroup: '/aws/lambda/firebreak-local-forwardLogs' });
    error.mockRestore();
    warn.mockRestore();
  });
});

describe('handler', () => {
  it('runs a sample delivery through middy in the local stage (dry run)', async () => {
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const { handler } = await import('../../../functions/forwardLogs/handler');
    const context = { functionName: 'firebreak-local-forwardLogs', awsRequestId: 'req-1', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:x', memoryLimitInMB: '512', functionVersion: '$LATEST', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
    const result = await handler(structuredClone(loadEvent('logs-api.json')), context);
    stdout.mockRestore();
    expect(result).toMatchObject({ received: 43, dryRun: true });
  });
});
