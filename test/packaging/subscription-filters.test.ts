// Packaging: in every stage's generated template, each function on the alarms topic is subscribed to exactly the alarms its part of the policy names.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SNSEvent } from 'aws-lambda';
import { ALARM_STATES } from '../../shared/alarm/model';
import { parseSnsRecord } from '../../shared/alarm/parse';
import { policyForStage, stageNames } from '../../shared/policy/load';
import type { Policy } from '../../shared/policy/schema';
import {
  EVERY_ALARM,
  FILTERED_SUBSCRIBERS,
  FILTER_POLICY_LIMITS,
  SUBSCRIBER_RULE_KINDS,
  filterPolicyCombinations,
  filterPolicyKeys,
  subscriptionFilters,
  type FilterPolicy,
  type FilteredSubscriber,
} from '../../shared/policy/subscription-filters';
import { rulesFor } from '../../shared/remediation/policy';
import { serviceForAlarm } from '../../shared/responder/policy';
import { ALARM_SHAPES, alarmBody, filterPolicyMatches } from '../support/sns-filter-policy';
import { REPO_ROOT, functionLogicalId, packageStage, referencedId, resourcesOfType, type Json, type JsonObject, type PackagedStage, type Resource, type Template } from './serverless';

jest.setTimeout(600_000);

const STAGES = stageNames();
const NAMED_BY_NO_RULE = 'SomeOther-Alarm';

interface Stage {
  readonly name: string;
  readonly policy: Policy;
  readonly template: Template & { Conditions?: Record<string, JsonObject> };
}

const stages: Stage[] = [];
const packaged: PackagedStage[] = [];

beforeAll(() => {
  for (const name of STAGES) {
    const result = packageStage(name);
    packaged.push(result);
    stages.push({ name, policy: policyForStage(name), template: result.template });
  }
});

afterAll(() => packaged.forEach((p) => p.cleanup()));

const subscriptionId = (fn: string) => `${functionLogicalId(fn as FilteredSubscriber).replace(/LambdaFunction$/, '')}AlarmsSubscription`;
const permissionId = (fn: string) => `${functionLogicalId(fn as FilteredSubscriber).replace(/LambdaFunction$/, '')}AlarmsInvokePermission`;
const conditionOf = (resource: Resource | undefined) => (resource as (Resource & { Condition?: string }) | undefined)?.Condition;

/**
 * Whether the function acts on this alarm in this state, decided by the code the function runs: the
 * remediation rules of its kinds in that state (rulesFor), the responder's services (serviceForAlarm).
 */
function handles(fn: FilteredSubscriber, policy: Policy, alarm: string, state: string): boolean {
  if (fn === 'respond') return policy.responder !== undefined && serviceForAlarm(policy.responder, alarm) !== undefined;
  return policy.remediation !== undefined && rulesFor(policy.remediation, alarm, state, SUBSCRIBER_RULE_KINDS[fn]).length > 0;
}

/** Every alarm name the stage knows of: its rules, services and routing, the template's own alarms, and one nothing names. */
function alarmNames(stage: Stage): string[] {
  const { policy, template } = stage;
  const names = [
    ...(policy.remediation?.rules.map((r) => r.alarm) ?? []),
    ...Object.values(policy.responder?.services ?? {}).flatMap((s) => s.alarms),
    ...policy.notify.severity.rules.flatMap((r) => r.alarm),
    ...Object.keys(policy.notify.runbooks.alarms),
    ...[...resourcesOfType(template, 'AWS::CloudWatch::Alarm'), ...resourcesOfType(template, 'AWS::CloudWatch::CompositeAlarm')]
      .map(([, r]) => r.Properties.AlarmName)
      .filter((n): n is string => typeof n === 'string'),
    NAMED_BY_NO_RULE,
  ];
  return [...new Set(names.filter((n) => !n.includes('*')))];
}

/** The filtered functions the stage subscribes (the others' resources are not created, their filter is no value). */
function subscribed(stage: Stage): FilteredSubscriber[] {
  return FILTERED_SUBSCRIBERS.filter((fn) => {
    const condition = conditionOf(stage.template.Resources[subscriptionId(fn)]);
    return condition !== undefined && JSON.stringify(stage.template.Conditions?.[condition]) === JSON.stringify({ 'Fn::Equals': ['true', 'true'] });
  });
}

function filterPolicyOf(stage: Stage, fn: FilteredSubscriber): FilterPolicy {
  const properties = stage.template.Resources[subscriptionId(fn)]?.Properties;
  if (!properties) throw new Error(`stage ${stage.name} has no ${subscriptionId(fn)}`);
  expect({ fn, scope: properties.FilterPolicyScope }).toEqual({ fn, scope: 'MessageBody' });
  // Template JSON is untyped; FilterPolicy holds what the generator wrote, a filter policy.
  return properties.FilterPolicy as unknown as FilterPolicy;
}

/** The samples on the alarms topic (events/*.json with SNS records), parsed as the functions parse them. */
function topicSamples() {
  const dir = join(REPO_ROOT, 'events');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .flatMap((file) => {
      const event = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Partial<SNSEvent>;
      return (event.Records ?? []).map((record) => ({ file, body: record.Sns.Message, parsed: parseSnsRecord(record) }));
    });
}

/** The alarm name a message body gives in either shape, if it is JSON that gives one. */
function namedIn(body: string): string | undefined {
  try {
    const json = JSON.parse(body) as { AlarmName?: unknown; detail?: { alarmName?: unknown } };
    const name = json.AlarmName ?? json.detail?.alarmName;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

describe.each(STAGES)('stage %s', (name) => {
  const stage = () => stages.find((s) => s.name === name)!;

  it('subscribes notify with no filter: every message on the topic, alarm or not, reaches it', () => {
    const notify = stage().template.Resources[subscriptionId('notify')]!;
    expect(notify.Properties).not.toHaveProperty('FilterPolicy');
    expect(notify.Properties).not.toHaveProperty('FilterPolicyScope');
    expect(conditionOf(notify)).toBeUndefined();
    expect(conditionOf(stage().template.Resources[permissionId('notify')])).toBeUndefined();
  });

  it('subscribes each other function, and lets SNS invoke it, exactly when it handles an alarm', () => {
    const { policy, template } = stage();
    for (const fn of FILTERED_SUBSCRIBERS) {
      const handlesAny = alarmNames(stage()).some((alarm) => ALARM_STATES.some((state) => handles(fn, policy, alarm, state)));
      const condition = conditionOf(template.Resources[subscriptionId(fn)]);
      expect({ fn, condition, permission: conditionOf(template.Resources[permissionId(fn)]) }).toEqual({ fn, condition: expect.any(String), permission: condition });
      expect({ fn, holds: template.Conditions?.[condition!] }).toEqual({ fn, holds: { 'Fn::Equals': [String(handlesAny), 'true'] } });
      expect(referencedId(template.Resources[subscriptionId(fn)]!.Properties.Endpoint as Json)).toBe(functionLogicalId(fn));
    }
  });

  it('delivers every alarm a function handles, in both shapes, in every state it acts on', () => {
    const { policy } = stage();
    const missed: string[] = [];
    for (const fn of subscribed(stage())) {
      const filter = filterPolicyOf(stage(), fn);
      for (const alarm of alarmNames(stage())) {
        for (const state of ALARM_STATES) {
          if (!handles(fn, policy, alarm, state)) continue;
          for (const shape of ALARM_SHAPES) if (!filterPolicyMatches(filter, alarmBody(shape, alarm, state))) missed.push(`${fn}: ${shape} ${alarm} ${state}`);
        }
      }
    }
    expect(missed).toEqual([]);
  });

  it('delivers no alarm a function does not act on: not one no rule names, not another function’s, not a state its rules leave out', () => {
    const { policy } = stage();
    const filters = subscriptionFilters(policy);
    const extra: string[] = [];
    for (const fn of subscribed(stage())) {
      const filter = filterPolicyOf(stage(), fn);
      const generated = filters[fn];
      // A function that had to fall back receives every alarm, and the generator says so.
      if (generated.kind === 'every-alarm') {
        expect({ fn, filter }).toEqual({ fn, filter: EVERY_ALARM });
        continue;
      }
      const exactInState = generated.kind === 'filtered' && generated.byState;
      for (const alarm of alarmNames(stage())) {
        const named = ALARM_STATES.some((state) => handles(fn, policy, alarm, state));
        for (const state of ALARM_STATES) {
          const expected = exactInState ? handles(fn, policy, alarm, state) : named;
          for (const shape of ALARM_SHAPES) {
            if (filterPolicyMatches(filter, alarmBody(shape, alarm, state)) && !expected) extra.push(`${fn}: ${shape} ${alarm} ${state}`);
          }
        }
      }
    }
    expect(extra).toEqual([]);
    // The one alarm nothing names reaches notify only.
    for (const fn of subscribed(stage())) {
      for (const shape of ALARM_SHAPES) expect({ fn, shape, delivered: filterPolicyMatches(filterPolicyOf(stage(), fn), alarmBody(shape, NAMED_BY_NO_RULE, 'ALARM')) }).toEqual({ fn, shape, delivered: false });
    }
  });

  it('routes every sample on the alarms topic as the functions would act on it; a message that names none of a function’s alarms does not reach it', () => {
    const { policy } = stage();
    const wrong: string[] = [];
    for (const sample of topicSamples()) {
      for (const fn of subscribed(stage())) {
        const delivered = filterPolicyMatches(filterPolicyOf(stage(), fn), sample.body);
        if (sample.parsed.type === 'generic') {
          // An incomplete alarm that names one of the function's alarms may reach it (it logs why it skips it); nothing else may.
          const named = namedIn(sample.body);
          const mayReach = named !== undefined && ALARM_STATES.some((state) => handles(fn, policy, named, state));
          if (delivered && !mayReach) wrong.push(`${fn} receives ${sample.file}, which is not an alarm (${sample.parsed.generic.reason})`);
        } else if (handles(fn, policy, sample.parsed.alarm.name, sample.parsed.alarm.state) && !delivered) {
          wrong.push(`${fn} misses ${sample.file} (${sample.parsed.alarm.name} ${sample.parsed.alarm.state})`);
        }
      }
    }
    expect(wrong).toEqual([]);
    // The samples include both shapes and a message that is not an alarm, so both checks above have work to do.
    expect(topicSamples().map((s) => (s.parsed.type === 'alarm' ? s.parsed.alarm.source : 'generic')).sort()).toEqual(expect.arrayContaining(['cloudwatch-sns', 'eventbridge', 'generic']));
  });

  it('keeps each filter policy within SNS’s limits', () => {
    for (const fn of subscribed(stage())) {
      const filter = filterPolicyOf(stage(), fn);
      expect({ fn, combinations: filterPolicyCombinations(filter) <= FILTER_POLICY_LIMITS.combinations }).toEqual({ fn, combinations: true });
      expect({ fn, keys: filterPolicyKeys(filter).length <= FILTER_POLICY_LIMITS.keys }).toEqual({ fn, keys: true });
      expect({ fn, bytes: Buffer.byteLength(JSON.stringify(filter)) <= FILTER_POLICY_LIMITS.bytes }).toEqual({ fn, bytes: true });
    }
  });
});
