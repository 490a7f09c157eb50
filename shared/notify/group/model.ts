// Domain: storm control's model — a group of alarms on one grouped route, its members, and one batch of it to deliver.
import type { AlarmState } from '../../alarm/model';
import type { GroupKey, Severity } from '../../policy/schema';

/** One alarm in a group: its latest state as notify received it. */
export interface GroupMember {
  readonly alarmName: string;
  readonly state: AlarmState;
  readonly severity: Severity;
  /** ISO-8601 time of the alarm's state change (a later change replaces an earlier one, never the reverse). */
  readonly changedAt: string;
  readonly reason: string;
  /** The SNS MessageId that brought this state. */
  readonly messageId: string;
  readonly region: string;
  readonly consoleUrl: string;
  readonly runbookUrl: string;
}

/** Which group an alarm joins: the route and the values of the route's `group.by` keys. */
export interface GroupIdentity {
  readonly route: string;
  /** The `group.by` keys and their values for this alarm, in the route's order. */
  readonly key: readonly { readonly by: GroupKey; readonly value: string }[];
  /** `<route>/<by>=<value>,…`: the group's id in STATE_TABLE and in its PagerDuty dedup_key. */
  readonly id: string;
}

/** One delivery of a group: the members that changed since the last batch, and every member's latest state. */
export interface GroupBatch {
  readonly group: GroupIdentity;
  /** 1 for the group's first batch (after `wait`), then one more each `interval` that had changes. */
  readonly number: number;
  /** The members whose state changed since the last batch, oldest change first. */
  readonly changed: readonly GroupMember[];
  /** Every member of the group with its latest state, by name. */
  readonly members: readonly GroupMember[];
  /** The highest severity among the members. */
  readonly severity: Severity;
}
