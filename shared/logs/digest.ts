// Log forwarding, Slack error digest: a batch's errors collapsed into one Block Kit message (pure formatting).
import type { SlackMessage } from '../channels/slack';
import { safeSlackText, SLACK_LIMITS, truncate } from '../channels/slack-text';
import { sliceWhole } from '../text';
import { ERROR_LEVELS, type LogLevel, type LogRecord } from './model';

/** One distinct error message of a batch and how often it occurred. */
export interface DigestEntry {
  /** The first occurrence as logged (numbers and ids in it vary between occurrences). */
  readonly example: string;
  readonly level: LogLevel;
  readonly count: number;
}

/** The errors of one batch, summarised. */
export interface ErrorDigest {
  readonly logGroup: string;
  readonly logStream: string;
  readonly service: string;
  readonly region: string;
  /** Events of the batch by level (all of them, so the errors are seen in proportion). */
  readonly byLevel: Readonly<Partial<Record<LogLevel, number>>>;
  readonly errors: number;
  readonly distinctMessages: number;
  /** Most frequent first. */
  readonly top: readonly DigestEntry[];
  readonly firstErrorAt: number;
  readonly lastErrorAt: number;
}

const MAX_EXAMPLE_CHARS = 300;

/** Key under which messages count as the same: first line, digits and hex ids collapsed. */
export const messageKey = (message: string): string => {
  const newline = message.indexOf('\n');
  const firstLine = (newline === -1 ? message : message.slice(0, newline)).slice(0, MAX_EXAMPLE_CHARS);
  return firstLine.replace(/\b[0-9a-f]{8,}(?:-[0-9a-f]{4,})*\b/gi, '<id>').replace(/\d+(\.\d+)?/g, '#');
};

/** Collects a batch's levels and error messages record by record; `build` says whether there is anything to post. */
export class DigestBuilder {
  private readonly byLevel: Partial<Record<LogLevel, number>> = {};
  private readonly messages = new Map<string, { example: string; level: LogLevel; count: number }>();
  private errors = 0;
  private first = Number.POSITIVE_INFINITY;
  private last = Number.NEGATIVE_INFINITY;

  add(record: LogRecord): void {
    this.byLevel[record.level] = (this.byLevel[record.level] ?? 0) + 1;
    if (!ERROR_LEVELS.has(record.level)) return;
    this.errors++;
    this.first = Math.min(this.first, record.timestamp);
    this.last = Math.max(this.last, record.timestamp);
    const key = messageKey(record.message);
    const entry = this.messages.get(key);
    if (entry) entry.count++;
    else this.messages.set(key, { example: record.message.split('\n', 1)[0]?.slice(0, MAX_EXAMPLE_CHARS) ?? '', level: record.level, count: 1 });
  }

  /** The digest, or undefined when the batch held no error. */
  build(context: { logGroup: string; logStream: string; service: string; region: string; topMessages: number }): ErrorDigest | undefined {
    if (this.errors === 0) return undefined;
    const top = [...this.messages.values()].sort((a, b) => b.count - a.count).slice(0, context.topMessages);
    return {
      ...context,
      byLevel: { ...this.byLevel },
      errors: this.errors,
      distinctMessages: this.messages.size,
      top,
      firstErrorAt: this.first,
      lastErrorAt: this.last,
    };
  }
}

// The console writes log-group names and query details in its own escaping: `%` becomes `$`.
const consoleEscape = (value: string): string => encodeURIComponent(value).replace(/%/g, '$25');

/** CloudWatch console link to a log group. */
export function logGroupUrl(region: string, logGroup: string): string {
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${consoleEscape(logGroup)}`;
}

/** The Logs Insights query a digest links to: the group's errors, newest first. */
export const ERRORS_QUERY = 'fields @timestamp, @logStream, @message\n| filter @message like /(?i)(error|exception|fatal|critical)/\n| sort @timestamp desc\n| limit 200';

// Rison-style escaping of one character: letters, digits and `_.-` as they are, every other byte as `*XX`.
const risonChar = (c: string): string => {
  if (/[A-Za-z0-9_.-]/.test(c)) return c;
  const encoded = encodeURIComponent(c);
  return encoded.startsWith('%') ? encoded.replace(/%/g, '*') : `*${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
};

/** CloudWatch console link that opens Logs Insights on `logGroup` with `query` over [start, end] (epoch ms). */
export function logsInsightsUrl(region: string, logGroup: string, startMs: number, endMs: number, query: string = ERRORS_QUERY): string {
  // The queryDetail value is a rison-like object whose strings use `*XX` for escaped characters.
  const rison = (s: string) => `'${[...s].map(risonChar).join('')}`;
  const start = new Date(startMs).toISOString();
  const end = new Date(endMs).toISOString();
  const detail = `~(end~${rison(end)}~start~${rison(start)}~timeType~'ABSOLUTE~tz~'UTC~editorString~${rison(query)}~source~(~${rison(logGroup)}))`;
  const fragment = `?queryDetail=${detail}`;
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#logsV2:logs-insights${encodeURIComponent(fragment).replace(/%/g, '$')}`;
}

type Block = NonNullable<SlackMessage['blocks']>[number];

const LEVEL_ORDER: readonly LogLevel[] = ['FATAL', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE'];

/**
 * Formats a digest as one Slack message: a header, counts by level, the top messages with their
 * counts, and links to the log group and to a Logs Insights query around the errors. Text from
 * the logs is escaped so a log line cannot mention `@channel` or hide a link.
 */
export function formatDigest(digest: ErrorDigest, options: { queryWindowMinutes: number; suppressedErrors?: number }): SlackMessage {
  const levels = LEVEL_ORDER.filter((level) => digest.byLevel[level]).map((level) => `${level} ${digest.byLevel[level]}`).join(' · ');
  const title = `${digest.errors} error${digest.errors === 1 ? '' : 's'} in ${digest.service}`;
  const topLines = digest.top.map((entry) => `• *${entry.count}×* \`${entry.level}\` ${safeSlackText(entry.example, 240)}`);
  const more = digest.distinctMessages - digest.top.length;
  if (more > 0) topLines.push(`_…and ${more} other distinct message${more === 1 ? '' : 's'}_`);
  const windowStart = Math.min(digest.firstErrorAt, digest.lastErrorAt - options.queryWindowMinutes * 60_000);
  const windowEnd = digest.lastErrorAt + 60_000;
  const links = `<${logGroupUrl(digest.region, digest.logGroup)}|Open log group> · <${logsInsightsUrl(digest.region, digest.logGroup, windowStart, windowEnd)}|Logs Insights: errors around this batch>`;
  const context = [
    `${safeSlackText(digest.logGroup, 300)} · stream ${safeSlackText(digest.logStream, 300)}`,
    `${new Date(digest.firstErrorAt).toISOString()} → ${new Date(digest.lastErrorAt).toISOString()}`,
  ];
  if (options.suppressedErrors) context.push(`${options.suppressedErrors} more errors since the last digest were not posted (rate limit)`);
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: safeSlackHeader(title), emoji: false } },
    { type: 'section', text: { type: 'mrkdwn', text: `*Levels:* ${levels}` } },
    { type: 'section', text: { type: 'mrkdwn', text: clip(`*Top messages*\n${topLines.join('\n')}`) } },
    { type: 'section', text: { type: 'mrkdwn', text: links } },
    { type: 'context', elements: context.map((text) => ({ type: 'mrkdwn' as const, text })) },
  ];
  return { text: `${title} (${digest.logGroup})`.slice(0, SLACK_LIMITS.fallbackText), blocks };
}

// A header is plain text: nothing to escape, only to cut between characters (a service may be named with emoji).
const safeSlackHeader = (text: string): string => (text.length <= SLACK_LIMITS.headerText ? text : `${sliceWhole(text, SLACK_LIMITS.headerText - 1)}…`);

// Each top line is already escaped and cut; the section as a whole must stay under Slack's limit,
// cut without splitting an emoji or an escaped `&amp;`.
const clip = (text: string): string => truncate(text, SLACK_LIMITS.sectionText);
