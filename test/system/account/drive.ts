// System suite: what scenarios do to the account — traffic, node load, letting time pass, evaluating alarms — and read back.
import { PublishCommand } from '@aws-sdk/client-sns';
import type { AlarmState } from '../../../shared/alarm/model';
import type { FunctionName } from '../../packaging/serverless';
import type { RecordedRequest } from '../../support/receiver';
import { alarmBody } from '../../support/sns-filter-policy';
import type { Transition } from '../cloudwatch/alarms';
import type { Invocation } from '../lambda/service';
import { apiLogLines, apiLogStream, ingest } from '../workload/api-logs';
import { publishNodeMetrics } from '../workload/container-insights';
import { WORKLOAD, type World } from './world';
import type { JsonObject } from '../../packaging/serverless';

/**
 * Keeps a step's data and the alarm evaluation after it in one minute of the account's clock. Data is written
 * for the whole minutes before now, and alarms are evaluated over the complete minutes before theirs: were the
 * minute to end between the two, the evaluation would read the minute just ended, which has no traffic, and
 * an alarm the data breaches would stay OK. Near a minute's end, the clock moves to the next one first.
 */
function startWellInsideAMinute(world: World): void {
  const intoMinute = world.clock.now().getTime() % 60_000;
  if (intoMinute > 40_000) world.clock.advance(60_000 - intoMinute + 500);
}

/** The API serving `requests` a minute for the last `minutes` whole minutes, with this error share and latency. */
export async function apiTraffic(world: World, minutes: number, shape: { requests: number; errorPercent: number; latencyMs: number }): Promise<void> {
  startWellInsideAMinute(world);
  const thisMinute = Math.floor(world.clock.now().getTime() / 60_000) * 60_000;
  const events = [];
  for (let m = minutes; m >= 1; m--) events.push(...apiLogLines({ at: new Date(thisMinute - m * 60_000), ...shape }));
  const transformer = world.stack.created.get('ApiLogTransformer')?.properties.TransformerConfig as JsonObject[] | undefined;
  await ingest(world.clients, WORKLOAD.apiLogGroup, apiLogStream(), events, transformer);
}

/** Container Insights reporting node CPU and memory for the last `minutes` minutes. */
export async function nodeLoad(world: World, minutes: number, reading: { cpuPercent: number; memoryPercent: number }): Promise<void> {
  startWellInsideAMinute(world);
  await publishNodeMetrics(world.clients.cloudWatch, WORKLOAD.cluster, reading, minutes, world.clock.now());
}

/**
 * Publishes an alarm's state change to the alarms topic as CloudWatch does (its message and subject), at the
 * account's now. Returns once SNS took it; `world.lambda.idle()` waits for the functions it reached.
 */
export async function publishAlarm(world: World, name: string, state: AlarmState, description: string): Promise<void> {
  const body = JSON.parse(alarmBody('cloudwatch', name, state)) as Record<string, unknown>;
  const at = world.clock.now().toISOString().replace('Z', '+0000');
  const message = JSON.stringify({ ...body, AlarmDescription: description, StateChangeTime: at, OldStateValue: state === 'OK' ? 'ALARM' : 'OK' });
  await world.clients.sns.send(new PublishCommand({ TopicArn: world.physicalId('AlarmsTopic'), Message: message, Subject: `${state}: "${name}"` }));
}

/** Mark of what was recorded so far, to read only what a step caused. */
export interface Mark {
  readonly invocations: number;
  readonly slack: number;
  readonly pagerDuty: number;
  readonly mail: number;
  readonly sink: number;
  readonly kubeRequests: number;
}

export function mark(world: World): Mark {
  return {
    invocations: world.lambda.invocations.length,
    slack: world.slack.requests.length,
    pagerDuty: world.pagerDuty.requests.length,
    mail: world.lambda.mail.length,
    sink: world.sink.requests.length,
    kubeRequests: world.kube.requests.length,
  };
}

/** What happened since a mark. */
export function since(world: World, m: Mark) {
  return {
    invocations: world.lambda.invocations.slice(m.invocations),
    slack: world.slack.requests.slice(m.slack),
    pagerDuty: world.pagerDuty.requests.slice(m.pagerDuty).map((r: RecordedRequest) => JSON.parse(r.body) as Record<string, unknown>),
    mail: world.lambda.mail.slice(m.mail),
    sink: world.sink.requests.slice(m.sink),
    kubeWrites: world.kube.requests.slice(m.kubeRequests).filter((r) => r.method !== 'GET'),
  };
}

/** Evaluates every alarm at the account's now, then waits until every function the notifications reached has finished. */
export async function evaluateAlarms(world: World): Promise<Transition[]> {
  const transitions = await world.alarms.evaluate(world.clock.now());
  await world.lambda.idle();
  return transitions;
}

/** The invocations of one function, named in failure messages with what the function said. */
export function runsOf(invocations: readonly Invocation[], fn: FunctionName): Invocation[] {
  return invocations.filter((i) => i.function === fn);
}

/** Fails naming the scenario, the function and its error and output for every invocation that did not succeed. */
export function expectNoFailures(scenario: string, invocations: readonly Invocation[]): void {
  const failed = invocations.filter((i) => !i.ok);
  if (failed.length === 0) return;
  const lines = failed.map((i) => `  ${i.function} (attempt ${i.attempt}, ${i.source}): ${i.errorType}: ${i.errorMessage}\n${i.output.split('\n').slice(-8).join('\n')}`);
  throw new Error(`${scenario}: ${failed.length} invocation(s) failed\n${lines.join('\n')}`);
}

/** What a function logged as its outcome (the structured line with this message), parsed. */
export function loggedOutcome(invocation: Invocation, message: string): Record<string, unknown> | undefined {
  for (const line of invocation.output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (parsed.message === message) return parsed;
    } catch {
      // not a structured line
    }
  }
  return undefined;
}

/** EventBridge's scheduled event for the rule the template gives `fn` (respond's breaker sweep, notify's tick), at the account's now. */
export function scheduledEvent(world: World, fn: 'respond' | 'notify' = 'respond'): Record<string, unknown> {
  const logicalId = `${fn.charAt(0).toUpperCase()}${fn.slice(1)}LambdaFunction`;
  const rule = Object.values(world.stack.template.Resources).find(
    (r) => r.Type === 'AWS::Events::Rule' && JSON.stringify(r.Properties.Targets ?? []).includes(`"${logicalId}"`),
  );
  if (!rule) throw new Error(`the template gives ${fn} no schedule`);
  const name = String(rule.Properties.Name);
  return {
    version: '0',
    id: `${world.clock.now().getTime()}`,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: world.stack.facts.accountId,
    time: world.clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: world.region,
    resources: [`arn:aws:events:${world.region}:${world.stack.facts.accountId}:rule/${name}`],
    detail: {},
  };
}

/** respond's schedule for the rule the template gives it. */
export const sweepEvent = (world: World): Record<string, unknown> => scheduledEvent(world, 'respond');

/** The schedule firing once: respond runs the breaker sweep. */
export async function runSweep(world: World): Promise<void> {
  world.lambda.invokeAsync('respond', 'schedule', sweepEvent(world));
  await world.lambda.idle();
}

/** notify's schedule firing once: the alarm groups whose batch is due go out, and the announcements. */
export async function runTick(world: World): Promise<void> {
  world.lambda.invokeAsync('notify', 'schedule', scheduledEvent(world, 'notify'));
  await world.lambda.idle();
}

/** A circuit-breaker flag as respond stores it (SSM String under BREAKER_PREFIX), or undefined when absent. */
export async function breakerFlag(world: World, name: string): Promise<Record<string, unknown> | undefined> {
  const { GetParameterCommand } = await import('@aws-sdk/client-ssm');
  const prefix = world.stack.functions.get('respond')!.environment.BREAKER_PREFIX ?? '/firebreak/prod/breakers';
  try {
    const { Parameter } = await world.clients.ssm.send(new GetParameterCommand({ Name: `${prefix}/${name}` }));
    return JSON.parse(Parameter?.Value ?? '{}') as Record<string, unknown>;
  } catch (error) {
    if ((error as Error).name === 'ParameterNotFound') return undefined;
    throw error;
  }
}

/** The audit trail of one target as the remediation engine stored it in STATE_TABLE (`pk = audit#<target>`), oldest first. */
export async function auditTrail(world: World, target: string): Promise<Record<string, unknown>[]> {
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const { DynamoDBDocumentClient, QueryCommand } = await import('@aws-sdk/lib-dynamodb');
  const table = world.stack.functions.get('respond')!.environment.STATE_TABLE;
  if (!table) throw new Error('respond has no STATE_TABLE in the deployed stack');
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: world.emulator.endpoint, region: world.region, credentials: world.emulator.admin, maxAttempts: 1 }));
  const out = await client.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `audit#${target}` } }));
  return out.Items ?? [];
}

/** Lets the service run healthy long enough for every alarm to be back in OK, and delivers those OKs. */
export async function quiet(world: World): Promise<void> {
  nextPhase(world);
  await nodeLoad(world, 15, { cpuPercent: 40, memoryPercent: 50 });
  await apiTraffic(world, 4, { requests: 40, errorPercent: 0, latencyMs: 60 });
  await evaluateAlarms(world);
}

/**
 * Moves the clock past every alarm's window (HighCPU's is 2 x 5 minutes, aligned to 5), so a phase's
 * datapoints never mix with the previous phase's.
 */
export function nextPhase(world: World): void {
  world.clock.advance(20 * 60_000);
}
