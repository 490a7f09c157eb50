// Responder ports: what the respond use case drives — remediation, paging, telling the team, alarm state.
import type { SlackMessage } from '../channels/slack';
import type { AlarmState } from '../alarm/model';
import type { RemediationOutcome, RemediationRequest } from '../remediation/types';

/** The bounded remediation, as the responder uses it: every scaling passes all its guards. */
export interface Remediator {
  remediate(request: RemediationRequest): Promise<RemediationOutcome>;
  /** The global kill switch; when engaged the responder takes no action of its own either (no breaker opening). */
  killSwitch(): Promise<{ readonly engaged: boolean; readonly reason?: string }>;
  /**
   * Takes one unit of the remediation action budgets (per target and global, per window) for opening a
   * breaker, so flag openings count against the same limits as scaling. Only looks under DRY_RUN.
   * `release` gives the unit back when the flag could not be written, as remediation does for a failed action.
   */
  claimBreakerBudget(flag: string): Promise<{ readonly ok: true; release(): Promise<void> } | { readonly ok: false; readonly reason: string }>;
}

/** A page for on-call, shaped after PagerDuty Events API v2. */
export interface PageRequest {
  /** One PagerDuty incident per Firebreak incident: repeated pages merge into it. */
  readonly dedupKey: string;
  readonly summary: string;
  readonly severity: 'critical' | 'error' | 'warning' | 'info';
  /** The service or alarm it is about. */
  readonly source: string;
  readonly component?: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly links: readonly { readonly href: string; readonly text: string }[];
}

/** On-call paging. */
export interface Pager {
  trigger(page: PageRequest): Promise<void>;
  resolve(dedupKey: string, summary: string): Promise<void>;
}

/** Telling the team (Slack). */
export interface TeamNotifier {
  tell(message: SlackMessage): Promise<void>;
}

/** Where an alarm stands now (CloudWatch DescribeAlarms); undefined when it no longer exists. */
export interface AlarmStateSource {
  stateOf(alarmName: string): Promise<AlarmState | undefined>;
}
