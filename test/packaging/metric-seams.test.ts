// Packaging: every metric an alarm, the dashboard, a responder query or a runbook reads is one something writes, and the sample alarm events are the prod stack's alarms as CloudWatch sends them.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { REPO_ROOT, asList, packageStage, referencedId, resourcesOfType, type Json, type JsonObject, type PackagedStage, type Template } from './serverless';
import { loadConfig } from '../../shared/config';
import { createForwardDependencies, handleLogsDelivery } from '../../shared/logs/entry';
import type { ForwardDependencies } from '../../shared/logs/forward';
import { defaultLogsPolicy } from '../../shared/logs/policy';
import { decodeLogsEvent } from '../../shared/logs/decode';
import { metrics as powertoolsMetrics } from '../../shared/metrics';
import { policyForStage, stageNames } from '../../shared/policy/load';
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

/** A dimension whose value the producer takes from each event, so it writes any value. */
const ANY_VALUE = '*';

/** One metric something writes: every dimension it carries, with the values it may take (ANY_VALUE: any); `name` undefined is any metric of the namespace. */
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
  const sameValues = sameNames.filter((p) => Object.entries(read.dimensions).every(([k, v]) => p.dimensions[k]!.includes(v) || p.dimensions[k]!.includes(ANY_VALUE)));
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
      by: 'Container Insights (external)', namespace: 'ContainerInsights', name, dimensions: { ClusterName: [workloadCluster()] }, unit: 'Percent',
    })),
    // SQS writes its queue metrics for every queue of the stack, by queue name.
    { by: 'Amazon SQS (external)', namespace: 'AWS/SQS', dimensions: { QueueName: refs('AWS::SQS::Queue', (id) => `!GetAtt ${id}.QueueName`) } },
    // Lambda writes its invocation metrics for every function of the stack, by function name.
    { by: 'AWS Lambda (external)', namespace: 'AWS/Lambda', dimensions: { FunctionName: refs('AWS::Lambda::Function', (id) => `!Ref ${id}`) } },
  ];
}

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });

/**
 * The Powertools metrics each function's code writes, in the namespace and service its environment gives Powertools:
 * every `addMetric(name, MetricUnit.X, ...)` of its folder, the name a string literal (or several, in a conditional) or
 * an entry of the constant map it indexes; with Powertools' `service` dimension, and with each dimension the file adds.
 */
function powertoolsProducers(): Producer[] {
  return resourcesOfType(template, 'AWS::Lambda::Function').flatMap(([, fn]) => {
    const env = ((fn.Properties.Environment as JsonObject | undefined)?.Variables ?? {}) as JsonObject;
    if (typeof env.POWERTOOLS_METRICS_NAMESPACE !== 'string') return [];
    const folder = dirname(String(fn.Properties.Handler));
    const service = [String(env.POWERTOOLS_SERVICE_NAME)];
    return sourceFiles(join(REPO_ROOT, folder)).flatMap((file) => {
      const source = readFileSync(file, 'utf8');
      const added = [...source.matchAll(/\.addDimension\(\s*'([^']+)'/g)].map((m) => m[1]!);
      const dimensionSets = [{ service }, ...added.map((d) => ({ service, [d]: [ANY_VALUE] }))];
      return [...source.matchAll(/\.addMetric\(\s*([^,]+),\s*MetricUnit\.(\w+)/g)].flatMap((call) => {
        const [expression, unit] = [call[1]!, call[2]!];
        const names = [...expression.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
        const map = /^([A-Z][A-Z0-9_]*)\[/.exec(expression.trim())?.[1];
        if (map) names.push(...[...(new RegExp(`const ${map} = \\{([^}]*)\\}`).exec(source)?.[1] ?? '').matchAll(/:\s*'([^']+)'/g)].map((m) => m[1]!));
        return names.flatMap((name) => dimensionSets.map((dimensions) => ({ by: `Powertools metrics of ${folder}`, namespace: env.POWERTOOLS_METRICS_NAMESPACE as string, name, dimensions, unit })));
      });
    });
  });
}

async function allProducers(): Promise<Producer[]> {
  return [...metricFilterProducers(), ...(await forwardLogsProducers()), ...powertoolsProducers(), ...externalProducers()];
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
  for (const stage of stageNames()) {
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
  // A fence opened inside a code block shows the block's text as code and its commands as prose.
  let openedAt: number | undefined;
  lines.forEach((line, i) => {
    const fence = /^\s*```(\S*)/.exec(line);
    if (!fence) return;
    if (openedAt !== undefined && fence[1]) problems.push(`runbook ${file} line ${i + 1} opens a code block inside the one opened at line ${openedAt}`);
    else openedAt = openedAt === undefined ? i + 1 : undefined;
  });
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

/** The workload cluster Container Insights reports on: the stack's param clusterName, as the framework packaged it. */
function workloadCluster(): string {
  const state = JSON.parse(readFileSync(join(packaged.directory, 'serverless-state.json'), 'utf8')) as { service: { initialServerlessConfig: { params: Record<string, JsonObject | undefined> } } };
  const { params } = state.service.initialServerlessConfig;
  return String(params.prod?.clusterName ?? params.default?.clusterName);
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
/** Every SNS-wrapped sample: the alarm notifications and the other messages that reach the alarms topic. */
const sampleEventFiles = () => readdirSync(EVENTS_DIR).filter((f) => /^(alarm|sns)-.*\.json$/.test(f)).sort();

// Region codes (and availability zones, by their region) and the accounts of ARNs, wherever a sample names them.
const REGION_CODES = /\b([a-z]{2}(?:-gov)?-(?:north|south|east|west|central|northeast|southeast|northwest|southwest)-\d)(?=[a-z]?\b)/g;
const ACCOUNTS_IN_ARNS = /arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/g;
const ACTION_KEYS = ['AlarmActions', 'OKActions', 'InsufficientDataActions'] as const;
const STATE_ACTIONS: Record<string, (typeof ACTION_KEYS)[number]> = { ALARM: 'AlarmActions', OK: 'OKActions', INSUFFICIENT_DATA: 'InsufficientDataActions' };

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
  it.each(sampleEventFiles())('%s', (file) => {
    const region = stackRegion();
    const regionName = CLOUDWATCH_REGION_NAMES[region] ?? region;
    const topicArnOf = (id: string) => `arn:aws:sns:${region}:${SAMPLE_ACCOUNT}:${String(template.Resources[id]?.Properties.TopicName)}`;
    const topicArn = topicArnOf('AlarmsTopic');
    const arnOf = (name: string) => `arn:aws:cloudwatch:${region}:${SAMPLE_ACCOUNT}:alarm:${name}`;
    const byName = new Map([...templateAlarms(), ...compositeAlarms()].map(([id, r]) => [String(r.Properties.AlarmName), { id, type: r.Type, alarm: r.Properties }]));

    const text = readFileSync(join(EVENTS_DIR, file), 'utf8');
    const envelope = (JSON.parse(text) as { Records: SnsEnvelope[] }).Records[0]!;
    const problems: string[] = [];
    const expectEqual = (what: string, actual: unknown, expected: unknown) => {
      if (canonical(actual) !== canonical(expected)) problems.push(`${what} is ${JSON.stringify(actual)}, the prod stack's is ${JSON.stringify(expected)}`);
    };

    // One stage: the prod stack's topic, region and account, everywhere the event names them, whatever the message.
    expectEqual('TopicArn', envelope.Sns.TopicArn, topicArn);
    if (!envelope.EventSubscriptionArn?.startsWith(`${topicArn}:`)) problems.push(`EventSubscriptionArn ${String(envelope.EventSubscriptionArn)} is not a subscription of ${topicArn}`);
    if (envelope.Sns.UnsubscribeUrl !== undefined && envelope.Sns.UnsubscribeUrl !== `https://sns.${region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${String(envelope.EventSubscriptionArn)}`) {
      problems.push(`UnsubscribeUrl ${envelope.Sns.UnsubscribeUrl} is not the subscription's`);
    }
    if (envelope.Sns.SigningCertUrl !== undefined && !envelope.Sns.SigningCertUrl.startsWith(`https://sns.${region}.amazonaws.com/`)) problems.push(`SigningCertUrl is not from SNS in ${region}`);
    for (const named of new Set([...text.matchAll(REGION_CODES)].map((m) => m[1]!))) if (named !== region) problems.push(`names region ${named}, not the prod stack's ${region}`);
    for (const [code, display] of Object.entries(CLOUDWATCH_REGION_NAMES)) if (code !== region && text.includes(display)) problems.push(`names region "${display}", not the prod stack's "${regionName}"`);
    for (const account of new Set([...text.matchAll(ACCOUNTS_IN_ARNS)].map((m) => m[1]!))) if (account !== SAMPLE_ACCOUNT) problems.push(`an ARN names account ${account}, not the sample account ${SAMPLE_ACCOUNT}`);

    let message: JsonObject;
    try {
      message = JSON.parse(envelope.Sns.Message) as JsonObject;
    } catch {
      expect(problems).toEqual([]);
      return; // not JSON on purpose: only its envelope is of a stage
    }
    const eventBridge = message['detail-type'] === 'CloudWatch Alarm State Change';
    const detail = message.detail as JsonObject | undefined;
    const name = String(eventBridge ? detail!.alarmName : message.AlarmName);
    const deployed = byName.get(name);

    if (eventBridge) {
      expectEqual('region', message.region, region);
      expectEqual('account', message.account, SAMPLE_ACCOUNT);
      expectEqual('resources', message.resources, [arnOf(name)]);
      const configured = ((detail!.configuration as JsonObject | undefined)?.metrics ?? []) as JsonObject[];
      const a = deployed?.alarm;
      if (a?.Namespace !== undefined) {
        const stat = (configured[0]?.metricStat ?? {}) as JsonObject;
        expectEqual('configuration.metrics', configured.length, 1);
        expectEqual('metricStat.metric', stat.metric, { namespace: a.Namespace, name: a.MetricName, dimensions: templateDimensions(a.Dimensions) });
        expectEqual('metricStat.period', stat.period, a.Period);
        expectEqual('metricStat.stat', stat.stat, a.ExtendedStatistic ?? a.Statistic);
      }
      expect(problems).toEqual([]);
      return;
    }
    if (message.AlarmName === undefined) {
      expect(problems).toEqual([]);
      return; // another service's notification on the topic
    }

    if (message.AWSAccountId !== undefined) expectEqual('AWSAccountId', message.AWSAccountId, SAMPLE_ACCOUNT);
    if (message.Region !== undefined) expectEqual('Region', message.Region, regionName);
    if (message.AlarmArn !== undefined) expectEqual('AlarmArn', message.AlarmArn, arnOf(name));
    if (envelope.Sns.Subject !== undefined && envelope.Sns.Subject !== null && message.NewStateValue !== undefined) {
      expectEqual('Subject', envelope.Sns.Subject, `${String(message.NewStateValue)}: "${name}" in ${regionName}`);
    }
    for (const key of ACTION_KEYS) {
      for (const action of asList((message[key] ?? []) as Json[])) if (action !== topicArn) problems.push(`${key} names ${String(action)}, not the stage's alarms topic ${topicArn}`);
    }
    // Alarms of the account the stack does not create (another team's, another shape), and incomplete samples, end here.
    if (!deployed || message.AlarmArn === undefined) {
      expect(problems).toEqual([]);
      return;
    }

    const a = deployed.alarm;
    // CloudWatch notifies each state only to the actions the alarm has for it, and lists them as the alarm does.
    const actionsOf = (key: string) => asList((a[key] ?? []) as Json[]).map((action) => (typeof action === 'string' ? action : topicArnOf(referencedId(action) ?? '')));
    for (const key of ACTION_KEYS) if (message[key] !== undefined) expectEqual(key, message[key], actionsOf(key));
    const stateActions = STATE_ACTIONS[String(message.NewStateValue)];
    if (stateActions && !actionsOf(stateActions).includes(topicArn)) problems.push(`${name} has no ${stateActions} on the alarms topic: CloudWatch never sends this ${String(message.NewStateValue)} notification`);
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
      // CloudWatch sends the alarm's own unit: null where the alarm names none.
      expectEqual('Trigger.Unit', trigger.Unit ?? null, a.Unit ?? null);
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

  it('gives each alarm a sample notifies of, the stack\'s or another, metrics the stack writes, in the unit they are written in', () => {
    const reads = alarmEventFiles().flatMap((file): MetricRead[] => {
      const envelope = (JSON.parse(readFileSync(join(EVENTS_DIR, file), 'utf8')) as { Records: SnsEnvelope[] }).Records[0]!;
      const message = JSON.parse(envelope.Sns.Message) as JsonObject;
      const trigger = message.Trigger as JsonObject | undefined;
      if (!trigger) return [];
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

describe('producers', () => {
  it('are found of every kind, so no check passes for want of them: metric filters, forwardLogs\' EMF, Powertools, external', () => {
    for (const kind of ['metric filter ', 'forwardLogs EMF ', 'Powertools metrics of ', '(external)']) {
      expect({ kind, found: producers.some((p) => p.by.startsWith(kind) || p.by.endsWith(kind)) }).toEqual({ kind, found: true });
    }
  });

  it('Powertools writes where the template says: the namespace and service of shared/metrics.ts are every function\'s POWERTOOLS_ settings', () => {
    powertoolsMetrics.addMetric('SeamProbe', MetricUnit.Count, 1);
    const emf = powertoolsMetrics.serializeMetrics() as unknown as { _aws: { CloudWatchMetrics: { Namespace: string }[] }; service?: string };
    powertoolsMetrics.clearMetrics();
    for (const [id, fn] of resourcesOfType(template, 'AWS::Lambda::Function')) {
      const env = ((fn.Properties.Environment as JsonObject | undefined)?.Variables ?? {}) as JsonObject;
      expect({ id, namespace: emf._aws.CloudWatchMetrics[0]?.Namespace, service: emf.service }).toEqual({ id, namespace: env.POWERTOOLS_METRICS_NAMESPACE, service: env.POWERTOOLS_SERVICE_NAME });
    }
  });
});

describe('dashboard metric math', () => {
  it('uses only ids of rows in its own widget', () => {
    const problems = dashboardWidgets(stackRegion()).flatMap(({ name, widgets }) =>
      widgets.flatMap((w) => {
        const rows = w.properties.metrics ?? [];
        const options = rows.map((row) => row.at(-1)).filter((last): last is JsonObject => Boolean(last) && typeof last === 'object' && !Array.isArray(last));
        const ids = new Set(options.map((o) => o.id).filter((id) => typeof id === 'string'));
        return options.flatMap((o) =>
          typeof o.expression !== 'string'
            ? []
            : (o.expression.replace(/"[^"]*"|'[^']*'/g, '').match(/\b[a-z][a-zA-Z0-9_]*\b/g) ?? [])
              .filter((word) => !ids.has(word) || word === o.id)
              .map((word) => `dashboard ${name} widget "${w.properties.title}": expression ${String(o.id)} names ${word}, no other row of the widget`),
        );
      }),
    );
    expect(problems).toEqual([]);
  });
});

describe('sample log events', () => {
  it('the API sample has lines each metric filter of the API log group reads, as the log group\'s transformer gives them', () => {
    const filters = resourcesOfType(template, 'AWS::Logs::MetricFilter');
    const apiGroup = String(filters[0]?.[1].Properties.LogGroupName);
    const decoded = decodeLogsEvent(JSON.parse(readFileSync(join(EVENTS_DIR, 'logs-api.json'), 'utf8')));
    if (decoded.kind !== 'data') throw new Error('events/logs-api.json is not a data message');
    expect(decoded.batch.logGroup).toBe(apiGroup);
    const messages = decoded.batch.logEvents.map((e) => e.message);
    // The transformer's Grok steps as regular expressions: the numeric fields each one extracts from a line.
    const groks = resourcesOfType(template, 'AWS::Logs::Transformer')
      .filter(([, t]) => t.Properties.LogGroupIdentifier === apiGroup)
      .flatMap(([, t]) => (t.Properties.TransformerConfig as JsonObject[]).map((step) => (step.Grok as JsonObject | undefined)?.Match).filter((m): m is string => typeof m === 'string'));
    const fieldsOf = (message: string) => {
      const fields: Record<string, number> = {};
      for (const grok of groks) {
        const names: string[] = [];
        const source = grok.split(/(%\{NUMBER:\w+\})/).map((part) => {
          const field = /^%\{NUMBER:(\w+)\}$/.exec(part)?.[1];
          if (!field) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          names.push(field);
          return '([-+]?\\d+(?:\\.\\d+)?)';
        });
        const match = new RegExp(source.join('')).exec(message);
        if (match) names.forEach((n, i) => (fields[n] = Number(match[i + 1])));
      }
      return fields;
    };
    const unread = filters
      .filter(([, f]) => f.Properties.LogGroupName === apiGroup)
      .flatMap(([id, f]) => {
        const pattern = String(f.Properties.FilterPattern);
        const term = /^"([^"]+)"$/.exec(pattern)?.[1];
        const field = /^\{\s*\$\.(\w+)\s*=\s*\*\s*\}$/.exec(pattern)?.[1];
        // A quoted term matches the lines that contain it; `{ $.x = * }` the (transformed) events that have x.
        let lines: number;
        if (term !== undefined) lines = messages.filter((m) => m.includes(term)).length;
        else if (field !== undefined && f.Properties.ApplyOnTransformedLogs === true) lines = messages.filter((m) => fieldsOf(m)[field] !== undefined).length;
        else return [`metric filter ${id}: pattern ${pattern} is not one this check reads`];
        return lines > 0 ? [] : [`metric filter ${id} (${pattern}) reads no line of events/logs-api.json`];
      });
    expect(unread).toEqual([]);
  });
});
