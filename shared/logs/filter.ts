// Log forwarding, step 2: which policy group a log group belongs to, and which of its messages are forwarded.
import { type LogGroupRule, type LogsPolicy, matchesLogGroup } from './policy';

/** The service name and include/exclude tests for one log group, compiled once per batch. */
export interface GroupFilter {
  readonly service: string;
  /** True when the message is to be forwarded. */
  readonly keeps: (message: string) => boolean;
}

/** Service recorded for log groups no policy group names. */
export const UNKNOWN_SERVICE = 'unknown';

/** The first policy group matching `logGroup`, or undefined. */
export const groupFor = (policy: Pick<LogsPolicy, 'groups'>, logGroup: string): LogGroupRule | undefined =>
  policy.groups.find((group) => matchesLogGroup(group.match, logGroup));

/**
 * Compiles the filter of `logGroup`: a message is kept when it matches an include pattern (or the
 * group has none) and no exclude pattern. The service name comes from the group or, failing that,
 * from the log group's last path segment (`/aws/lambda/orders` is `orders`).
 */
export function filterFor(policy: Pick<LogsPolicy, 'groups'>, logGroup: string): GroupFilter {
  const group = groupFor(policy, logGroup);
  const service = group?.service ?? serviceFromLogGroup(logGroup);
  const include = group?.include.map((p) => new RegExp(p)) ?? [];
  const exclude = group?.exclude.map((p) => new RegExp(p)) ?? [];
  if (include.length === 0 && exclude.length === 0) return { service, keeps: () => true };
  return {
    service,
    keeps: (message) => (include.length === 0 || include.some((re) => re.test(message))) && !exclude.some((re) => re.test(message)),
  };
}

/** The last path segment of a log group name, the service name when no policy group gives one. */
export function serviceFromLogGroup(logGroup: string): string {
  const segment = logGroup.split('/').filter((s) => s !== '').at(-1);
  return segment ?? UNKNOWN_SERVICE;
}
