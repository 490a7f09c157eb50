// Domain: severity and routing — which channels an alarm goes to, decided from the stage policy alone.
import type { AlarmState } from '../alarm/model';
import type { ChannelName, RoutingPolicy, Severity } from './schema';

const patternCache = new Map<string, RegExp>();

/** Matches an alarm name against a pattern where `*` stands for any run of characters. */
export function matchesPattern(pattern: string, name: string): boolean {
  let re = patternCache.get(pattern);
  if (!re) {
    const body = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
    re = new RegExp(`^${body}$`);
    patternCache.set(pattern, re);
  }
  return re.test(name);
}

export const matchesAny = (patterns: readonly string[], name: string): boolean => patterns.some((p) => matchesPattern(p, name));

/** Severity tokens alarm owners put in AlarmDescription. */
const PRIORITY_TOKEN = /\[P([0-4])\]/i;
const SEVERITY_TOKEN = /\bseverity\s*[=:]\s*(critical|warning|info)\b/i;
const PRIORITY_SEVERITY: Record<string, Severity> = { '0': 'critical', '1': 'critical', '2': 'warning', '3': 'info', '4': 'info' };

export interface SeverityDecision {
  readonly severity: Severity;
  /** Where it came from, for the notification and for `npm run policy`. */
  readonly from: 'policy rule' | 'description token' | 'default';
}

/**
 * The severity of an alarm: the first policy rule whose pattern matches the name; otherwise a
 * `[P0]`…`[P4]` or `severity=critical|warning|info` token in the description; otherwise the default.
 */
export function decideSeverity(policy: RoutingPolicy, alarmName: string | undefined, description?: string): SeverityDecision {
  if (alarmName !== undefined) {
    const rule = policy.severity.rules.find((r) => matchesAny(r.alarm, alarmName));
    if (rule) return { severity: rule.severity, from: 'policy rule' };
  }
  const explicit = description && SEVERITY_TOKEN.exec(description);
  if (explicit) return { severity: explicit[1]!.toLowerCase() as Severity, from: 'description token' };
  const priority = description && PRIORITY_TOKEN.exec(description);
  if (priority) return { severity: PRIORITY_SEVERITY[priority[1]!]!, from: 'description token' };
  return { severity: policy.severity.default, from: 'default' };
}

export interface RoutingInput {
  /** Undefined for a generic notification, which always takes the default route. */
  readonly alarmName?: string;
  readonly state?: AlarmState;
  readonly severity: Severity;
}

export interface RoutingDecision {
  /** Names of the routes that matched, in order (`default` when none did). */
  readonly routes: readonly string[];
  readonly channels: readonly ChannelName[];
  /** The route each channel comes from: the first matched route that names it (`default` for the default route's). */
  readonly routeOf: Readonly<Partial<Record<ChannelName, string>>>;
  /** Channels a route named but the policy holds back for this state, with why. */
  readonly withheld: readonly { readonly channel: ChannelName; readonly reason: string }[];
}

/**
 * Routes like Alertmanager: routes are tried in order, the first match wins unless it says
 * `continue`, and an alarm no route matches takes the default route.
 */
export function route(policy: RoutingPolicy, input: RoutingInput): RoutingDecision {
  const matched: string[] = [];
  const channels: ChannelName[] = [];
  const routeOf: Partial<Record<ChannelName, string>> = {};
  const take = (name: string, named: readonly ChannelName[]) => {
    matched.push(name);
    channels.push(...named);
    for (const c of named) routeOf[c] ??= name;
  };
  if (input.alarmName !== undefined) {
    for (const r of policy.routes) {
      if (r.match.alarm && !matchesAny(r.match.alarm, input.alarmName)) continue;
      if (r.match.severity && !r.match.severity.includes(input.severity)) continue;
      if (r.match.state && (!input.state || !r.match.state.includes(input.state))) continue;
      take(r.name, r.channels);
      if (!r.continue) break;
    }
  }
  if (matched.length === 0) take('default', policy.defaultRoute.channels);
  const unique = [...new Set(channels)];
  const withheld: { channel: ChannelName; reason: string }[] = [];
  const pagesInsufficientData = policy.pagerduty.insufficientData === 'trigger';
  if (input.state === 'INSUFFICIENT_DATA' && !pagesInsufficientData && unique.includes('pagerduty')) {
    withheld.push({ channel: 'pagerduty', reason: 'INSUFFICIENT_DATA pages nobody (policy notify.pagerduty.insufficientData is "ignore")' });
  }
  return {
    routes: matched,
    channels: unique.filter((c) => !withheld.some((w) => w.channel === c)),
    routeOf,
    withheld,
  };
}

/** The runbook path for an alarm, relative to the runbook base URL. */
export function runbookPath(policy: RoutingPolicy, alarmName: string | undefined): string {
  if (alarmName !== undefined) {
    for (const [pattern, file] of Object.entries(policy.runbooks.alarms)) {
      if (matchesPattern(pattern, alarmName)) return file.replaceAll('{alarm}', encodeURIComponent(alarmName));
    }
  }
  return policy.runbooks.default;
}
