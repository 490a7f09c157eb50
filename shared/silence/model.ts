// Domain: what keeps an alarm quiet — an operator's silence or an occurrence of a policy's maintenance window — as one model.
import type { Severity } from '../policy/schema';

/** The longest a silence may last: a silence is a pause, not a way to turn an alarm off. */
export const SILENCE_MAX_MS = 7 * 86_400_000;

/** An operator's silence, as stored in STATE_TABLE. Every field but the optional ones is required to add one. */
export interface Silence {
  /** `sil-` and 10 random base-36 characters. */
  readonly id: string;
  /** Alarm-name patterns (`*` any run of characters), as routes match them; an alarm matching any is covered. */
  readonly alarms: readonly string[];
  /** When set, only alarms of these severities are covered. */
  readonly severities?: readonly Severity[];
  /** ISO-8601. */
  readonly startsAt: string;
  /** ISO-8601; an expired silence's end is when it was expired. */
  readonly endsAt: string;
  readonly reason: string;
  /** Who added it (`--by`): an e-mail address or a name. */
  readonly createdBy: string;
  readonly createdAt: string;
  /** Remediation and the responder's actions for covered alarms are refused while it holds. */
  readonly pauseRemediation: boolean;
  /** Set when an operator ended it before its end. */
  readonly expiredBy?: string;
}

/** One occurrence of a maintenance window: the policy's window, from when to when. */
export interface WindowOccurrence {
  readonly start: Date;
  readonly end: Date;
}

/**
 * What holds an alarm quiet at a moment. Both kinds have the same effect: notifications withheld
 * (a resolve for a page that went out still goes) and, with `pauseRemediation`, actions refused.
 */
export type Hold =
  | {
      readonly kind: 'silence';
      /** The silence's id. */
      readonly id: string;
      readonly reason: string;
      readonly by: string;
      readonly startsAt: string;
      readonly endsAt: string;
      readonly pauseRemediation: boolean;
    }
  | {
      readonly kind: 'window';
      /** `window:<name>`. */
      readonly id: string;
      readonly name: string;
      readonly reason: string;
      readonly by: 'policy';
      readonly startsAt: string;
      readonly endsAt: string;
      readonly pauseRemediation: boolean;
    };

/** The alarm as a hold matches it. */
export interface QuietSubject {
  readonly alarmName: string;
  readonly severity: Severity;
}

/** "silence sil-abc123 (migrating the feature store, by alice@example.com, until 2026-12-06T04:00:00Z)". */
export function describeHold(hold: Hold): string {
  const what = hold.kind === 'silence' ? `silence ${hold.id}` : `maintenance window ${hold.name}`;
  return `${what} (${hold.reason}, by ${hold.by}, until ${hold.endsAt})`;
}
