// Log forwarding policy: the `logs` section of a stage policy, validated at cold start.
import { z } from 'zod';

/** Names of the built-in redaction rules, applied by default. */
export const BUILTIN_REDACTIONS = ['aws-access-key', 'bearer-token', 'password', 'email'] as const;
/** The name of one built-in redaction rule. */
export type BuiltinRedaction = (typeof BUILTIN_REDACTIONS)[number];

/** Request limits of the HTTP sink: bodies are split before they exceed either. */
export const DEFAULT_MAX_REQUEST_BYTES = 1_048_576;
/** Default event count limit of one sink request. */
export const DEFAULT_MAX_REQUEST_EVENTS = 5_000;
/** OpenSearch's default `http.max_content_length` is 100 MB; stay far below it. */
export const MAX_REQUEST_BYTES_LIMIT = 10 * 1_048_576;

const regexSource = z.string().min(1).refine((source) => {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}, 'expected a valid regular expression');

/** A log group name, or a prefix ending in `*` (e.g. `/aws/containerinsights/*`). */
const logGroupPattern = z.string().regex(/^[\w./#-]+\*?$|^\*$/, 'expected a log group name or a prefix ending in *');

const groupSchema = z.strictObject({
  match: logGroupPattern,
  /** Service name recorded on every event of the group. */
  service: z.string().min(1).optional(),
  /** When given, only messages matching at least one of these are forwarded. */
  include: z.array(regexSource).default([]),
  /** Messages matching any of these are dropped (and counted as filtered); wins over include. */
  exclude: z.array(regexSource).default([]),
});

const customRedactionSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'expected a lower-case rule name'),
  pattern: regexSource,
  replacement: z.string().default('[REDACTED]'),
});

const sinkSchema = z.strictObject({
  /** `ndjson`: one JSON document per line. `bulk`: OpenSearch/Elasticsearch `_bulk`, `_id` = event id. */
  mode: z.enum(['ndjson', 'bulk']).default('ndjson'),
  /** Bulk index; `{service}` and `{date}` (UTC yyyy.mm.dd of the event) are substituted. */
  index: z.string().regex(/^[a-z0-9{}._-]+$/, 'expected a lower-case index name').default('logs-{service}-{date}'),
  maxRequestBytes: z.number().int().min(16_384).max(MAX_REQUEST_BYTES_LIMIT).default(DEFAULT_MAX_REQUEST_BYTES),
  maxRequestEvents: z.number().int().min(1).max(50_000).default(DEFAULT_MAX_REQUEST_EVENTS),
  /** gzip level of request bodies: 1 is fast and already shrinks log text about tenfold. */
  compressionLevel: z.number().int().min(1).max(9).default(1),
  /** Requests in flight at once for one batch. */
  concurrency: z.number().int().min(1).max(16).default(4),
});

const digestSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** At most one digest per log group per this many seconds; later errors are counted, not posted. */
  minIntervalSeconds: z.number().int().min(0).max(86_400).default(300),
  topMessages: z.number().int().min(1).max(20).default(5),
  /** Time range, before the newest error, of the Logs Insights query the digest links to. */
  queryWindowMinutes: z.number().int().min(1).max(1_440).default(15),
});

/** Schema of the policy's `logs` section; every field has a default, so `{}` is a valid section. */
export const logsPolicySchema = z.strictObject({
  /** First matching group wins; a log group matching none is forwarded unfiltered with service `unknown`. */
  groups: z.array(groupSchema).default([]),
  sink: sinkSchema.default(sinkSchema.parse({})),
  redaction: z
    .strictObject({
      builtins: z.array(z.enum(BUILTIN_REDACTIONS)).default([...BUILTIN_REDACTIONS]),
      custom: z.array(customRedactionSchema).default([]),
    })
    .default({ builtins: [...BUILTIN_REDACTIONS], custom: [] }),
  digest: digestSchema.default(digestSchema.parse({})),
  metrics: z
    .strictObject({ namespace: z.string().regex(/^[\w/.#:-]{1,255}$/, 'expected a CloudWatch namespace').default('Firebreak/Logs') })
    .default({ namespace: 'Firebreak/Logs' }),
});

/** The validated `logs` policy section, defaults filled in. */
export type LogsPolicy = z.infer<typeof logsPolicySchema>;
/** One entry of `logs.groups`: which log groups it covers, their service name and filters. */
export type LogGroupRule = LogsPolicy['groups'][number];

/** The section used when a stage policy has no `logs` section. */
export const DEFAULT_LOGS_POLICY: LogsPolicy = logsPolicySchema.parse({});

/** True when `pattern` (a name or a prefix ending in `*`) covers `logGroup`. */
export function matchesLogGroup(pattern: string, logGroup: string): boolean {
  return pattern.endsWith('*') ? logGroup.startsWith(pattern.slice(0, -1)) : pattern === logGroup;
}

/** The log group a Lambda function writes to: never forwarded by that function. */
export const ownLogGroup = (functionName: string): string => `/aws/lambda/${functionName}`;

/**
 * Policy groups that would forward the function's own log group (and so feed its output back in).
 * Returned so the caller can say so loudly; forwarding them is refused regardless.
 */
export function groupsCoveringOwnLogGroup(policy: LogsPolicy, functionName: string | undefined): LogGroupRule[] {
  if (!functionName) return [];
  const own = ownLogGroup(functionName);
  return policy.groups.filter((group) => matchesLogGroup(group.match, own));
}
