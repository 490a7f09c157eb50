// Packaging: every metric an alarm, the dashboard, a responder query or a runbook reads is one something writes, and the sample alarm events are the prod stack's alarms as CloudWatch sends them.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, asList, packageStage, referencedId, resourcesOfType, type Json, type JsonObject, type PackagedStage, type Template } from './serverless';
import { loadConfig } from '../../shared/config';
import { createForwardDependencies, handleLogsDelivery } from '../../shared/logs/entry';
import type { ForwardDependencies } from '../../shared/logs/forward';
import { defaultLogsPolicy } from '../../shared/logs/policy';
import { STAGE_POLICIES, policyForStage } from '../../shared/policy/load';
import { isAlarmQuery } from '../../shared/responder/policy';

jest.setTimeout(240_000);

let packaged: PackagedStage;
let template: Template;
let producers: Producer[];

beforeAll(async () => {
  packaged = packageStage('prod');
  template = packaged.template;
  producers = await allProducers();
});

afterAll(() => packaged?.cleanup());

type Dimensions = Record<string, string>;

/** One metric something reads, and who reads it (named in every failure). */
interface MetricRead {
  reader: string;
  namespace: string;
  name: string;
  dimensions: Dimensions;
  unit?: string;
}

/** One metric something writes: every dimension it carries, with the values it may take; `name` undefined is any metric of the namespace. */
interface Producer {
  by: string;
  namespace: string;
  name?: string;
  dimensions: Record<string, readonly string[]>;
  unit?: string;
}

// The sample account of events/ and the name CloudWatch gives the prod region in alarm notifications.
const SAMPLE_ACCOUNT = '123456789012';
const CLOUDWATCH_REGION_NAMES: Record<string, string> = { 'eu-west-1': 'EU (Ireland)', 'us-east-1': 'US East (N. Virginia)' };
// Container Insights runs on the workload cluster the stack manages (param clusterName), not in the stack.
const WORKLOAD_CLUSTER = 'retail-prediction-cluster';

/** A template dimension value as text: literal, or the resource it refers to (`!Ref X`, `!GetAtt X.Attr`). */
function dimensionValue(value: Json | undefined): string {
  if (typeof value === 'string') return value;
  const getAtt = value && typeof value === 'object' && !Array.isArray(value) ? value['Fn::GetAtt'] : undefined;
  if (Array.isArray(getAtt)) return `!GetAtt ${getAtt.join('.')}`;
  const ref = referencedId(value);
  return ref ? `!Ref ${ref}` : JSON.stringify(value);
}

const templateDimensions = (list: Json | undefined): Dimensions =>
  Object.fromEntries(((list ?? []) as JsonObject[]).map((d) => [String(d.Name), dimensionValue(d.Value)]));

const metricLabel = (m: { namespace: string; name: string; dimensions: Dimensions }) => {
  const dims = Object.entries(m.dimensions).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`);
  return `${m.namespace}/${m.name}${dims.length ? `{${dims.join(',')}}` : ''}`;
};

/** Why no producer writes what `read` reads, or undefined when one does. */
function unproduced(read: MetricRead, producers: readonly Producer[]): string | undefined {
  const named = producers.filter((p) => p.namespace === read.namespace && (p.name === undefined || p.name === read.name));
  if (named.length === 0) return 'no producer writes that metric';
  const keyOf = (names: string[]) => names.sort().join(',');
  const sameNames = named.filter((p) => keyOf(Object.keys(p.dimensions)) === keyOf(Object.keys(read.dimensions)));
  const written = [...new Set(named.map((p) => `{${keyOf(Object.keys(p.dimensions))}}`))].join(' or ');
  if (sameNames.length === 0) {
    return Object.keys(read.dimensions).length === 0
      ? `no producer writes it without dimensions (written with ${written})`
      : `no producer writes that dimension (written with ${written})`;
  }
  const sameValues = sameNames.filter((p) => Object.entries(read.dimensions).every(([k, v]) => p.dimensions[k]!.includes(v)));
  if (sameValues.length === 0) {
    const values = sameNames.flatMap((p) => Object.entries(p.dimensions).map(([k, vs]) => `${k}=${vs.join('|')}`));
    return `no producer writes that dimension value (written with ${[...new Set(values)].join(', ')})`;
  }
  if (read.unit !== undefined && !sameValues.some((p) => p.unit === undefined || p.unit === read.unit)) {
    return `producers write it in ${[...new Set(sameValues.map((p) => p.unit))].join(' or ')}, not ${read.unit}`;
  }
  return undefined;
}

const problemsOf = (reads: readonly MetricRead[], producers: readonly Producer[]) =>
  reads.flatMap((read) => {
    const why = unproduced(read, producers);
    return why ? [`${read.reader} reads ${metricLabel(read)}${read.unit ? ` in ${read.unit}` : ''}: ${why}`] : [];
  });

// ---------------------------------------------------------------- producers

/** What the template's metric filters write: namespace, name and unit, never a dimension. */
function metricFilterProducers(): Producer[] {
  return resourcesOfType(template, 'AWS::Logs::MetricFilter').flatMap(([id, filter]) =>
    (filter.Properties.MetricTransformations as JsonObject[]).map((t) => ({
      by: `metric filter ${id}`,
      namespace: String(t.MetricNamespace),
      name: String(t.MetricName),
      dimensions: Object.fromEntries(Object.entries((t.Dimensions ?? {}) as JsonObject).map(([k, v]) => [k, [String(v)]])),
      unit: t.Unit === undefined ? undefined : String(t.Unit),
    })),
  );
}

/** The EMF documents prod's forwardLogs writes for a sample batch from events/ (dry run: nothing is sent). */
async function forwardLogsEmf(eventFile: string): Promise<JsonObject[]> {
  const lines: string[] = [];
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as ForwardDependencies['log'];
  const wired = createForwardDependencies(loadConfig({ STAGE: 'prod', DRY_RUN: 'true' }), policyForStage('prod').logs ?? defaultLogsPolicy());
  const event: unknown = JSON.parse(readFileSync(join(REPO_ROOT, 'events', eventFile), 'utf8'));
  await handleLogsDelivery(event, { ...wired, writeMetric: (line) => void lines.push(line), log: quiet });
  return lines.map((line) => JSON.parse(line) as JsonObject);
}

/** What forwardLogs writes as EMF for the API and training batches: each metric under each of its dimension sets, with its unit. */
async function forwardLogsProducers(): Promise<Producer[]> {
  const producers: Producer[] = [];
  for (const file of ['logs-api.json', 'logs-training.json']) {
    for (const document of await forwardLogsEmf(file)) {
      const { CloudWatchMetrics } = document._aws as { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit?: string }[] }[] };
      for (const { Namespace, Dimensions, Metrics } of CloudWatchMetrics) {
        for (const set of Dimensions) {
          for (const m of Metrics) {
            producers.push({
              by: `forwardLogs EMF (${file})`,
              namespace: Namespace,
              name: m.Name,
              dimensions: Object.fromEntries(set.map((d) => [d, [String(document[d])]])),
              unit: m.Unit,
            });
          }
        }
      }
    }
  }
  return producers;
}

/** Metrics AWS writes, not the stack: declared here, each with why it exists. */
function externalProducers(): Producer[] {
  const refs = (type: string, render: (id: string) => string) => resourcesOfType(template, type).map(([id]) => render(id));
  return [
    // Container Insights (the CloudWatch agent on the EKS workload cluster) writes node metrics per cluster.
    ...['node_cpu_utilization', 'node_memory_utilization'].map((name) => ({
      by: 'Container Insights (external)', namespace: 'ContainerInsights', name, dimensions: { ClusterName: [WORKLOAD_CLUSTER] }, unit: 'Percent',
    })),
    // SQS writes its queue metrics for every queue of the stack, by queue name.
    { by: 'Amazon SQS (external)', namespace: 'AWS/SQS', dimensions: { QueueName: refs('AWS::SQS::Queue', (id) => `!GetAtt ${id}.QueueName`) } },
    // Lambda writes its invocation metrics for every function of the stack, by function name.
    { by: 'AWS Lambda (external)', namespace: 'AWS/Lambda', dimensions: { FunctionName: refs('AWS::Lambda::Function', (id) => `!Ref ${id}`) } },
  ];
}

async function allProducers(): Promise<Producer[]> {
  return [...metricFilterProducers(), ...(await forwardLogsProducers()), ...externalProducers()];
}

// ---------------------------------------------------------------- readers

const templateAlarms = () => resourcesOfType(template, 'AWS::CloudWatch::Alarm');
const compositeAlarms = () => resourcesOfType(template, 'AWS::CloudWatch::CompositeAlarm');
const alarmNames = () => new Set([...templateAlarms(), ...compositeAlarms()].map(([, a]) => String(a.Properties.AlarmName)));

/** Each metric each template alarm reads: its own, or each MetricStat of its metric math. */
function alarmReads(): MetricRead[] {
  return templateAlarms().flatMap(([id, { Properties: a }]) => {
    const reader = `alarm ${String(a.AlarmName)} (${id})`;
    if (a.Namespace !== undefined) {
      return [{ reader, namespace: String(a.Namespace), name: String(a.MetricName), dimensions: templateDimensions(a.Dimensions), ...(a.Unit ? { unit: String(a.Unit) } : {}) }];
    }
    return ((a.Metrics ?? []) as JsonObject[]).flatMap((q) => {
      const stat = q.MetricStat as JsonObject | undefined;
      if (!stat) return [];
      const metric = stat.Metric as JsonObject;
      return [{
        reader: `${reader} query ${String(q.Id)}`,
        namespace: String(metric.Namespace),
        name: String(metric.MetricName),
        dimensions: templateDimensions(metric.Dimensions),
        ...(stat.Unit ? { unit: String(stat.Unit) } : {}),
      }];
    });
  });
}

interface DashboardWidget { properties: { title: string; metrics: Json[][] } }

/** The dashboard body as CloudWatch receives it, the region substituted. */
function dashboardWidgets(region: string): { name: string; widgets: DashboardWidget[] }[] {
  return resourcesOfType(template, 'AWS::CloudWatch::Dashboard').map(([, d]) => {
    const body = d.Properties.DashboardBody as { 'Fn::Sub': string } | string;
    const source = typeof body === 'string' ? body : body['Fn::Sub'].replaceAll('${AWS::Region}', region);
    return { name: String(d.Properties.DashboardName), widgets: (JSON.parse(source) as { widgets: DashboardWidget[] }).widgets };
  });
}

/** Each metric row of each dashboard widget: `[namespace, name, dim, value, ..., {options}]`; expression rows read nothing themselves. */
function dashboardReads(region: string): MetricRead[] {
  return dashboardWidgets(region).flatMap(({ name: dashboard, widgets }) =>
    widgets.flatMap((w) =>
      (w.properties.metrics ?? []).flatMap((row, i) => {
        if (typeof row[0] !== 'string') return [];
        const [namespace, name, ...rest] = row.filter((part) => typeof part === 'string') as string[];
        const dimensions: Dimensions = {};
        for (let j = 0; j + 1 < rest.length; j += 2) dimensions[rest[j]!] = rest[j + 1]!;
        return [{ reader: `dashboard ${dashboard} widget "${w.properties.title}" row ${i + 1}`, namespace: namespace!, name: name!, dimensions }];
      }),
    ),
  );
}

/** Each explicit responder query of each stage policy; an alarm-derived query reads its alarm's metric, checked with the alarm. */
function responderReads(): { reads: MetricRead[]; problems: string[] } {
  const reads: MetricRead[] = [];
  const problems: string[] = [];
  const metricAlarms = new Set(templateAlarms().map(([, a]) => String(a.Properties.AlarmName)));
  for (const stage of Object.keys(STAGE_POLICIES)) {
    for (const [service, { queries }] of Object.entries(policyForStage(stage).responder?.services ?? {})) {
      for (const query of queries) {
        const reader = `responder query ${query.id} of service ${service} (stage ${stage})`;
        if (isAlarmQuery(query)) {
          if (!metricAlarms.has(query.alarm)) problems.push(`${reader} reads the metric of alarm ${query.alarm}: the template has no metric alarm of that name`);
          continue;
        }
        reads.push({ reader, namespace: query.namespace, name: query.metric, dimensions: { ...query.dimensions }, ...(query.unit ? { unit: query.unit } : {}) });
      }
    }
  }
  return { reads, problems };
}

const RUNBOOKS_DIR = join(REPO_ROOT, 'runbooks');
const runbookFiles = () => readdirSync(RUNBOOKS_DIR).filter((f) => /^RetailPrediction-.*\.md$/.test(f)).sort();

/** `export A=1 B=$A` lines of a runbook, as the shell would set them. */
function runbookVariables(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of text.split('\n')) {
    const exported = /^\s*export\s+(.+)$/.exec(line);
    if (!exported) continue;
    for (const assignment of exported[1]!.trim().split(/\s+/)) {
      const [key, value = ''] = assignment.split('=', 2);
      vars.set(key!, substitute(value, vars));
    }
  }
  return vars;
}

const substitute = (text: string, vars: Map<string, string>) =>
  text.replace(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g, (whole, name: string) => vars.get(name) ?? whole);

/** Shell words of one command: whitespace-separated, single- or double-quoted spans kept whole. */
const shellWords = (command: string) => [...command.matchAll(/'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);

const STATISTICS = new Set(['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum']);
const PERCENTILE = /^p\d{1,2}(\.\d+)?$/;
const QUERY_ID = /^[a-z][a-zA-Z0-9_]*$/;
const QUERY_KEYS = new Set(['Id', 'MetricStat', 'Expression', 'Label', 'ReturnData', 'Period', 'AccountId']);

/**
 * Each metric a runbook's `aws cloudwatch get-metric-statistics` and `get-metric-data` commands read, with the
 * line it is on, and what in those commands the AWS CLI or CloudWatch would refuse.
 */
function runbookReads(file: string, region: string): { reads: MetricRead[]; problems: string[]; commands: number } {
  const text = readFileSync(join(RUNBOOKS_DIR, file), 'utf8');
  const lines = text.split('\n');
  const vars = runbookVariables(text);
  const reads: MetricRead[] = [];
  const problems: string[] = [];
  let commands = 0;
  lines.forEach((line, i) => {
    const exportedRegion = /^\s*export\s.*\bAWS_REGION=(\S+)/.exec(line)?.[1];
    if (exportedRegion && exportedRegion !== region) problems.push(`runbook ${file} line ${i + 1} sets AWS_REGION=${exportedRegion}: the prod stack is in ${region}`);
  });
  lines.forEach((line, i) => {
    const at = `runbook ${file} line ${i + 1}`;
    const kind = /\baws cloudwatch (get-metric-statistics|get-metric-data)\b/.exec(line)?.[1];
    if (!kind) return;
    commands++;
    // The command runs to the first line that does not end in a continuation, or past the quoted queries.
    let end = i;
    while (end < lines.length - 1 && (lines[end]!.trimEnd().endsWith('\\') || (kind === 'get-metric-data' && (lines.slice(i, end + 1).join('\n').split("'").length - 1) % 2 === 1))) end++;
    const command = substitute(lines.slice(i, end + 1).join('\n').replace(/\\\n/g, ' '), vars);
    const words = shellWords(command.slice(command.indexOf('aws cloudwatch')));
    const option = (name: string) => {
      const k = words.indexOf(`--${name}`);
      if (k < 0) return undefined;
      const values: string[] = [];
      for (let j = k + 1; j < words.length && !words[j]!.startsWith('--'); j++) values.push(words[j]!);
      return values;
    };
    for (const required of ['start-time', 'end-time']) if (!option(required)?.length) problems.push(`${at}: ${kind} without --${required}`);
    if (kind === 'get-metric-statistics') {
      for (const required of ['namespace', 'metric-name', 'period']) if (option(required)?.length !== 1) problems.push(`${at}: get-metric-statistics needs one --${required}`);
      const statistics = option('statistics');
      const extended = option('extended-statistics');
      if ((statistics === undefined) === (extended === undefined)) problems.push(`${at}: get-metric-statistics takes --statistics or --extended-statistics, exactly one of them`);
      for (const s of statistics ?? []) if (!STATISTICS.has(s)) problems.push(`${at}: ${s} is not a statistic of --statistics`);
      for (const s of extended ?? []) if (!PERCENTILE.test(s)) problems.push(`${at}: ${s} is not a percentile of --extended-statistics`);
      const dimensions: Dimensions = {};
      for (const d of option('dimensions') ?? []) {
        const pair = /^Name=([^,]+),Value=(.+)$/.exec(d);
        if (pair) dimensions[pair[1]!] = pair[2]!;
        else problems.push(`${at}: --dimensions ${d} is not Name=<name>,Value=<value>`);
      }
      const unit = option('unit')?.[0];
      reads.push({ reader: at, namespace: option('namespace')?.[0] ?? '', name: option('metric-name')?.[0] ?? '', dimensions, ...(unit ? { unit } : {}) });
      return;
    }
    const json = option('metric-data-queries')?.[0];
    if (json === undefined) {
      problems.push(`${at}: get-metric-data without --metric-data-queries`);
      return;
    }
    let queries: JsonObject[];
    try {
      queries = JSON.parse(json) as JsonObject[];
    } catch (error) {
      problems.push(`${at}: --metric-data-queries is not JSON (${(error as Error).message})`);
      return;
    }
    const ids = new Set(queries.map((q) => String(q.Id)));
    for (const q of queries) {
      const idLine = lines.findIndex((l, k) => k >= i && k <= end && l.includes(`"Id":"${String(q.Id)}"`));
      const queryAt = `runbook ${file} line ${(idLine < 0 ? i : idLine) + 1}`;
      for (const key of Object.keys(q)) if (!QUERY_KEYS.has(key)) problems.push(`${queryAt}: query ${String(q.Id)} has ${key}, which MetricDataQuery does not`);
      if (typeof q.Id !== 'string' || !QUERY_ID.test(q.Id)) problems.push(`${queryAt}: query id ${String(q.Id)} must start with a lower-case letter`);
      if ((q.MetricStat === undefined) === (q.Expression === undefined)) problems.push(`${queryAt}: query ${String(q.Id)} needs MetricStat or Expression, exactly one`);
      if (typeof q.Expression === 'string') {
        // Functions and keywords are upper-case, so a lower-case word is the id of another query.
        for (const word of q.Expression.replace(/"[^"]*"/g, '').match(/\b[a-z][a-zA-Z0-9_]*\b/g) ?? []) {
          if (!ids.has(word) || word === q.Id) problems.push(`${queryAt}: expression of ${String(q.Id)} names ${word}, no other query of the call`);
        }
      }
      const stat = q.MetricStat as JsonObject | undefined;
      if (!stat) continue;
      const metric = (stat.Metric ?? {}) as JsonObject;
      if (typeof stat.Period !== 'number' || typeof stat.Stat !== 'string') problems.push(`${queryAt}: MetricStat of ${String(q.Id)} needs a Period and a Stat`);
      else if (!STATISTICS.has(stat.Stat) && !PERCENTILE.test(stat.Stat)) problems.push(`${queryAt}: ${stat.Stat} is not a statistic`);
      reads.push({
        reader: queryAt,
        namespace: String(metric.Namespace),
        name: String(metric.MetricName),
        dimensions: templateDimensions(metric.Dimensions),
        ...(stat.Unit ? { unit: String(stat.Unit) } : {}),
      });
    }
  });
  return { reads, problems, commands };
}

/** The prod stack's region, as the framework resolved it when packaging. */
function stackRegion(): string {
  const state = JSON.parse(readFileSync(join(packaged.directory, 'serverless-state.json'), 'utf8')) as { service: { provider: { region: string } } };
  return state.service.provider.region;
}

// ---------------------------------------------------------------- every read has a producer

describe('every metric read has a producer', () => {
  it('template alarms read only produced metrics, and a composite alarm names only template alarms', async () => {
    const reads = alarmReads();
    expect(reads.length).toBeGreaterThanOrEqual(templateAlarms().length);
    const problems = problemsOf(reads, producers);
    const ids = new Set([...templateAlarms(), ...compositeAlarms()].map(([id]) => id));
    for (const [id, { Properties: a }] of compositeAlarms()) {
      const rule = typeof a.AlarmRule === 'string' ? a.AlarmRule : String((a.AlarmRule as JsonObject)['Fn::Sub']);
      const children = [...rule.matchAll(/\b(?:ALARM|OK|INSUFFICIENT_DATA)\(\s*"?([^")]+)"?\s*\)/g)].map((m) => m[1]!);
      expect({ id, children: children.length > 0 }).toEqual({ id, children: true });
      for (const child of children) {
        const sub = /^\$\{([^}]+)\}$/.exec(child)?.[1];
        if (sub ? !ids.has(sub) : !alarmNames().has(child)) problems.push(`composite alarm ${String(a.AlarmName)} (${id}) names ${child}: not an alarm of the template`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('dashboard widgets plot only produced metrics', async () => {
    const reads = dashboardReads(stackRegion());
    expect(reads.length).toBeGreaterThan(0);
    expect(problemsOf(reads, producers)).toEqual([]);
  });

  it('responder queries of every stage read produced metrics, or the metric of a template alarm', async () => {
    const { reads, problems } = responderReads();
    expect(problems.concat(problemsOf(reads, producers))).toEqual([]);
  });

  it.each(runbookFiles())('runbook %s queries only produced metrics, in the prod region, in commands the AWS CLI accepts', async (file) => {
    const { reads, problems, commands } = runbookReads(file, stackRegion());
    // A command the parser misread would read nothing, and so prove nothing.
    if (commands > 0) expect(reads.length).toBeGreaterThanOrEqual(commands);
    expect(problems.concat(problemsOf(reads, producers))).toEqual([]);
  });
});

// ---------------------------------------------------------------- sample alarm events are the template's alarms

interface SnsEnvelope {
  EventSubscriptionArn?: string;
  Sns: { TopicArn: string; Subject?: string | null; Message: string; SigningCertUrl?: string; UnsubscribeUrl?: string };
}

/** JSON with object keys sorted, so two values compare by content and not by key order. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v));

const EVENTS_DIR = join(REPO_ROOT, 'events');
const alarmEventFiles = () => readdirSync(EVENTS_DIR).filter((f) => /^alarm-.*\.json$/.test(f)).sort();

/** `{ name, value }` pairs as CloudWatch's SNS message writes dimensions, from the template's `{ Name, Value }`. */
const snsDimensions = (list: Json | undefined) =>
  Object.entries(templateDimensions(list)).map(([name, value]) => ({ name, value })).sort((a, b) => a.name.localeCompare(b.name));
const sortByName = (list: { name: string; value: string }[] | undefined) => [...(list ?? [])].sort((a, b) => a.name.localeCompare(b.name));

/** The template alarm's metric math as CloudWatch's SNS message gives it in `Trigger.Metrics`. */
function snsMetrics(alarm: JsonObject): JsonObject[] {
  return (alarm.Metrics as JsonObject[]).map((q): JsonObject => {
    const stat = q.MetricStat as JsonObject | undefined;
    if (!stat) return { Expression: q.Expression!, Id: q.Id!, Label: q.Label!, ReturnData: q.ReturnData ?? true };
    const metric = stat.Metric as JsonObject;
    return {
      Id: q.Id!,
      MetricStat: {
        Metric: { Dimensions: snsDimensions(metric.Dimensions), MetricName: metric.MetricName!, Namespace: metric.Namespace! },
        Period: stat.Period!,
        Stat: stat.Stat!,
        ...(stat.Unit ? { Unit: stat.Unit } : {}),
      },
      ReturnData: q.ReturnData ?? true,
    };
  });
}

/** CloudWatch's Trigger.Statistic spelling of a statistic (`Average` -> `AVERAGE`, `SampleCount` -> `SAMPLE_COUNT`). */
const snsStatistic = (statistic: string) => statistic.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();

/** What a Threshold Crossed reason says: datapoints, threshold, and which way they crossed. */
function reasonProblems(reason: string, state: string, trigger: JsonObject, period: number): string[] {
  const problems: string[] = [];
  const crossed = /^Threshold Crossed: (\d+) out of the last (\d+) datapoints? \[([^\]]*)\] were (not )?(greater|less) than the threshold \(([\d.]+)\)/.exec(reason);
  if (!crossed) return state === 'INSUFFICIENT_DATA' ? [] : [`NewStateReason "${reason}" is not a Threshold Crossed reason`];
  const [, count, last, points, not, , threshold] = crossed;
  if (Number(last) !== trigger.EvaluationPeriods) problems.push(`NewStateReason counts the last ${last} datapoints, the alarm evaluates ${String(trigger.EvaluationPeriods)}`);
  if (Number(threshold) !== trigger.Threshold) problems.push(`NewStateReason names threshold ${threshold}, the alarm's is ${String(trigger.Threshold)}`);
  if ((state === 'ALARM') === Boolean(not)) problems.push(`NewStateReason says the datapoints were ${not ?? ''}crossing, for a transition to ${state}`);
  const datapoints = [...points!.matchAll(/([\d.]+) \((\d\d)\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d)\)/g)].map((m) => ({
    value: Number(m[1]),
    at: Date.UTC(2000 + Number(m[4]), Number(m[3]) - 1, Number(m[2]), Number(m[5]), Number(m[6]), Number(m[7])),
  }));
  if (datapoints.length !== Number(count)) problems.push(`NewStateReason lists ${datapoints.length} datapoints for ${count}`);
  datapoints.slice(1).forEach((d, k) => {
    if ((datapoints[k]!.at - d.at) / 1000 % period !== 0 || datapoints[k]!.at <= d.at) problems.push(`NewStateReason's datapoints are not ${period} s periods, newest first`);
  });
  for (const d of datapoints) if ((d.value > Number(threshold)) === Boolean(not)) problems.push(`NewStateReason's datapoint ${d.value} is on the wrong side of ${threshold}`);
  return problems;
}

describe('sample alarm events are the prod stack\'s alarms', () => {
  it.each(alarmEventFiles())('%s', (file) => {
    const region = stackRegion();
    const regionName = CLOUDWATCH_REGION_NAMES[region] ?? region;
    const alarmsTopic = resourcesOfType(template, 'AWS::SNS::Topic').find(([id]) => id === 'AlarmsTopic')![1];
    const topicArn = `arn:aws:sns:${region}:${SAMPLE_ACCOUNT}:${String(alarmsTopic.Properties.TopicName)}`;
    const arnOf = (name: string) => `arn:aws:cloudwatch:${region}:${SAMPLE_ACCOUNT}:alarm:${name}`;
    const byName = new Map([...templateAlarms(), ...compositeAlarms()].map(([id, r]) => [String(r.Properties.AlarmName), { id, type: r.Type, alarm: r.Properties }]));

    const envelope = (JSON.parse(readFileSync(join(EVENTS_DIR, file), 'utf8')) as { Records: SnsEnvelope[] }).Records[0]!;
    const message = JSON.parse(envelope.Sns.Message) as JsonObject;
    const eventBridge = message['detail-type'] === 'CloudWatch Alarm State Change';
    const detail = message.detail as JsonObject | undefined;
    const name = String(eventBridge ? detail!.alarmName : message.AlarmName);
    const deployed = byName.get(name);
    if (!deployed) return; // a sample of an alarm this stack does not create (another team's, another shape)

    const problems: string[] = [];
    const expectEqual = (what: string, actual: unknown, expected: unknown) => {
      if (canonical(actual) !== canonical(expected)) problems.push(`${what} is ${JSON.stringify(actual)}, the prod stack's is ${JSON.stringify(expected)}`);
    };

    // One stage: the prod stack's topic, region and account, everywhere the event names them.
    expectEqual('TopicArn', envelope.Sns.TopicArn, topicArn);
    if (!envelope.EventSubscriptionArn?.startsWith(`${topicArn}:`)) problems.push(`EventSubscriptionArn ${String(envelope.EventSubscriptionArn)} is not a subscription of ${topicArn}`);
    if (envelope.Sns.UnsubscribeUrl !== undefined && envelope.Sns.UnsubscribeUrl !== `https://sns.${region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${String(envelope.EventSubscriptionArn)}`) {
      problems.push(`UnsubscribeUrl ${envelope.Sns.UnsubscribeUrl} is not the subscription's`);
    }
    if (envelope.Sns.SigningCertUrl !== undefined && !envelope.Sns.SigningCertUrl.startsWith(`https://sns.${region}.amazonaws.com/`)) problems.push(`SigningCertUrl is not from SNS in ${region}`);

    if (eventBridge) {
      expectEqual('region', message.region, region);
      expectEqual('account', message.account, SAMPLE_ACCOUNT);
      expectEqual('resources', message.resources, [arnOf(name)]);
      const configured = ((detail!.configuration as JsonObject | undefined)?.metrics ?? []) as JsonObject[];
      const a = deployed.alarm;
      if (a.Namespace !== undefined) {
        const stat = (configured[0]?.metricStat ?? {}) as JsonObject;
        expectEqual('configuration.metrics', configured.length, 1);
        expectEqual('metricStat.metric', stat.metric, { namespace: a.Namespace, name: a.MetricName, dimensions: templateDimensions(a.Dimensions) });
        expectEqual('metricStat.period', stat.period, a.Period);
        expectEqual('metricStat.stat', stat.stat, a.ExtendedStatistic ?? a.Statistic);
      }
      expect(problems).toEqual([]);
      return;
    }

    expectEqual('AWSAccountId', message.AWSAccountId, SAMPLE_ACCOUNT);
    expectEqual('Region', message.Region, regionName);
    expectEqual('AlarmArn', message.AlarmArn, arnOf(name));
    if (envelope.Sns.Subject !== undefined && envelope.Sns.Subject !== null) expectEqual('Subject', envelope.Sns.Subject, `${String(message.NewStateValue)}: "${name}" in ${regionName}`);
    for (const key of ['AlarmActions', 'OKActions', 'InsufficientDataActions']) {
      for (const action of asList((message[key] ?? []) as Json[])) if (action !== topicArn) problems.push(`${key} names ${String(action)}, not the stage's alarms topic ${topicArn}`);
    }

    const a = deployed.alarm;
    if (deployed.type === 'AWS::CloudWatch::CompositeAlarm') {
      const rule = typeof a.AlarmRule === 'string' ? a.AlarmRule : String((a.AlarmRule as JsonObject)['Fn::Sub']).replace(/\$\{([^}]+)\}/g, (_, id: string) => String(template.Resources[id]?.Properties.AlarmName ?? id));
      expectEqual('AlarmRule', message.AlarmRule, rule);
      for (const child of (message.TriggeringChildren ?? []) as JsonObject[]) {
        const childName = String(child.Arn).split(':alarm:')[1] ?? '';
        if (child.Arn !== arnOf(childName) || !rule.includes(`"${childName}"`)) problems.push(`TriggeringChildren names ${String(child.Arn)}, not a child alarm of ${name} in the prod stack`);
      }
      for (const arn of String(message.NewStateReason).match(/arn:aws:cloudwatch:[^ ]+/g) ?? []) {
        if (arn !== arnOf(arn.split(':alarm:')[1] ?? '')) problems.push(`NewStateReason names ${arn}, not an alarm of the prod stack's region and account`);
      }
      expect(problems).toEqual([]);
      return;
    }

    const trigger = (message.Trigger ?? {}) as JsonObject;
    const mathPeriods = ((a.Metrics ?? []) as JsonObject[]).map((q) => (q.MetricStat as JsonObject | undefined)?.Period).filter((p) => p !== undefined);
    const period = Number(a.Period ?? mathPeriods[0]);
    if (a.Metrics !== undefined) {
      // Metric math: no metric of its own, its queries in CloudWatch's notification shape.
      for (const key of ['MetricName', 'Namespace', 'Statistic', 'ExtendedStatistic', 'Dimensions']) {
        if (trigger[key] !== undefined) problems.push(`Trigger has ${key}, which a metric-math alarm's notification does not`);
      }
      expectEqual('Trigger.Metrics', trigger.Metrics, snsMetrics(a));
    } else {
      expectEqual('Trigger.Namespace', trigger.Namespace, a.Namespace);
      expectEqual('Trigger.MetricName', trigger.MetricName, a.MetricName);
      expectEqual('Trigger.Dimensions', sortByName(trigger.Dimensions as { name: string; value: string }[] | undefined), snsDimensions(a.Dimensions));
      if (a.ExtendedStatistic !== undefined) {
        expectEqual('Trigger.StatisticType', trigger.StatisticType, 'ExtendedStatistic');
        expectEqual('Trigger.ExtendedStatistic', trigger.ExtendedStatistic, a.ExtendedStatistic);
      } else {
        expectEqual('Trigger.StatisticType', trigger.StatisticType, 'Statistic');
        expectEqual('Trigger.Statistic', trigger.Statistic, snsStatistic(String(a.Statistic)));
      }
      // CloudWatch sends the alarm's unit; where the alarm names none, a unit given must be the one its metric is written in.
      if (a.Unit !== undefined) expectEqual('Trigger.Unit', trigger.Unit, a.Unit);
    }
    expectEqual('Trigger.Period', trigger.Period, period);
    expectEqual('Trigger.EvaluationPeriods', trigger.EvaluationPeriods, a.EvaluationPeriods);
    expectEqual('Trigger.DatapointsToAlarm', trigger.DatapointsToAlarm ?? a.DatapointsToAlarm ?? a.EvaluationPeriods, a.DatapointsToAlarm ?? a.EvaluationPeriods);
    expectEqual('Trigger.Threshold', trigger.Threshold, a.Threshold);
    expectEqual('Trigger.ComparisonOperator', trigger.ComparisonOperator, a.ComparisonOperator);
    expectEqual('Trigger.TreatMissingData', trigger.TreatMissingData, a.TreatMissingData ?? 'missing');
    problems.push(...reasonProblems(String(message.NewStateReason), String(message.NewStateValue), trigger, period));
    expect(problems).toEqual([]);
  });

  it('gives each alarm\'s trigger a unit its metric is written in', () => {
    const reads = alarmEventFiles().flatMap((file): MetricRead[] => {
      const envelope = (JSON.parse(readFileSync(join(EVENTS_DIR, file), 'utf8')) as { Records: SnsEnvelope[] }).Records[0]!;
      const message = JSON.parse(envelope.Sns.Message) as JsonObject;
      const trigger = message.Trigger as JsonObject | undefined;
      if (!alarmNames().has(String(message.AlarmName)) || !trigger) return [];
      const single: JsonObject[] = typeof trigger.MetricName === 'string'
        ? [trigger]
        : ((trigger.Metrics ?? []) as JsonObject[]).flatMap((q) => {
          const stat = q.MetricStat as JsonObject | undefined;
          return stat ? [{ ...(stat.Metric as JsonObject), ...(stat.Unit === undefined ? {} : { Unit: stat.Unit }) }] : [];
        });
      return single.map((m) => ({
        reader: `sample event ${file}`,
        namespace: String(m.Namespace),
        name: String(m.MetricName),
        dimensions: Object.fromEntries(((m.Dimensions ?? []) as JsonObject[]).map((d) => [String(d.name), String(d.value)])),
        ...(typeof m.Unit === 'string' ? { unit: m.Unit } : {}),
      }));
    });
    expect(reads.length).toBeGreaterThan(0);
    expect(problemsOf(reads, producers)).toEqual([]);
  });
});
