// Property tests: notify's use case (dry run, stage local's policy) over mutations of every SNS sample in events/ and foreign JSON.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { assertSnsEvent } from '../../shared/alarm/sns-event';
import { loadConfig } from '../../shared/config';
import { notifyDeps } from '../../shared/notify/deps';
import type { NotifySummary } from '../../shared/notify/fan-out';
import { notifyEvent } from '../../shared/notify/process-event';
import { stagePolicy } from '../../shared/policy/load';
import { foreignJson, mutationsOf, type Json } from './arbitraries';
import { expectFirebreakError, refuseNetwork } from './expectations';
import { propertyParameters } from './settings';

const EVENTS = join(__dirname, '..', '..', 'events');
const samples = readdirSync(EVENTS)
  .filter((f) => /^(alarm|sns)-.*\.json$/.test(f))
  .map((f) => [f, JSON.parse(readFileSync(join(EVENTS, f), 'utf8')) as Json] as const);

const SLACK_SECRET = 'https://hooks.slack.com/services/T0PROPERTY/B0PROPERTY/slack-secret-4f1c9a';
const PAGERDUTY_SECRET = 'pagerduty-secret-routing-key-8d2e7b';

const config = loadConfig({ STAGE: 'local', SLACK_WEBHOOK_URL: SLACK_SECRET, PAGERDUTY_ROUTING_KEY: PAGERDUTY_SECRET, EMAIL_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:firebreak-email' });
const policy = stagePolicy('local');
const DEFAULT_CHANNELS = policy.notify.defaultRoute.channels;

const events = fc.oneof(...samples.map(([, sample]) => mutationsOf(sample)), foreignJson);

const readable = (text: unknown): boolean => typeof text === 'string' && text.trim() !== '' && text.isWellFormed();

/** The text a person reads first in each channel's payload. */
function textsOf(outcome: NotifySummary['outcomes'][number]): unknown[] {
  const payload = outcome.payload as { text?: unknown; subject?: unknown; body?: unknown; payload?: { summary?: unknown } } | undefined;
  switch (outcome.channel) {
    case 'slack':
      return [payload?.text];
    case 'email':
      return [payload?.subject, payload?.body];
    case 'pagerduty':
      return payload?.payload ? [payload.payload.summary] : [];
  }
}

const sns = mockClient(SNSClient);
const dynamo = mockClient(DynamoDBClient);
const documents = mockClient(DynamoDBDocumentClient);
const ssm = mockClient(SSMClient);
const network = refuseNetwork();

afterAll(() => {
  for (const client of [sns, dynamo, documents, ssm]) client.restore();
});

/**
 * A logger whose every line is kept (as its arguments, serialised), and dry-run deps built as the handler builds
 * them. The logger's methods are replaced outright, not spied on: a spy keeps every call's arguments until the
 * file ends, which over `npm run fuzz`'s 100,000 runs of huge strings fills the heap.
 */
function subject() {
  const logger = new Logger({ serviceName: 'firebreak-property' });
  const lines: string[] = [];
  for (const level of ['debug', 'info', 'warn', 'error', 'critical'] as const) {
    Object.defineProperty(logger, level, {
      value: (...args: unknown[]) => void lines.push(JSON.stringify(args, (_k, v: unknown) => (v instanceof Error ? { name: v.name, message: v.message, stack: v.stack } : v))),
    });
  }
  // The AWS mocks keep what they were asked for the same reason; each run reads only its own calls.
  for (const client of [sns, dynamo, documents, ssm]) client.resetHistory();
  return { logger, lines, deps: notifyDeps(config, policy) };
}

const calledAws = () => [sns, dynamo, documents, ssm].flatMap((client) => client.calls());

describe('notifyEvent (dry run) over generated events', () => {
  it("resolves, or throws one of Firebreak's named errors with a message (never a built-in)", async () => {
    await fc.assert(
      fc.asyncProperty(events, async (event) => {
        const { logger, deps } = subject();
        await notifyEvent(event, deps, logger).catch(expectFirebreakError);
      }),
      propertyParameters(),
    );
  });

  it('answers every record of an SNS event, and delivers one it cannot read as an alarm readably, on every channel of the default route', async () => {
    await fc.assert(
      fc.asyncProperty(events, async (event) => {
        const { logger, deps } = subject();
        const isSns = (() => {
          try {
            assertSnsEvent(event);
            return true;
          } catch {
            return false;
          }
        })();
        fc.pre(isSns);
        // A dry run cannot fail a delivery: every record of an SNS event is answered, none lost.
        const result = await notifyEvent(event, deps, logger);
        expect(result.messages).toHaveLength((event as { Records: unknown[] }).Records.length);
        for (const message of result.messages.filter((m) => m.type === 'generic')) {
          const planned = message.outcomes.filter((o) => o.status === 'planned');
          expect(planned.map((o) => o.channel).sort()).toEqual([...DEFAULT_CHANNELS].sort());
          for (const outcome of planned) for (const text of textsOf(outcome)) expect({ channel: outcome.channel, text, readable: readable(text) }).toMatchObject({ readable: true });
        }
      }),
      propertyParameters(),
    );
  });

  it('makes no network call and no AWS call, and no secret reaches a log line or a payload', async () => {
    await fc.assert(
      fc.asyncProperty(events, async (event) => {
        const { logger, lines, deps } = subject();
        const result = await notifyEvent(event, deps, logger).catch((error: unknown) => {
          lines.push(error instanceof Error ? `${error.message}\n${error.stack}` : String(error));
          return undefined;
        });
        const written = [...lines, JSON.stringify(result ?? null)].join('\n');
        for (const secret of [SLACK_SECRET, PAGERDUTY_SECRET]) expect(written.includes(secret)).toBe(false);
        expect(network).toEqual([]);
        expect(calledAws()).toEqual([]);
      }),
      propertyParameters(),
    );
  });
});
