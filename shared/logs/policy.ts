// Log forwarding policy: the `logs` section of a stage policy, validated at cold start.
import * as z from '../zod';

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

/** The `logs` section's schema, built on first use. */
function buildLogsPolicySchema() {
  const regexSource = z.string().check(
    z.minLength(1),
    z.refine((source) => {
      try {
        new RegExp(source);
        return true;
      } catch {
        return false;
      }
    }, 'expected a valid regular expression'),
  );

  /** A log group name, or a prefix ending in `*` (e.g. `/aws/containerinsights/*`). */
  const logGroupPattern = z.string().check(z.regex(/^[\w./#-]+\*?$|^\*$/, 'expected a log group name or a prefix ending in *'));

  /** A whole number from `min` to `max`. */
  const intBetween = (min: number, max: number) => z.int().check(z.minimum(min), z.maximum(max));

  const groupSchema = z.strictObject({
    match: logGroupPattern,
    /** Service name recorded on every event of the group. */
    service: z.optional(z.string().check(z.minLength(1))),
    /** When given, only messages matching at least one of these are forwarded. */
    include: z._default(z.array(regexSource), []),
    /** Messages matching any of these are dropped (and counted as filtered); wins over include. */
    exclude: z._default(z.array(regexSource), []),
  });

  const customRedactionSchema = z.strictObject({
    name: z.string().check(z.regex(/^[a-z][a-z0-9-]*$/, 'expected a lower-case rule name')),
    pattern: regexSource,
    replacement: z._default(z.string(), '[REDACTED]'),
  });

  const sinkSchema = z.strictObject({
    /** `ndjson`: one JSON document per line. `bulk`: OpenSearch/Elasticsearch `_bulk`, `_id` = event id. */
    mode: z._default(z.enum(['ndjson', 'bulk']), 'ndjson'),
    /** Bulk index; `{service}` and `{date}` (UTC yyyy.mm.dd of the event) are substituted. */
    index: z._default(z.string().check(z.regex(/^[a-z0-9{}._-]+$/, 'expected a lower-case index name')), 'logs-{service}-{date}'),
    maxRequestBytes: z._default(intBetween(16_384, MAX_REQUEST_BYTES_LIMIT), DEFAULT_MAX_REQUEST_BYTES),
    maxRequestEvents: z._default(intBetween(1, 50_000), DEFAULT_MAX_REQUEST_EVENTS),
    /** gzip level of request bodies: 1 is fast and already shrinks log text about tenfold. */
    compressionLevel: z._default(intBetween(1, 9), 1),
    /** Requests in flight at once for one batch. */
    concurrency: z._default(intBetween(1, 16), 4),
  });

  const digestSchema = z.strictObject({
    enabled: z._default(z.boolean(), true),
    /** At most one digest per log group per this many seconds; later errors are counted, not posted. */
    minIntervalSeconds: z._default(intBetween(0, 86_400), 300),
    topMessages: z._default(intBetween(1, 20), 5),
    /** Time range, before the newest error, of the Logs Insights query the digest links to. */
    queryWindowMinutes: z._default(intBetween(1, 1_440), 15),
  });

  /** Schema of the policy's `logs` section; every field has a default, so `{}` is a valid section. */
  const logsPolicySchema = z.strictObject({
    /** First matching group wins; a log group matching none is forwarded unfiltered with service `unknown`. */
    groups: z._default(z.array(groupSchema), []),
    sink: z._default(sinkSchema, sinkSchema.parse({})),
    redaction: z._default(
      z.strictObject({
        builtins: z._default(z.array(z.enum(BUILTIN_REDACTIONS)), [...BUILTIN_REDACTIONS]),
        custom: z._default(z.array(customRedactionSchema), []),
      }),
      { builtins: [...BUILTIN_REDACTIONS], custom: [] },
    ),
    digest: z._default(digestSchema, digestSchema.parse({})),
    metrics: z._default(
      z.strictObject({ namespace: z._default(z.string().check(z.regex(/^[\w/.#:-]{1,255}$/, 'expected a CloudWatch namespace')), 'Firebreak/Logs') }),
      { namespace: 'Firebreak/Logs' },
    ),
  });

  return logsPolicySchema;
}

const schema = z.builtOnFirstUse(buildLogsPolicySchema);

/** Schema of the policy's `logs` section; every field has a default, so `{}` is a valid section. */
export const logsPolicySchema = z.lazy(schema);

/** The validated `logs` policy section, defaults filled in. */
export type LogsPolicy = z.infer<typeof logsPolicySchema>;
/** One entry of `logs.groups`: which log groups it covers, their service name and filters. */
export type LogGroupRule = LogsPolicy['groups'][number];

/** The section used when a stage policy has no `logs` section (built on first use, like the schema). */
export const defaultLogsPolicy = z.builtOnFirstUse((): LogsPolicy => logsPolicySchema.parse({}));

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
