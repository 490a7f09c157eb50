// Configuration: the schema of a stage's declarative policy (routing, severity, and each function's section).
import { z } from 'zod';
import { ALARM_STATES } from '../alarm/model';
import { remediationPolicySchema } from '../remediation/policy';
import { responderPolicySchema } from '../responder/policy';
import { logsPolicySchema } from '../logs/policy';

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CHANNELS = ['email', 'slack', 'pagerduty'] as const;
export type ChannelName = (typeof CHANNELS)[number];

/** An alarm-name pattern: exact, or with `*` wildcards (`RetailPrediction-*`). */
const alarmPattern = z.string().min(1).max(255);
const patterns = z.union([alarmPattern, z.array(alarmPattern).min(1)]).transform((p) => (Array.isArray(p) ? p : [p]));

const severityRule = z.strictObject({
  alarm: patterns,
  severity: z.enum(SEVERITIES),
});

const routeMatch = z
  .strictObject({
    alarm: patterns.optional(),
    severity: z.array(z.enum(SEVERITIES)).min(1).optional(),
    state: z.array(z.enum(ALARM_STATES)).min(1).optional(),
  })
  .default({});

const channelList = z
  .array(z.enum(CHANNELS))
  .min(1)
  .refine((cs) => new Set(cs).size === cs.length, 'lists a channel twice');

const route = z.strictObject({
  name: z.string().min(1),
  match: routeMatch,
  channels: channelList,
  /** Keep matching later routes after this one (their channels are added). */
  continue: z.boolean().default(false),
});

export const routingPolicySchema = z.strictObject({
  severity: z.strictObject({
    /** First matching rule wins; then a token in AlarmDescription; then `default`. */
    rules: z.array(severityRule).default([]),
    default: z.enum(SEVERITIES).default('warning'),
  }),
  routes: z.array(route).default([]),
  defaultRoute: z.strictObject({ channels: channelList }),
  pagerduty: z
    .strictObject({
      /** INSUFFICIENT_DATA pages nobody unless this says `trigger`. */
      insufficientData: z.enum(['ignore', 'trigger']).default('ignore'),
      /** PagerDuty severity for each Firebreak severity. */
      severityMap: z
        .strictObject({
          critical: z.enum(['critical', 'error', 'warning', 'info']).default('critical'),
          warning: z.enum(['critical', 'error', 'warning', 'info']).default('warning'),
          info: z.enum(['critical', 'error', 'warning', 'info']).default('info'),
        })
        .default({ critical: 'critical', warning: 'warning', info: 'info' }),
    })
    .default({ insufficientData: 'ignore', severityMap: { critical: 'critical', warning: 'warning', info: 'info' } }),
  /** Runbook file per alarm pattern, relative to RUNBOOK_BASE_URL; `{alarm}` is the alarm name. */
  runbooks: z
    .strictObject({
      alarms: z.record(alarmPattern, z.string().min(1)).default({}),
      default: z.string().min(1).default('README.md'),
    })
    .default({ alarms: {}, default: 'README.md' }),
});

/** A stage's whole policy. Each function's section is optional so a stage can leave one out. */
export const policySchema = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1),
  description: z.string().optional(),
  notify: routingPolicySchema,
  remediation: remediationPolicySchema.optional(),
  responder: responderPolicySchema.optional(),
  logs: logsPolicySchema.optional(),
});

export type Policy = z.infer<typeof policySchema>;
export type RoutingPolicy = z.infer<typeof routingPolicySchema>;
export type Route = RoutingPolicy['routes'][number];
