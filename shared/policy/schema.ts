// Configuration: the schema of a stage's declarative policy (routing, severity, and each function's section).
import * as z from '../zod';
import { ALARM_STATES } from '../alarm/model';
import { remediationPolicySchema } from '../remediation/policy';
import { responderPolicySchema } from '../responder/policy';
import { logsPolicySchema } from '../logs/policy';
import { parseDuration } from '../duration';
import { SILENCE_MAX_MS } from '../silence/model';
import { scheduleProblem } from '../silence/schedule';

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CHANNELS = ['email', 'slack', 'pagerduty'] as const;
export type ChannelName = (typeof CHANNELS)[number];

/** What a grouped route groups its alarms by (storm control). */
export const GROUP_KEYS = ['service', 'alarmPrefix', 'severity'] as const;
export type GroupKey = (typeof GROUP_KEYS)[number];

/** The canonical IANA zones this runtime knows, read on first use. */
let knownZones: ReadonlySet<string> | undefined;

/**
 * Whether `zone` is an IANA time zone this runtime knows. The canonical list first: a formatter in a zone
 * costs about 9 ms the first time (ICU loads its zone data), at every cold start that validates a window;
 * only an alias (`US/Eastern`, `Asia/Calcutta`) is left to one.
 */
const isTimeZone = (zone: string): boolean => {
  knownZones ??= new Set(Intl.supportedValuesOf('timeZone'));
  if (knownZones.has(zone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/** The `notify` section's schema, built on first use. */
function buildRoutingPolicySchema() {
  /** An alarm-name pattern: exact, or with `*` wildcards (`RetailPrediction-*`). */
  const alarmPattern = z.string().check(z.minLength(1), z.maxLength(255));
  const patterns = z.pipe(
    z.union([alarmPattern, z.array(alarmPattern).check(z.minLength(1))]),
    z.transform((p: string | string[]) => (Array.isArray(p) ? p : [p])),
  );

  const severityRule = z.strictObject({
    alarm: patterns,
    severity: z.enum(SEVERITIES),
  });

  const routeMatch = z._default(
    z.strictObject({
      alarm: z.optional(patterns),
      severity: z.optional(z.array(z.enum(SEVERITIES)).check(z.minLength(1))),
      state: z.optional(z.array(z.enum(ALARM_STATES)).check(z.minLength(1))),
    }),
    {},
  );

  const channelList = z.array(z.enum(CHANNELS)).check(
    z.minLength(1),
    z.refine((cs) => new Set(cs).size === cs.length, 'lists a channel twice'),
  );

  /** A Slack conversation id: a channel (`C…`), private channel (`G…`) or user (`U…`, a direct message). */
  const slackChannel = z.string().check(z.regex(/^[CGDU][A-Z0-9]{6,}$/, 'is not a Slack channel id (such as C0123ABCD; the channel name will not do: the Web API needs the id)'));
  /** Who may use one of the app's buttons: Slack user ids (`U…`/`W…`) and user groups (`S…`). */
  const allowed = z.strictObject({
    users: z._default(z.array(z.string().check(z.regex(/^[UW][A-Z0-9]{6,}$/, 'is not a Slack user id (such as U0123ABCD)'))), []),
    groups: z._default(z.array(z.string().check(z.regex(/^S[A-Z0-9]{6,}$/, 'is not a Slack user group id (such as S0123ABCD)'))), []),
  });
  /** App mode (a bot token configured): where alarms are posted, and who may press which button. */
  const slackApp = z.strictObject({
    defaultChannel: slackChannel,
    /** Each button, and who may use it; a button no entry names is not shown. */
    actions: z._default(
      z.strictObject({
        acknowledge: z.optional(allowed),
        silence: z.optional(allowed),
      }),
      {},
    ),
  });

  /** A duration as `30s`, `5m`, `1h30m`, `7d`; parsed to milliseconds. */
  const duration = (max: number) =>
    z.pipe(
      z.string().check(
        z.refine((d) => parseDuration(d) !== undefined, 'is not a duration: write it as 30s, 5m, 2h, 1h30m or 7d'),
        z.refine((d) => (parseDuration(d) ?? 0) <= max, `is longer than ${max / 3_600_000} h`),
      ),
      z.transform((d: string) => parseDuration(d)!),
    );

  /** Storm control, Alertmanager's group_by / group_wait / group_interval. */
  const group = z.strictObject({
    by: z.array(z.enum(GROUP_KEYS)).check(
      z.minLength(1),
      z.refine((ks) => new Set(ks).size === ks.length, 'lists a key twice'),
    ),
    /** How long the first alarm of a group waits for the others before the group's first batch. */
    wait: z._default(duration(15 * 60_000), 30_000),
    /** How often a group's later changes are sent, one batch each. */
    interval: z._default(duration(24 * 3_600_000), 300_000),
  });

  const route = z.strictObject({
    name: z.string().check(z.minLength(1)),
    match: routeMatch,
    channels: channelList,
    /** Keep matching later routes after this one (their channels are added). */
    continue: z._default(z.boolean(), false),
    group: z.optional(group),
    /** The Slack channel (id, as `C0123ABCD`) this route's alarms are posted to in app mode; `slackApp.defaultChannel` otherwise. */
    slackChannel: z.optional(slackChannel),
  });

  /** A recurring maintenance window: the same effect as a silence on the alarms it covers, while it is open. */
  const maintenanceWindow = z.strictObject({
    name: z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[A-Za-z0-9_.-]+$/, 'is letters, digits, dots, dashes and underscores')),
    /** Five-field cron in `timeZone`: minute hour day-of-month month day-of-week. */
    schedule: z.string().check(z.refine((s) => scheduleProblem(s) === undefined, { error: (issue) => `${scheduleProblem(String(issue.input))}` })),
    timeZone: z.string().check(z.refine(isTimeZone, 'is not an IANA time zone (such as Europe/London or UTC)')),
    duration: duration(SILENCE_MAX_MS),
    alarms: patterns,
    severity: z.optional(z.array(z.enum(SEVERITIES)).check(z.minLength(1))),
    reason: z.string().check(z.minLength(1)),
    pauseRemediation: z._default(z.boolean(), false),
  });

  const pagerDutySeverity = z.enum(['critical', 'error', 'warning', 'info']);

  const routingPolicySchema = z.strictObject({
    severity: z.strictObject({
      /** First matching rule wins; then a token in AlarmDescription; then `default`. */
      rules: z._default(z.array(severityRule), []),
      default: z._default(z.enum(SEVERITIES), 'warning'),
    }),
    routes: z._default(z.array(route), []),
    defaultRoute: z.strictObject({ channels: channelList }),
    /** The Slack app, when one is installed (SLACK_BOT_TOKEN / SLACK_BOT_TOKEN_PARAM): without it, Slack is the webhook. */
    slackApp: z.optional(slackApp),
    /** Recurring maintenance windows; each name once. */
    windows: z._default(
      z.array(maintenanceWindow).check(z.refine((ws) => new Set(ws.map((w) => w.name)).size === ws.length, 'names a window twice')),
      [],
    ),
    pagerduty: z._default(
      z.strictObject({
        /** INSUFFICIENT_DATA pages nobody unless this says `trigger`. */
        insufficientData: z._default(z.enum(['ignore', 'trigger']), 'ignore'),
        /** PagerDuty severity for each Firebreak severity. */
        severityMap: z._default(
          z.strictObject({
            critical: z._default(pagerDutySeverity, 'critical'),
            warning: z._default(pagerDutySeverity, 'warning'),
            info: z._default(pagerDutySeverity, 'info'),
          }),
          { critical: 'critical', warning: 'warning', info: 'info' },
        ),
      }),
      { insufficientData: 'ignore', severityMap: { critical: 'critical', warning: 'warning', info: 'info' } },
    ),
    /** Runbook file per alarm pattern, relative to RUNBOOK_BASE_URL; `{alarm}` is the alarm name. */
    runbooks: z._default(
      z.strictObject({
        alarms: z._default(z.record(alarmPattern, z.string().check(z.minLength(1))), {}),
        default: z._default(z.string().check(z.minLength(1)), 'README.md'),
      }),
      { alarms: {}, default: 'README.md' },
    ),
  });

  return routingPolicySchema;
}

/** The `notify` section: severity rules, routes and the default route, PagerDuty and runbook settings. */
export const routingPolicySchema = z.lazy(z.builtOnFirstUse(buildRoutingPolicySchema));

/** Each section of a policy and its schema; every section but `notify` may be left out. */
export const POLICY_SECTIONS = {
  notify: routingPolicySchema,
  remediation: z.optional(remediationPolicySchema),
  responder: z.optional(responderPolicySchema),
  logs: z.optional(logsPolicySchema),
};
export type PolicySection = keyof typeof POLICY_SECTIONS;

const policyHeader = {
  $schema: z.optional(z.string()),
  version: z.literal(1),
  description: z.optional(z.string()),
};

/**
 * A policy's top level only: its header and which keys it has. Each section, present or not, is then
 * checked by its own schema (so a missing `notify` is reported as the whole-document check reports it).
 */
export const policyOutlineSchema = z.strictObject({
  ...policyHeader,
  notify: z.optional(z.unknown()),
  remediation: z.optional(z.unknown()),
  responder: z.optional(z.unknown()),
  logs: z.optional(z.unknown()),
});

/** A stage's whole policy. Each function's section is optional so a stage can leave one out. */
export const policySchema = z.strictObject({ ...policyHeader, ...POLICY_SECTIONS });

export type Policy = z.infer<typeof policySchema>;
export type RoutingPolicy = z.infer<typeof routingPolicySchema>;
export type Route = RoutingPolicy['routes'][number];
export type RouteGroup = NonNullable<Route['group']>;
export type MaintenanceWindow = RoutingPolicy['windows'][number];
export type SlackAppPolicy = NonNullable<RoutingPolicy['slackApp']>;
export type SlackAction = keyof SlackAppPolicy['actions'];
