// Deployment: which alarms each function on the alarms topic handles under a stage policy, as the SNS filter policies of its subscription.
import { ALARM_STATES, type AlarmState } from '../alarm/model';
import type { RemediationRule } from '../remediation/policy';
import type { Policy } from './schema';

/**
 * The functions whose alarms-topic subscription is filtered. notify is not among them: every message
 * on the topic, alarm or not, is somebody's notification.
 */
export const FILTERED_SUBSCRIBERS = ['scaleNodegroup', 'scaleDeployment', 'respond'] as const;
export type FilteredSubscriber = (typeof FILTERED_SUBSCRIBERS)[number];

type RuleKind = RemediationRule['action']['kind'];

/** The rule action kinds each remediation function carries out: the `kinds` of its handler's scope. */
export const SUBSCRIBER_RULE_KINDS = {
  scaleNodegroup: ['scale-nodegroup'],
  scaleDeployment: ['scale-deployment', 'restart-deployment'],
} as const satisfies Record<Exclude<FilteredSubscriber, 'respond'>, readonly RuleKind[]>;

/** SNS's limits on one filter policy (subscription-filter-policy-constraints in the SNS developer guide). */
export const FILTER_POLICY_LIMITS = {
  /** Total value combinations: summed over `$or` alternatives, each a product of (values x nesting level) per key. */
  combinations: 150,
  /** Keys. AWS's pages disagree on whether nested keys count; every leaf key is counted here, the stricter reading. */
  keys: 5,
  /** Size of the policy's JSON. */
  bytes: 256 * 1024,
} as const;

/** One value a key may match: an exact string, a prefix, or the key's presence. */
export type FilterPolicyMatch = string | { readonly prefix: string } | { readonly exists: boolean };

/**
 * An SNS filter policy (scope `MessageBody`): each key's value is a list of matches, a nested policy
 * for a nested object, or (for `$or`) a list of alternative policies.
 */
export interface FilterPolicy {
  readonly [key: string]: readonly FilterPolicyMatch[] | readonly FilterPolicy[] | FilterPolicy;
}

/** An alarm a function handles, as SNS can select it. */
export interface SelectedAlarm {
  /** The name or pattern as the policy writes it. */
  readonly alarm: string;
  /** `exact`: the name itself; `prefix`: every name that starts with `value` (a pattern with one trailing `*`). */
  readonly match: 'exact' | 'prefix';
  readonly value: string;
  /** The states the function acts on for this alarm; `any` when it acts on every state. */
  readonly states: readonly AlarmState[] | 'any';
}

/** What a function's subscription to the alarms topic receives. */
export type SubscriptionFilter =
  | {
      /** Only the alarms it handles, in both message shapes. */
      readonly kind: 'filtered';
      readonly alarms: readonly SelectedAlarm[];
      /** Whether the policy also selects states; false when the function acts on every state, or the states did not fit. */
      readonly byState: boolean;
      /** Why states are not selected although the function acts on some only (they did not fit SNS's limits). */
      readonly note?: string;
      readonly filterPolicy: FilterPolicy;
      readonly combinations: number;
    }
  | {
      /** Every alarm, whatever its name: the alarms it handles cannot be selected. */
      readonly kind: 'every-alarm';
      readonly reason: string;
      readonly filterPolicy: FilterPolicy;
      readonly combinations: number;
    }
  | {
      /** It handles no alarm, so it is not subscribed. */
      readonly kind: 'unsubscribed';
      readonly reason: string;
    };

// The two shapes of an alarm on the topic (shared/alarm/parse.ts): a CloudWatch alarm notification names
// the alarm and its state at the top level, an EventBridge "CloudWatch Alarm State Change" event in detail.
const CLOUDWATCH = { name: ['AlarmName'], state: ['NewStateValue'] } as const;
const EVENTBRIDGE = { name: ['detail', 'alarmName'], state: ['detail', 'state', 'value'] } as const;

/**
 * Every alarm in either shape, whatever its name or state. A function that cannot be given a narrower
 * filter still gets this one rather than none, so in every stage the functions that act on alarms are
 * never invoked for the topic's other messages (which they skip unread) and notify alone receives those.
 */
export const EVERY_ALARM: FilterPolicy = {
  $or: [atPath(CLOUDWATCH.name, [{ exists: true }]), atPath(EVENTBRIDGE.name, [{ exists: true }])],
};

/** The alarms each filtered function handles under `policy`, and the filter policy its subscription gets. Pure. */
export function subscriptionFilters(policy: Policy): Readonly<Record<FilteredSubscriber, SubscriptionFilter>> {
  const remediation = policy.remediation;
  const scale = (fn: Exclude<FilteredSubscriber, 'respond'>): SubscriptionFilter => {
    const kinds: readonly RuleKind[] = SUBSCRIBER_RULE_KINDS[fn];
    if (!remediation) return { kind: 'unsubscribed', reason: 'the policy has no remediation section' };
    const states = new Map<string, Set<AlarmState>>();
    for (const rule of remediation.rules) {
      if (!kinds.includes(rule.action.kind)) continue;
      const set = states.get(rule.alarm) ?? new Set<AlarmState>();
      set.add(rule.state);
      states.set(rule.alarm, set);
    }
    if (states.size === 0) return { kind: 'unsubscribed', reason: `no remediation rule has an action of kind ${kinds.join(' or ')}` };
    return filterFor([...states].map(([alarm, set]) => ({ alarm, states: ALARM_STATES.filter((s) => set.has(s)) })));
  };
  const respond = (): SubscriptionFilter => {
    if (!policy.responder) return { kind: 'unsubscribed', reason: 'the policy has no responder section' };
    // The responder acts on every state of its services' alarms: it opens, closes and notes incidents.
    const alarms = Object.values(policy.responder.services).flatMap((service) => service.alarms);
    if (alarms.length === 0) return { kind: 'unsubscribed', reason: 'no responder service names an alarm' };
    return filterFor(alarms.map((alarm) => ({ alarm, states: [...ALARM_STATES] })));
  };
  return { scaleNodegroup: scale('scaleNodegroup'), scaleDeployment: scale('scaleDeployment'), respond: respond() };
}

/** How SNS can select one alarm name or pattern: undefined when it cannot (a `*` other than one at the end). */
function selectorOf(alarm: string): Pick<SelectedAlarm, 'match' | 'value'> | undefined {
  const star = alarm.indexOf('*');
  if (star === -1) return { match: 'exact', value: alarm };
  // A prefix also matches the pattern's own literal name, which is all an exact-match rule fires for today.
  if (star === alarm.length - 1 && star > 0) return { match: 'prefix', value: alarm.slice(0, -1) };
  return undefined;
}

function filterFor(handled: readonly { alarm: string; states: readonly AlarmState[] }[]): SubscriptionFilter {
  const byAlarm = new Map<string, Set<AlarmState>>();
  for (const { alarm, states } of handled) {
    const set = byAlarm.get(alarm) ?? new Set<AlarmState>();
    for (const s of states) set.add(s);
    byAlarm.set(alarm, set);
  }
  const alarms: SelectedAlarm[] = [];
  for (const [alarm, set] of [...byAlarm].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const selector = selectorOf(alarm);
    if (!selector) {
      return everyAlarm(`alarm pattern ${alarm} has a * that is not at its end; SNS selects exact names and prefixes only`);
    }
    const states = ALARM_STATES.filter((s) => set.has(s));
    alarms.push({ alarm, ...selector, states: states.length === ALARM_STATES.length ? 'any' : states });
  }

  const actsOnSomeStates = alarms.some((a) => a.states !== 'any');
  const byState = namesAndStates(alarms, true);
  const byStateProblem = withinLimits(byState);
  if (byStateProblem === undefined) return { kind: 'filtered', alarms, byState: actsOnSomeStates, filterPolicy: byState, combinations: filterPolicyCombinations(byState) };
  // Looser, never wrong: the functions check the state themselves.
  const byName = namesAndStates(alarms, false);
  const byNameProblem = withinLimits(byName);
  if (byNameProblem === undefined) {
    return { kind: 'filtered', alarms, byState: false, note: `not selected by state: ${byStateProblem}`, filterPolicy: byName, combinations: filterPolicyCombinations(byName) };
  }
  return everyAlarm(`its ${alarms.length} alarms do not fit one filter policy: ${byNameProblem}`);
}

function everyAlarm(reason: string): SubscriptionFilter {
  return { kind: 'every-alarm', reason, filterPolicy: EVERY_ALARM, combinations: filterPolicyCombinations(EVERY_ALARM) };
}

/**
 * One pair of `$or` alternatives (CloudWatch, EventBridge) per set of states, so that an alarm is
 * selected in exactly the states its rules name; without states, one pair for every name.
 */
function namesAndStates(alarms: readonly SelectedAlarm[], withStates: boolean): FilterPolicy {
  const groups = new Map<string, { states: readonly AlarmState[] | 'any'; values: FilterPolicyMatch[] }>();
  for (const a of alarms) {
    const states = withStates ? a.states : 'any';
    const key = states === 'any' ? 'any' : states.join(',');
    const group = groups.get(key) ?? { states, values: [] };
    group.values.push(a.match === 'exact' ? a.value : { prefix: a.value });
    groups.set(key, group);
  }
  const alternatives = [...groups.values()].flatMap(({ states, values }) =>
    [CLOUDWATCH, EVENTBRIDGE].map((shape) =>
      states === 'any' ? atPath(shape.name, values) : merge(atPath(shape.name, values), atPath(shape.state, [...states])),
    ),
  );
  return { $or: alternatives };
}

function atPath(path: readonly string[], values: readonly FilterPolicyMatch[]): FilterPolicy {
  const [head, ...rest] = path as [string, ...string[]];
  return { [head]: rest.length === 0 ? values : atPath(rest, values) };
}

function merge(a: FilterPolicy, b: FilterPolicy): FilterPolicy {
  const out: Record<string, FilterPolicy[string]> = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const mine = out[key];
    out[key] = mine !== undefined && isNested(mine) && isNested(value) ? merge(mine, value) : value;
  }
  return out;
}

const isNested = (value: FilterPolicy[string]): value is FilterPolicy => !Array.isArray(value);

/** Why `policy` breaks one of SNS's limits, or undefined when it keeps to all of them. */
function withinLimits(policy: FilterPolicy): string | undefined {
  const combinations = filterPolicyCombinations(policy);
  if (combinations > FILTER_POLICY_LIMITS.combinations) return `${combinations} value combinations, over SNS's ${FILTER_POLICY_LIMITS.combinations}`;
  const keys = filterPolicyKeys(policy).length;
  if (keys > FILTER_POLICY_LIMITS.keys) return `${keys} keys, over SNS's ${FILTER_POLICY_LIMITS.keys}`;
  const bytes = new TextEncoder().encode(JSON.stringify(policy)).length;
  if (bytes > FILTER_POLICY_LIMITS.bytes) return `${bytes} bytes, over SNS's ${FILTER_POLICY_LIMITS.bytes}`;
  return undefined;
}

/** A policy without `$or`: each leaf key (a path into the message body) and the values it matches. */
type Alternative = readonly { readonly path: readonly string[]; readonly values: number }[];

/** The policy as the `$or`-free alternatives SNS matches any one of (an `$or` anywhere multiplies them out). */
function alternatives(policy: FilterPolicy, prefix: readonly string[] = []): Alternative[] {
  let result: Alternative[] = [[]];
  for (const [key, value] of Object.entries(policy)) {
    let options: Alternative[];
    if (key === '$or' && Array.isArray(value)) options = (value as readonly FilterPolicy[]).flatMap((p) => alternatives(p, prefix));
    else if (Array.isArray(value)) options = [[{ path: [...prefix, key], values: value.length }]];
    else options = alternatives(value as FilterPolicy, [...prefix, key]);
    result = result.flatMap((left) => options.map((right) => [...left, ...right]));
  }
  return result;
}

/**
 * SNS's complexity of a filter policy: the sum over its `$or` alternatives of the product, over each
 * alternative's keys, of the key's number of values times its nesting level (the developer guide's
 * "AND/OR logic" page works both of its examples so).
 */
export function filterPolicyCombinations(policy: FilterPolicy): number {
  return alternatives(policy).reduce((sum, alt) => sum + alt.reduce((product, leaf) => product * leaf.values * leaf.path.length, 1), 0);
}

/** The distinct leaf keys of a filter policy, as dotted paths into the message body. */
export function filterPolicyKeys(policy: FilterPolicy): string[] {
  return [...new Set(alternatives(policy).flatMap((alt) => alt.map((leaf) => leaf.path.join('.'))))];
}

/** What serverless.yml reads for each filtered subscription (serverless/subscription-filters.js). */
export interface SubscriptionTemplateValues {
  /** `true` or `false`, for the CloudFormation condition that creates the subscription and its invoke permission. */
  readonly receivesAlarms: Readonly<Record<FilteredSubscriber, 'true' | 'false'>>;
  /** The subscription's FilterPolicy; no value for a function that is not subscribed. */
  readonly filterPolicy: Readonly<Record<FilteredSubscriber, FilterPolicy | { readonly Ref: 'AWS::NoValue' }>>;
}

/** The template values of each filtered subscription. Pure. */
export function subscriptionTemplateValues(filters: Readonly<Record<FilteredSubscriber, SubscriptionFilter>>): SubscriptionTemplateValues {
  const entries = FILTERED_SUBSCRIBERS.map((fn) => [fn, filters[fn]] as const);
  return {
    receivesAlarms: Object.fromEntries(entries.map(([fn, f]) => [fn, f.kind === 'unsubscribed' ? 'false' : 'true'])) as Record<FilteredSubscriber, 'true' | 'false'>,
    filterPolicy: Object.fromEntries(entries.map(([fn, f]) => [fn, f.kind === 'unsubscribed' ? { Ref: 'AWS::NoValue' } : f.filterPolicy])) as Record<
      FilteredSubscriber,
      FilterPolicy | { readonly Ref: 'AWS::NoValue' }
    >,
  };
}
