// Responder ports: what the respond use cases drive — the remediation engine, paging, telling the team, alarm state — and the deps that carry them.
import type { SlackMessage } from '../channels/slack';
import type { AlarmState } from '../alarm/model';
import type { FlagStore } from '../breaker/store';
import type { DeliveryLedger } from '../delivery/ledger';
import type { RemediationOutcome, RemediationRequest } from '../remediation/types';
import type { Diagnostics, MetricsSource } from './diagnose';
import type { ResponderPolicy } from './policy';
import type { IncidentStore } from './timeline';

/**
 * The remediation engine, as the responder uses it: every action of its plan (scaling, opening or
 * closing a breaker) passes the same guards, budgets, dry run and audit trail as any other.
 */
export interface Remediator {
  remediate(request: RemediationRequest): Promise<RemediationOutcome>;
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
  /**
   * `alarm`: what the message is about; in app mode it goes into that alarm's thread. `diagnostics`: what the
   * message's decision read; in app mode the graph of each query goes under it.
   */
  tell(message: SlackMessage, alarm?: string, diagnostics?: Diagnostics): Promise<void>;
}

/** Where an alarm stands now (CloudWatch DescribeAlarms); undefined when it no longer exists. */
export interface AlarmStateSource {
  stateOf(alarmName: string): Promise<AlarmState | undefined>;
}

/** Everything the responder's use cases drive; the composition root supplies the real ones. */
export interface ResponderDeps {
  readonly policy: ResponderPolicy;
  readonly stage: string;
  readonly dryRun: boolean;
  /** Who asks remediation, for its audit trail. */
  readonly requestedBy: string;
  readonly metrics: MetricsSource;
  readonly incidents: IncidentStore;
  /** Read only: whether a breaker is open and when it is due. Every change goes through `remediator`. */
  readonly flags: FlagStore;
  readonly remediator: Remediator;
  readonly pager: Pager;
  readonly team: TeamNotifier;
  readonly alarms: AlarmStateSource;
  /** Per-message, per-channel delivery records (shared with notify's, under a `respond:` message id). */
  readonly deliveries: DeliveryLedger;
  readonly reviewTemplate: () => Promise<string>;
  /** Where people open a stored review draft; undefined when there is no such place. */
  readonly reviewUrl: (incidentId: string) => string | undefined;
  readonly runbookUrl: (alarmName: string) => string | undefined;
  readonly severityOf: (alarmName: string) => string;
  readonly now: () => Date;
}
