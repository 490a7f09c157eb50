// Domain: storm control's first step — which group of a grouped route an alarm joins, and the member it becomes. Pure.
import type { Alarm } from '../../alarm/model';
import type { GroupKey, RouteGroup } from '../../policy/schema';
import type { AlarmView } from '../view';
import type { GroupIdentity, GroupMember } from './model';

/** The dimension names that say which service a metric belongs to, the first found winning. */
export const SERVICE_DIMENSIONS = ['Service', 'ServiceName', 'service'] as const;

/** The alarm name up to its first `-` (`RetailPrediction-HighCPU` → `RetailPrediction`), or the whole name when it has none. */
export function alarmPrefix(alarmName: string): string {
  const dash = alarmName.indexOf('-');
  return dash === -1 ? alarmName : alarmName.slice(0, dash);
}

/**
 * The service an alarm watches: the value of the first of `Service`, `ServiceName`, `service` among its
 * metric's dimensions; then the same among each of its queries' dimensions, in the alarm's order (a
 * metric-math or anomaly alarm keeps its metrics there); undefined when none has one (an empty value
 * counts as none).
 */
export function serviceOf(alarm: Pick<Alarm, 'metric' | 'queries'>): string | undefined {
  const sources = [alarm.metric?.dimensions, ...(alarm.queries ?? []).map((q) => q.dimensions)];
  for (const dimensions of sources) {
    if (!dimensions) continue;
    for (const name of SERVICE_DIMENSIONS) {
      const value = dimensions[name];
      if (value) return value;
    }
  }
  return undefined;
}

/** The value of one `group.by` key for an alarm; `service` falls back to the alarm prefix. */
export function groupKeyValue(by: GroupKey, view: AlarmView): string {
  switch (by) {
    case 'severity':
      return view.severity;
    case 'alarmPrefix':
      return alarmPrefix(view.alarm.name);
    case 'service':
      return serviceOf(view.alarm) ?? alarmPrefix(view.alarm.name);
  }
}

/**
 * `%`, `/`, `=` and `,` percent-encoded (`%25`, `%2F`, `%3D`, `%2C`), every other character as it is:
 * the characters a group id is built with can then only be its own, and two different groups never
 * share an id.
 */
export const encodeGroupIdPart = (text: string): string => text.replace(/[%/=,]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);

/**
 * The group an alarm joins on a grouped route: the route's name and the value of each of its `group.by`
 * keys, in the route's order. `severity` is the alarm's severity; `alarmPrefix` its name up to the first
 * `-`; `service` the first `Service`, `ServiceName` or `service` dimension of its metric or, failing
 * that, of its queries, else its alarm prefix. The id is `<route>/<by>=<value>,<by>=<value>` with the
 * route's name and each value as they are but for `%`, `/`, `=` and `,`, which are percent-encoded so
 * the id stays unambiguous (`critical/service=Retail%2FPrediction`). The key holds the values unencoded.
 */
export function groupIdentity(route: { readonly name: string; readonly group: RouteGroup }, view: AlarmView): GroupIdentity {
  const key = route.group.by.map((by) => ({ by, value: groupKeyValue(by, view) }));
  const id = `${encodeGroupIdPart(route.name)}/${key.map(({ by, value }) => `${by}=${encodeGroupIdPart(value)}`).join(',')}`;
  return { route: route.name, key, id };
}

/** The group member an alarm's view becomes, brought by the SNS message `messageId`. */
export function memberOf(view: AlarmView, messageId: string): GroupMember {
  const a = view.alarm;
  return {
    alarmName: a.name,
    state: a.state,
    severity: view.severity,
    changedAt: a.changedAt,
    reason: a.reason,
    messageId,
    region: a.region,
    consoleUrl: view.consoleUrl,
    runbookUrl: view.runbookUrl,
  };
}
