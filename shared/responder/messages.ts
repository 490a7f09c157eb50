// Responder formatting (pure): what the team reads in Slack and what on-call gets in a page, with the numbers and the reasoning.
import type { AlarmState } from '../alarm/model';
import type { SlackMessage } from '../channels/slack';
import { safeSlackText, SLACK_LIMITS } from '../channels/slack-text';
import { sliceWhole } from '../text';
import type { RemediationAction } from '../remediation/policy';
import type { RemediationOutcome } from '../remediation/types';
import { describeScale, type Decision } from './decide';
import type { Diagnostics, MetricReading } from './diagnose';
import type { PageRequest } from './ports';

/** One action of the responder's plan and what the remediation engine made of it (or the error it threw). */
export interface ActionRecord {
  readonly request: RemediationAction;
  readonly outcome?: RemediationOutcome;
  readonly error?: string;
}

/** Everything a responder run knew and did: the input of every message. */
export interface ResponseReport {
  readonly service: string;
  readonly alarm: { readonly name: string; readonly state: AlarmState; readonly reason?: string };
  readonly incidentId: string;
  /** `alarm`: a notification arrived; `breaker-expired`: an open flag came due and was re-evaluated. */
  readonly trigger: 'alarm' | 'breaker-expired';
  readonly diagnostics: Diagnostics;
  readonly decision: Decision;
  readonly actions: readonly ActionRecord[];
  /** Set when the responder did not act as decided: why (kill switch, its own breaker). */
  readonly heldBack?: string;
  readonly dryRun: boolean;
  readonly runbookUrl?: string;
}

const fmt = (n: number | undefined): string => (n === undefined ? 'n/a' : Number.isInteger(n) ? String(n) : n.toFixed(2));

/** `RetailPrediction-HighErrorRate (alarm metric): 62.5 (max 70, 10 points)` or `… : no datapoints`. */
export function describeReading(r: MetricReading): string {
  if (r.points === 0) return `${r.label}: no datapoints`;
  return `${r.label}: ${fmt(r.latest)}${r.unit ? ` ${r.unit}` : ''} (max ${fmt(r.max)}, ${r.points} points)`;
}

/** What an action asks, in words: `scale node group ng +1`, `open breaker api`. */
export function describeRequest(a: RemediationAction): string {
  switch (a.kind) {
    case 'open-breaker':
      return `open breaker ${a.target}`;
    case 'close-breaker':
      return `close breaker ${a.target}`;
    case 'restart-deployment':
      return `restart deployment ${a.target}`;
    default:
      return `scale ${describeScale(a)}`;
  }
}

/** `scale node group ng +1: done (2 → 3)`, `open breaker api: opened, re-evaluated at …`, with refusals and errors spelled out. */
export function describeAction(a: ActionRecord): string {
  const what = describeRequest(a.request);
  if (a.error) return `${what}: failed: ${a.error}`;
  const o = a.outcome;
  if (!o) return `${what}: not attempted`;
  const isBreaker = a.request.kind === 'open-breaker' || a.request.kind === 'close-breaker';
  const levels = !isBreaker && o.status !== 'duplicate' && o.before !== undefined && o.after !== undefined ? ` (${o.before} → ${o.after})` : '';
  switch (o.status) {
    case 'done':
      return isBreaker ? `${what}: ${o.detail ?? 'done'}` : `${what}: done${levels}`;
    case 'dry-run':
      return `${what}: ${o.plan}`;
    case 'refused':
      return `${what}: refused by ${o.guard}: ${o.reason}`;
    case 'in-progress':
      return `${what}: another change is in progress: ${o.reason}`;
    case 'unchanged':
      return `${what}: ${o.reason}`;
    case 'duplicate':
      return `${what}: already handled for this message`;
  }
}

/** A Slack message of one line of our own text (the sweep's notes). */
export function plainMessage(text: string): SlackMessage {
  const safe = safeSlackText(text, SLACK_LIMITS.sectionText);
  return { text: safe, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: safe } }] };
}

const ACTION_TITLES: Record<Decision['action'], string> = {
  scale: 'scaling',
  'open-breaker': 'opening the circuit breaker',
  page: 'paging on-call',
};

/** The Slack message for a decision: numbers, reasoning, what was done. */
export function decisionMessage(r: ResponseReport): SlackMessage {
  const title = `${r.heldBack ? 'Held back from' : 'Responder:'} ${ACTION_TITLES[r.decision.action]} — ${r.service}${r.dryRun ? ' (dry run)' : ''}`;
  const why = r.trigger === 'breaker-expired' ? `Breaker came due for re-evaluation while ${r.alarm.name} is ${r.alarm.state}.` : `${r.alarm.name} is ${r.alarm.state}.`;
  const lines = [
    why,
    `*Decision* (${r.decision.rule}): ${r.decision.reasoning}`,
    ...(r.heldBack ? [`*Held back:* ${r.heldBack}`] : []),
    ...(r.actions.length > 0 ? ['*Actions:*', ...r.actions.map((a) => `• ${describeAction(a)}`)] : []),
  ];
  return slackMessage(title, lines, r.diagnostics, r.incidentId, r.runbookUrl);
}

/** The Slack message when the incident resolves, linking the review draft. */
export function resolvedMessage(input: {
  service: string;
  alarm: string;
  incidentId: string;
  diagnostics: Diagnostics;
  breaker?: string;
  reviewUrl?: string;
  duration: string;
  actionCount: number;
  runbookUrl?: string;
}): SlackMessage {
  const lines = [
    `${input.alarm} is OK after ${input.duration}; the responder acted ${input.actionCount} time(s).`,
    ...(input.breaker ? [`*Breaker:* ${input.breaker}`] : []),
    ...(input.reviewUrl ? [] : [`*Post-incident review draft:* stored with incident ${input.incidentId} (sk review)`]),
  ];
  const links = input.reviewUrl ? [`*Post-incident review draft:* <${input.reviewUrl}|open the draft>`] : [];
  return slackMessage(`Resolved — ${input.service}`, lines, input.diagnostics, input.incidentId, input.runbookUrl, links);
}

/** Every line is escaped (alarm text and API errors come from outside); only our own `links` keep Slack link syntax. */
function slackMessage(title: string, lines: string[], d: Diagnostics, incidentId: string, runbookUrl?: string, links: string[] = []): SlackMessage {
  const readings = d.readings.map(describeReading);
  const context = [`incident \`${safeSlackText(incidentId, 200)}\``, `window ${d.from} – ${d.to}`, ...(runbookUrl ? [`<${runbookUrl}|runbook>`] : [])].join(' · ');
  const linkText = links.join('\n');
  const body = [safeSlackText(lines.join('\n'), SLACK_LIMITS.sectionText - linkText.length - 1), ...(linkText ? [linkText] : [])].join('\n');
  return {
    text: safeSlackText(`${title}: ${lines.join(' ')}`, SLACK_LIMITS.fallbackText),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: title.slice(0, SLACK_LIMITS.headerText) } },
      { type: 'section', text: { type: 'mrkdwn', text: body } },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: safeSlackText(readings.length > 0 ? readings.join('\n') : 'no queries', SLACK_LIMITS.sectionText) },
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: context.slice(0, SLACK_LIMITS.contextElementText) }] },
    ],
  };
}

/** PagerDuty keeps summaries to 1024 characters. */
export const PAGE_SUMMARY_LIMIT = 1024;

/** The page for a decision (page, or an action held back or refused), with the diagnostics. */
export function pageFor(r: ResponseReport, summary: string): PageRequest {
  return {
    dedupKey: r.incidentId,
    // Cut between characters: half an emoji would leave a lone surrogate in the event's JSON.
    summary: sliceWhole(summary, PAGE_SUMMARY_LIMIT),
    severity: 'critical',
    source: r.service,
    component: r.alarm.name,
    details: {
      alarm: r.alarm.name,
      state: r.alarm.state,
      incident: r.incidentId,
      decision: r.decision.rule,
      reasoning: r.decision.reasoning,
      ...(r.heldBack ? { heldBack: r.heldBack } : {}),
      diagnostics: r.diagnostics.readings.map(describeReading),
      window: `${r.diagnostics.from} – ${r.diagnostics.to}`,
      actions: r.actions.map(describeAction),
    },
    links: r.runbookUrl ? [{ href: r.runbookUrl, text: `Runbook for ${r.alarm.name}` }] : [],
  };
}
