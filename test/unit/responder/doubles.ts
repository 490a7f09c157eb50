// Test doubles for the respond use case: scripted metrics, flags in memory, recording remediator, pager and team.
import type { GetMetricDataCommandInput, MetricAlarm, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import type { AlarmState } from '../../../shared/alarm/model';
import { parseSnsRecord } from '../../../shared/alarm/parse';
import type { Alarm } from '../../../shared/alarm/model';
import type { SlackMessage } from '../../../shared/channels/slack';
import type { MetricRole } from '../../../shared/responder/policy';
import type { Diagnostics, MetricsSource } from '../../../shared/responder/diagnose';
import { memoryIncidentStore } from '../../../shared/responder/memory-store';
import { InMemoryDeliveryLedger } from '../../../shared/delivery/ledger';
import type { PageRequest, Remediator } from '../../../shared/responder/ports';
import type { ResponderDeps } from '../../../shared/responder/ports';
import { breakerTargets, type ResponderPolicy } from '../../../shared/responder/policy';
import { executeRemediation } from '../../../shared/remediation/execute';
import { fakeDeps, samplePolicy as remediationPolicy } from '../remediation/support/fixtures';
import type { RemediationOutcome, RemediationRequest } from '../../../shared/remediation/types';
import { loadAlarmMessage, loadSnsRecord } from '../../support/events';
import { MemoryFlags } from '../../support/memory-flags';

export { MemoryFlags };
import { samplePolicy } from './fixtures';

const QUERY_OF_ROLE: Record<MetricRole, string> = { errorRate: 'errorRate', latency: 'latencyP95', requests: 'requests', cpu: 'nodeCpu', memory: 'nodeMemory' };

/**
 * The reference alarms the stage policies' alarm-derived queries read, as DescribeAlarms returns them
 * (serverless.yml defines them; the system suite reads the deployed ones).
 */
export const REFERENCE_ALARMS: readonly MetricAlarm[] = [
  {
    AlarmName: 'RetailPrediction-HighErrorRate',
    EvaluationPeriods: 2,
    Threshold: 5,
    ComparisonOperator: 'GreaterThanThreshold',
    Metrics: [
      { Id: 'errorRate', Expression: '100 * apiErrors / apiRequests', Label: 'Error rate (%)', ReturnData: true },
      { Id: 'apiErrors', MetricStat: { Metric: { Namespace: 'RetailMLOps', MetricName: 'APIErrorCount' }, Period: 60, Stat: 'Sum' }, ReturnData: false },
      { Id: 'apiRequests', MetricStat: { Metric: { Namespace: 'RetailMLOps', MetricName: 'APIRequestCount' }, Period: 60, Stat: 'Sum' }, ReturnData: false },
    ],
  },
  {
    AlarmName: 'RetailPrediction-HighLatency',
    Namespace: 'RetailMLOps',
    MetricName: 'InferenceLatency',
    ExtendedStatistic: 'p95',
    Period: 60,
    EvaluationPeriods: 3,
    Threshold: 200,
    ComparisonOperator: 'GreaterThanThreshold',
  },
];

/** What DescribeAlarms answers for these names: the reference alarms' definitions, in `state`. */
export const describedAlarms = (names: readonly string[] | undefined, state?: string): MetricAlarm[] =>
  REFERENCE_ALARMS.filter((a) => !names || names.includes(a.AlarmName!)).map((a) => ({ ...a, ...(state ? { StateValue: state as MetricAlarm['StateValue'] } : {}) }));

/**
 * The Trigger CloudWatch publishes for HighErrorRate as serverless.yml now defines it (metric math over the
 * metric filters' counts), in the SNS notification's own shape.
 */
export const ERROR_RATE_TRIGGER = {
  Period: 60,
  EvaluationPeriods: 2,
  ComparisonOperator: 'GreaterThanThreshold',
  Threshold: 5.0,
  TreatMissingData: 'notBreaching',
  EvaluateLowSampleCountPercentile: '',
  Metrics: [
    { Id: 'errorRate', Expression: '100 * apiErrors / apiRequests', Label: 'Error rate (%)', ReturnData: true },
    { Id: 'apiErrors', MetricStat: { Metric: { Dimensions: [], MetricName: 'APIErrorCount', Namespace: 'RetailMLOps' }, Period: 60, Stat: 'Sum' }, ReturnData: false },
    { Id: 'apiRequests', MetricStat: { Metric: { Dimensions: [], MetricName: 'APIRequestCount', Namespace: 'RetailMLOps' }, Period: 60, Stat: 'Sum' }, ReturnData: false },
  ],
};

/** The sample alarm of `events/<name>.json` with its Trigger replaced by `trigger` (removed when null). */
export function alarmWithTrigger(name: string, trigger: Record<string, unknown> | null): { messageId: string; alarm: Alarm } {
  const record = loadSnsRecord(name);
  const message = loadAlarmMessage(name);
  if (trigger === null) delete message.Trigger;
  else message.Trigger = trigger;
  record.Sns.Message = JSON.stringify(message);
  const parsed = parseSnsRecord(record);
  if (parsed.type !== 'alarm') throw new Error(`events/${name}.json with that Trigger is not an alarm`);
  return { messageId: parsed.messageId, alarm: parsed.alarm };
}

/**
 * Arithmetic over query ids (`+ - * /`, parentheses, numbers), as the system suite's emulator evaluates
 * metric math. An id the request does not have throws, as CloudWatch refuses it; one without a value gives none.
 */
function evaluate(expression: string, known: ReadonlySet<string>, values: ReadonlyMap<string, number>): number | undefined {
  const tokens = expression.match(/\d+(?:\.\d+)?|[a-z][A-Za-z0-9_]*|[-+*/()]/g) ?? [];
  let i = 0;
  const apply = (op: string, a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? undefined : op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : b === 0 ? undefined : a / b;
  const atom = (): number | undefined => {
    const t = tokens[i++];
    if (t === '(') {
      const v = sum();
      i++;
      return v;
    }
    if (t === '-') return apply('*', -1, atom());
    if (t !== undefined && /^\d/.test(t)) return Number(t);
    if (t === undefined || !known.has(t)) throw new Error(`unknown id ${t ?? '(end)'} in expression ${expression}`);
    return values.get(t);
  };
  const product = (): number | undefined => {
    let v = atom();
    while (tokens[i] === '*' || tokens[i] === '/') v = apply(tokens[i++] as string, v, atom());
    return v;
  };
  const sum = (): number | undefined => {
    let v = product();
    while (tokens[i] === '+' || tokens[i] === '-') v = apply(tokens[i++] as string, v, product());
    return v;
  };
  return sum();
}

/**
 * A CloudWatch double that computes what it is asked: each MetricStat reads the latest value of its
 * `Namespace/MetricName` in `latest`, each expression is evaluated over the other queries, and only the
 * queries asked to return data are answered. DescribeAlarms answers from `alarms`. Records every request.
 */
export class EvaluatingMetrics implements MetricsSource {
  readonly requests: GetMetricDataCommandInput[] = [];
  readonly described: (readonly string[])[] = [];
  constructor(
    public latest: Record<string, number>,
    private readonly alarms: readonly MetricAlarm[] = REFERENCE_ALARMS,
  ) {}
  async describeAlarms(names: readonly string[]) {
    this.described.push(names);
    return this.alarms.filter((a) => a.AlarmName !== undefined && names.includes(a.AlarmName));
  }
  async getMetricData(input: GetMetricDataCommandInput): Promise<MetricDataResult[]> {
    this.requests.push(input);
    const queries = input.MetricDataQueries ?? [];
    const known = new Set(queries.map((q) => q.Id ?? ''));
    if (known.size !== queries.length) throw new Error('ValidationError: the request repeats a query id');
    const values = new Map<string, number>();
    for (const q of queries) {
      const metric = q.MetricStat?.Metric;
      const v = metric ? this.latest[`${metric.Namespace}/${metric.MetricName}`] : undefined;
      if (v !== undefined) values.set(q.Id ?? '', v);
    }
    for (const q of queries) {
      if (q.Expression === undefined) continue;
      const v = evaluate(q.Expression, known, values);
      if (v !== undefined) values.set(q.Id ?? '', v);
    }
    return queries
      .filter((q) => q.ReturnData !== false && values.has(q.Id ?? ''))
      .map((q) => ({ Id: q.Id, Timestamps: [new Date('2026-11-21T03:12:00.000Z')], Values: [values.get(q.Id ?? '') as number], StatusCode: 'Complete' }));
  }
}

/** GetMetricData results whose latest point per role is `values`. */
export function metricResults(values: Partial<Record<MetricRole, number>>): MetricDataResult[] {
  return Object.entries(values).map(([role, v]) => ({
    Id: QUERY_OF_ROLE[role as MetricRole],
    Timestamps: [new Date('2026-11-21T03:11:00.000Z'), new Date('2026-11-21T03:12:00.000Z')],
    Values: [v, v],
    StatusCode: 'Complete',
  }));
}

/** Answers each GetMetricData with the next scripted state (the last one repeats); counts calls. */
export class ScriptedMetrics implements MetricsSource {
  calls = 0;
  constructor(private readonly states: Partial<Record<MetricRole, number>>[]) {}
  async getMetricData() {
    const state = this.states[Math.min(this.calls, this.states.length - 1)] ?? {};
    this.calls++;
    return metricResults(state);
  }
  /** The names each DescribeAlarms asked for. */
  readonly described: (readonly string[])[] = [];
  async describeAlarms(names: readonly string[]) {
    this.described.push(names);
    return describedAlarms(names);
  }
}

/**
 * The remediation engine as the responder drives it: the real `executeRemediation` over in-memory ports
 * (its ledger, audit trail, kill switch, node group and deployment), with the harness's flags as its
 * breakers. Records every request; `outcome`, when set, answers scale requests instead of the engine.
 */
export class RecordingRemediator implements Remediator {
  readonly requests: RemediationRequest[] = [];
  outcome?: (r: RemediationRequest) => RemediationOutcome | Promise<RemediationOutcome>;
  readonly engine: ReturnType<typeof fakeDeps>;
  constructor(flags: MemoryFlags, responder: ResponderPolicy, options: { readonly dryRun: boolean; readonly now: () => Date }) {
    // No cooldown and ample budgets: the responder's tests repeat actions minutes apart; the engine's own tests cover those guards.
    const policy = remediationPolicy((section) => {
      section.budget = { windowSeconds: 3600, perTarget: 100, global: 100 };
      for (const t of [...section.nodegroups, ...section.deployments]) t.cooldownSeconds = 0;
    });
    this.engine = fakeDeps({ policy, breakers: { targets: breakerTargets(responder), flags }, dryRun: options.dryRun, now: options.now });
    this.engine.nodegroups.capacity = { desired: 2, min: 1, max: 10, asgName: 'eks-retail-prediction-nodegroup-asg' };
  }
  async remediate(request: RemediationRequest) {
    this.requests.push(request);
    const isBreaker = request.action.kind === 'open-breaker' || request.action.kind === 'close-breaker';
    if (this.outcome && !isBreaker) return this.outcome(request);
    return executeRemediation(request, this.engine.deps);
  }
  /** The scale requests (not the breaker's). */
  get scalings() {
    return this.requests.filter((r) => r.action.kind !== 'open-breaker' && r.action.kind !== 'close-breaker');
  }
  /** The operator's kill switch of the engine. */
  get killSwitch() {
    return this.engine.killSwitch;
  }
}

export class RecordingPager {
  readonly pages: PageRequest[] = [];
  readonly resolved: string[] = [];
  fail?: Error;
  async trigger(page: PageRequest) {
    if (this.fail) throw this.fail;
    this.pages.push(page);
  }
  async resolve(dedupKey: string) {
    if (this.fail) throw this.fail;
    this.resolved.push(dedupKey);
  }
}

export class RecordingTeam {
  readonly messages: SlackMessage[] = [];
  /** What each message was about, and the diagnosis told with it (its graphs, in app mode). */
  readonly about: { alarm?: string; diagnostics?: Diagnostics }[] = [];
  fail?: Error;
  async tell(message: SlackMessage, alarm?: string, diagnostics?: Diagnostics) {
    if (this.fail) throw this.fail;
    this.messages.push(message);
    this.about.push({ alarm, diagnostics });
  }
  get texts() {
    return this.messages.map((m) => m.text);
  }
}

/** The sample alarm of `events/<name>.json`, parsed as the handler would. */
export function sampleAlarm(name: string): { messageId: string; alarm: Alarm } {
  const message = parseSnsRecord(loadSnsRecord(name));
  if (message.type !== 'alarm') throw new Error(`events/${name}.json is not an alarm`);
  return { messageId: message.messageId, alarm: message.alarm };
}

export interface Harness {
  readonly deps: ResponderDeps;
  readonly metrics: ScriptedMetrics;
  readonly incidents: ReturnType<typeof memoryIncidentStore>;
  readonly flags: MemoryFlags;
  readonly remediator: RecordingRemediator;
  readonly pager: RecordingPager;
  readonly team: RecordingTeam;
  readonly alarmStates: Map<string, AlarmState>;
  clock: { now: Date };
}

export function harness(states: Partial<Record<MetricRole, number>>[], overrides: Partial<ResponderDeps> = {}): Harness {
  const metrics = new ScriptedMetrics(states);
  const incidents = memoryIncidentStore();
  const flags = new MemoryFlags();
  const policy = overrides.policy ?? samplePolicy();
  const pager = new RecordingPager();
  const team = new RecordingTeam();
  const alarmStates = new Map<string, AlarmState>();
  const clock = { now: new Date('2026-11-21T03:13:30.000Z') };
  const remediator = new RecordingRemediator(flags, policy, { dryRun: overrides.dryRun ?? false, now: () => clock.now });
  const deps: ResponderDeps = {
    policy,
    stage: 'dev',
    dryRun: false,
    requestedBy: 'respond',
    metrics,
    incidents,
    flags,
    remediator,
    pager,
    team,
    alarms: { stateOf: async (name) => alarmStates.get(name) },
    deliveries: new InMemoryDeliveryLedger(),
    reviewTemplate: async () => '# Review {{incident_id}}\n{{timeline}}\n## Actions taken\n{{automated_actions}}',
    reviewUrl: (id) => `https://reviews.example.com/${encodeURIComponent(id)}`,
    runbookUrl: (alarm) => `https://runbooks.example.com/${alarm}.md`,
    severityOf: () => 'critical',
    now: () => clock.now,
    ...overrides,
  };
  return { deps, metrics, incidents, flags, remediator, pager, team, alarmStates, clock };
}

/** Moves the harness clock forward. */
export const advance = (h: Harness, minutes: number) => {
  h.clock.now = new Date(h.clock.now.getTime() + minutes * 60_000);
};
