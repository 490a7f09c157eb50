// Policy: the `responder` section — which alarms the responder handles, what it measures, and where it draws its lines.
import * as z from '../zod';
import { ConfigError } from '../errors';
import { describeIssues } from '../validation';
import type { BreakerTarget } from '../remediation/types';
import { remediationActionSchema, type RemediationPolicy, type RuleAction } from '../remediation/policy';

/** What a diagnostic query measures; the decision table reads values by role, never by metric name. */
export const METRIC_ROLES = ['errorRate', 'latency', 'requests', 'cpu', 'memory'] as const;
export type MetricRole = (typeof METRIC_ROLES)[number];

/** Every schema of the `responder` section, built together on first use. */
function buildResponderSchemas() {
  const queryId = z.string().check(z.regex(/^[a-z][A-Za-z0-9_]*$/, 'expected a GetMetricData id such as errorRate'));

  /** `Average`, `Sum`, `Maximum`, … or a percentile such as `p95`. */
  const statSchema = z.string().check(z.regex(/^(Average|Sum|Minimum|Maximum|SampleCount|p\d{1,2}(\.\d+)?)$/, 'expected a statistic such as Average or p95'));
  const EXPLICIT_FIELDS = ['namespace', 'metric', 'stat', 'dimensions', 'unit'] as const;

  /**
   * One query, in one of two forms (checked field by field, so an error names the field):
   * - `{ id, role, alarm }`: the metric the alarm watches, read from the alarm's own definition (its
   *   metric or metric math, statistic and period), so the diagnosis and the alarm cannot disagree;
   * - `{ id, role, namespace, metric, stat, dimensions?, unit? }`: a metric read directly, for context
   *   the alarm does not give (requests, CPU, memory).
   */
  const metricQuerySchema = z.pipe(
    z
      .strictObject({
        /** GetMetricData query id: lower-case first letter, letters, digits and underscores. */
        id: queryId,
        role: z.enum(METRIC_ROLES),
        alarm: z.optional(z.string().check(z.minLength(1))),
        namespace: z.optional(z.string().check(z.minLength(1))),
        metric: z.optional(z.string().check(z.minLength(1))),
        stat: z.optional(statSchema),
        dimensions: z.optional(z.record(z.string(), z.string())),
        unit: z.optional(z.string()),
      })
      .check(
        z.superRefine((q, ctx) => {
          if (q.alarm !== undefined) {
            for (const field of EXPLICIT_FIELDS) {
              if (q[field] !== undefined) ctx.addIssue({ code: 'custom', message: `a query that reads alarm ${q.alarm} takes its metric from the alarm; remove ${field}`, path: [field] });
            }
            return;
          }
          for (const field of ['namespace', 'metric', 'stat'] as const) {
            if (q[field] === undefined) ctx.addIssue({ code: 'custom', message: `expected ${field} (or alarm, to read the metric an alarm watches)`, path: [field] });
          }
        }),
      ),
    z.transform((q): AlarmQueryShape | ExplicitQueryShape =>
      q.alarm !== undefined
        ? { id: q.id, role: q.role, alarm: q.alarm }
        : { id: q.id, role: q.role, namespace: q.namespace!, metric: q.metric!, stat: q.stat!, dimensions: q.dimensions ?? {}, ...(q.unit !== undefined ? { unit: q.unit } : {}) },
    ),
  );

  const percent = z.number().check(z.minimum(0), z.maximum(100));

  const thresholdsSchema = z
    .strictObject({
      /** CPU above this (percent) is a capacity problem. */
      cpuPercent: z._default(percent, 80),
      /** Memory above this (percent) is a capacity problem. */
      memoryPercent: z._default(percent, 85),
      /** Latency above this (the unit of the latency query, ms in the sample) counts as high. */
      latency: z._default(z.number().check(z.positive()), 200),
      /** Error rate at or below this (percent) is "moderate": high latency with it is a capacity problem. */
      moderateErrorRatePercent: z._default(percent, 20),
      /** Error rate above this (percent) opens the service's circuit breaker. */
      extremeErrorRatePercent: z._default(percent, 50),
      /** Error rate at or below this (percent), with nothing else over its line, is healthy. */
      healthyErrorRatePercent: z._default(percent, 5),
    })
    .check(
      z.refine((t) => t.moderateErrorRatePercent <= t.extremeErrorRatePercent, {
        message: 'moderateErrorRatePercent must not exceed extremeErrorRatePercent',
        path: ['moderateErrorRatePercent'],
      }),
    );

  /**
   * A scaling the responder may ask for: a `remediation` action of kind scale-nodegroup or scale-deployment,
   * naming a target of the `remediation` section. It runs through every remediation guard (kill switch,
   * allow-list, bounds, cooldown, budgets, DRY_RUN), so a target missing there is refused, never touched.
   */
  const scaleActionSchema = z.pipe(
    remediationActionSchema.check(z.refine((a) => a.kind !== 'restart-deployment', 'the responder scales; restart-deployment is not a scaling action')),
    z.transform((a: RuleAction) => a as ScaleAction),
  );

  const serviceSchema = z.strictObject({
    /** Alarms whose ALARM and OK notifications this service's responder handles. */
    alarms: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
    lookbackMinutes: z._default(z.int().check(z.minimum(1), z.maximum(1440)), 10),
    periodSeconds: z._default(
      z.int().check(z.refine((p) => p === 1 || p === 5 || p === 10 || p === 30 || p % 60 === 0, 'expected 1, 5, 10, 30 or a multiple of 60')),
      60,
    ),
    queries: z.array(metricQuerySchema).check(
      z.minLength(1),
      z.maxLength(20),
      // One GetMetricData request carries them all, and CloudWatch refuses a request that repeats an id.
      z.superRefine((queries, ctx) => {
        const seen = new Set<string>();
        queries.forEach((q, i) => {
          if (seen.has(q.id)) ctx.addIssue({ code: 'custom', message: `query id ${q.id} is already used by another query`, path: [i, 'id'] });
          seen.add(q.id);
        });
      }),
    ),
    thresholds: z._default(thresholdsSchema, {
      cpuPercent: 80,
      memoryPercent: 85,
      latency: 200,
      moderateErrorRatePercent: 20,
      extremeErrorRatePercent: 50,
      healthyErrorRatePercent: 5,
    }),
    /** What "scale" means for this service: each target goes through the bounded remediation and its guards. */
    scale: z._default(z.array(scaleActionSchema), []),
    /** The circuit-breaker flag this service's applications read, and how long an opening holds before re-evaluation. */
    breaker: z.strictObject({
      name: z.string().check(z.regex(/^[a-zA-Z0-9_.-]+$/, 'expected a flag name of letters, digits, dot, dash or underscore')),
      ttlMinutes: z._default(z.int().check(z.minimum(1), z.maximum(1440)), 30),
    }),
    /** The responder's own breaker: after this many actions on one incident without recovery it stops and escalates. */
    maxActionsPerIncident: z._default(z.int().check(z.minimum(1), z.maximum(20)), 3),
  });

  /** The `responder` section of the policy: one entry per service, keyed by a short service name. */
  const responderPolicySchema = z
    .strictObject({
      services: z.record(z.string().check(z.regex(/^[a-z][a-z0-9-]*$/, 'expected a lower-case service name')), serviceSchema),
    })
    .check(
      z.superRefine((policy, ctx) => {
        // One alarm, one responder: otherwise which service acts would depend on key order.
        const owner = new Map<string, string>();
        for (const [name, service] of Object.entries(policy.services)) {
          for (const alarm of service.alarms) {
            const first = owner.get(alarm);
            if (first) ctx.addIssue({ code: 'custom', message: `alarm ${alarm} is already handed to service ${first}`, path: ['services', name, 'alarms'] });
            else owner.set(alarm, name);
          }
        }
      }),
    );

  return { metricQuerySchema, thresholdsSchema, serviceSchema, responderPolicySchema };
}

const schemas = z.builtOnFirstUse(buildResponderSchemas);
type Schemas = ReturnType<typeof schemas>;

/** The `responder` section of the policy: one entry per service, keyed by a short service name. */
export const responderPolicySchema = z.lazy(() => schemas().responderPolicySchema);

export type ResponderPolicy = z.infer<typeof responderPolicySchema>;
export type ServicePolicy = z.infer<Schemas['serviceSchema']>;
/** A query that reads the metric an alarm watches, from the alarm's own definition. */
interface AlarmQueryShape {
  readonly id: string;
  readonly role: MetricRole;
  readonly alarm: string;
}
/** A query that reads one metric directly. */
interface ExplicitQueryShape {
  readonly id: string;
  readonly role: MetricRole;
  readonly namespace: string;
  readonly metric: string;
  readonly stat: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly unit?: string;
}
export type MetricQuery = z.infer<Schemas['metricQuerySchema']>;
export type AlarmMetricQuery = AlarmQueryShape;
export type ExplicitMetricQuery = ExplicitQueryShape;

/** True for a query that reads the metric an alarm watches. */
export const isAlarmQuery = (q: MetricQuery): q is AlarmMetricQuery => 'alarm' in q;
export type Thresholds = z.infer<Schemas['thresholdsSchema']>;
export type ScaleAction = Exclude<RuleAction, { kind: 'restart-deployment' }>;

/** The service whose responder handles `alarmName`, or undefined when the policy does not hand it over. */
export function serviceForAlarm(policy: ResponderPolicy, alarmName: string): { name: string; service: ServicePolicy } | undefined {
  for (const [name, service] of Object.entries(policy.services)) {
    if (service.alarms.includes(alarmName)) return { name, service };
  }
  return undefined;
}

/** The breakers the responder's services own: the engine's allow-list of flags it may open and close. */
export function breakerTargets(policy: ResponderPolicy): BreakerTarget[] {
  return Object.values(policy.services).map((s) => ({ flag: s.breaker.name, ttlMinutes: s.breaker.ttlMinutes }));
}

/**
 * Scale actions naming a target the `remediation` section does not declare. Remediation's allow-list
 * would refuse them at run time anyway; checking at cold start makes the mistake loud early.
 */
export function unknownScaleTargets(responder: ResponderPolicy, remediation: RemediationPolicy | undefined): string[] {
  const known = new Set([...(remediation?.nodegroups ?? []).map((t) => t.id), ...(remediation?.deployments ?? []).map((t) => t.id)]);
  return Object.entries(responder.services).flatMap(([name, service]) =>
    service.scale.filter((a) => !known.has(a.target)).map((a) => `responder.services.${name}.scale: ${a.kind} target ${a.target} is not in the remediation section`),
  );
}

/** Validates a `responder` section; throws naming the bad field. */
export function parseResponderPolicy(json: unknown): ResponderPolicy {
  const parsed = responderPolicySchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(`Invalid responder policy: ${describeIssues(parsed.error, 'responder')}`, { cause: parsed.error });
  }
  return parsed.data;
}
