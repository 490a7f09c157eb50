// Unit: a batch's errors collapse into one Slack message with counts, top messages and console links.
import { DigestBuilder, formatDigest, logGroupUrl, logsInsightsUrl, messageKey } from '../../../shared/logs/digest';
import type { LogRecord } from '../../../shared/logs/model';
import { parseLogMessage } from '../../../shared/logs/parse';

const origin = { service: 'retail-api', logGroup: '/aws/containerinsights/retail/application', logStream: 'pod-1', owner: '1', region: 'eu-west-1' };
const T0 = Date.parse('2026-03-02T09:00:00Z');
const record = (message: string, n: number): LogRecord => ({ ...parseLogMessage(message), ...origin, id: String(n), timestamp: T0 + n * 1000 });
const context = { ...origin, topMessages: 2 };

function digestOf(messages: string[]) {
  const builder = new DigestBuilder();
  messages.forEach((m, i) => builder.add(record(m, i)));
  return builder.build(context);
}

describe('DigestBuilder', () => {
  it('has nothing to post for a batch without errors', () => {
    expect(digestOf(['all good', 'WARNING: slow'])).toBeUndefined();
  });

  it('counts levels and groups error messages that differ only in numbers and ids', () => {
    const digest = digestOf([
      'ok',
      'Timed out after 1500ms calling feature store',
      'Timed out after 1730ms calling feature store',
      '{"level":"error","message":"Order 8f3a9c2e1b7d not found"}',
      '{"level":"error","message":"Order 77aa00bbccdd not found"}',
      '{"level":"fatal","message":"Out of memory"}',
      'ERROR: Timed out after 99ms calling feature store',
    ]);
    expect(digest).toMatchObject({ errors: 6, distinctMessages: 4, byLevel: { INFO: 1, ERROR: 5, FATAL: 1 }, firstErrorAt: T0 + 1000, lastErrorAt: T0 + 6000 });
    expect(digest?.top).toEqual([
      { example: 'Timed out after 1500ms calling feature store', level: 'ERROR', count: 2 },
      { example: 'Order 8f3a9c2e1b7d not found', level: 'ERROR', count: 2 },
    ]);
  });

  it('keys messages by their first line only', () => {
    expect(messageKey('Error 42\n  at x')).toBe(messageKey('Error 7\n  at y'));
  });
});

describe('formatDigest', () => {
  const digest = digestOf(['<!channel> failed: db <http://evil|click>', 'failed: db again', 'error 1', 'error 2', 'error 3', 'boom exception']);
  const message = formatDigest(digest ?? (undefined as never), { queryWindowMinutes: 15, suppressedErrors: 12 });
  const text = JSON.stringify(message.blocks);

  it('says how many errors, where, and by level', () => {
    expect(message.text).toBe('6 errors in retail-api (/aws/containerinsights/retail/application)');
    expect(text).toContain('*Levels:* ERROR 6');
    expect(text).toContain('12 more errors since the last digest were not posted (rate limit)');
  });

  it('lists the top messages with counts and a note of the rest', () => {
    expect(text).toContain('*3×* `ERROR` error 1');
    expect(text).toContain('and 2 other distinct messages');
  });

  it('escapes log text so it can neither mention the channel nor hide a link', () => {
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).not.toContain('<http://evil');
  });

  it('links to the log group and to a Logs Insights query in the console', () => {
    expect(text).toContain(logGroupUrl('eu-west-1', origin.logGroup));
    expect(logGroupUrl('eu-west-1', '/aws/lambda/x')).toBe('https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Faws$252Flambda$252Fx');
    const insights = logsInsightsUrl('eu-west-1', '/aws/lambda/x', T0, T0 + 60_000);
    expect(insights.startsWith('https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:logs-insights$3FqueryDetail$3D~(')).toBe(true);
    expect(insights).toContain("source~(~'*2Faws*2Flambda*2Fx)");
    expect(insights).not.toMatch(/[\s%]/);
    expect(insights).toContain('like*20*2F*28*3Fi*29*28error');
    expect(text).toContain('logs-insights');
  });

  it('stays within Slack\'s limits for huge messages', () => {
    const builder = new DigestBuilder();
    Array.from({ length: 30 }, (_, i) => `${String.fromCharCode(65 + i)} error ${'<&>'.repeat(2000)}`).forEach((m, i) => builder.add(record(m, i)));
    const big = builder.build({ ...context, topMessages: 20 });
    const blocks = formatDigest(big ?? (undefined as never), { queryWindowMinutes: 15 }).blocks ?? [];
    const sectionTexts = blocks.map((block) => (block as { text?: { text?: string } }).text?.text ?? '');
    expect(Math.max(...sectionTexts.map((t) => t.length))).toBeGreaterThan(1000);
    for (const text of sectionTexts) expect(text.length).toBeLessThanOrEqual(3000);
  });

  it('cuts a long header between characters, never inside an emoji of the service name', () => {
    for (let pad = 0; pad < 2; pad++) {
      const service = `${'x'.repeat(pad)}${'🔥'.repeat(100)}`;
      const builder = new DigestBuilder();
      builder.add({ ...record('boom: request failed', 1), service });
      const digest = builder.build({ ...context, service });
      const header = (formatDigest(digest ?? (undefined as never), { queryWindowMinutes: 15 }).blocks?.[0] as { text: { text: string } }).text.text;
      expect(header.length).toBeLessThanOrEqual(150);
      expect(header.endsWith('…')).toBe(true);
      expect(() => encodeURIComponent(header)).not.toThrow();
    }
  });

  it('cuts the top messages between characters, never inside an emoji', () => {
    // Lines short enough to be kept whole, so only the section's cut can fall inside a pair.
    for (let pad = 0; pad < 2; pad++) {
      const builder = new DigestBuilder();
      Array.from({ length: 30 }, (_, i) => `${'x'.repeat(pad)}${String.fromCharCode(65 + i)} error ${'🔥'.repeat(100)}`).forEach((m, i) => builder.add(record(m, i)));
      const big = builder.build({ ...context, topMessages: 20 });
      const blocks = formatDigest(big ?? (undefined as never), { queryWindowMinutes: 15 }).blocks ?? [];
      const top = blocks.map((block) => (block as { text?: { text?: string } }).text?.text ?? '').find((t) => t.startsWith('*Top messages*')) ?? '';
      expect(top.endsWith('…')).toBe(true);
      expect(() => encodeURIComponent(top)).not.toThrow();
    }
  });
});
