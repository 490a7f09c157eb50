// Use case: an allowed click, performed in slackActions' asynchronous invocation — acknowledge the page or add the silence — then told in the alarm's thread.
import type { SlackAppClient } from '../channels/slack-app';
import type { PagerDutyClient } from '../channels/clients';
import { errorMessage } from '../errors';
import { newSilenceId, type SilenceStore } from '../silence/store';
import type { ApprovedClick, ClickAudit } from './interaction';

export interface PerformDeps {
  readonly pagerduty: PagerDutyClient;
  readonly silences: Pick<SilenceStore, 'add'>;
  readonly slack: Pick<SlackAppClient, 'post' | 'respond'>;
  readonly audit: (entry: ClickAudit) => Promise<void>;
  readonly newId?: () => string;
  /** When the click was performed: its audit entry's time, after the `allowed` one the click's request wrote. */
  readonly now?: () => Date;
}

/** What the click did, in the words the thread gets. */
export interface Performed {
  readonly outcome: 'done' | 'failed';
  readonly text: string;
}

/**
 * Performs the click: Acknowledge sends PagerDuty's `acknowledge` for the alarm's dedup_key; Silence adds a
 * silence of the alarm from the click on, for the hours the button says, by the Slack user (audited as any
 * silence is). The thread is told who did what either way; a failure is told too and then thrown, so
 * Lambda retries the invocation and its dead-letter queue keeps it.
 */
export async function performClick(click: ApprovedClick, deps: PerformDeps): Promise<Performed> {
  const who = `<@${click.user.id}>`;
  const by = `slack:${click.user.id}${click.user.name ? ` (${click.user.name})` : ''}`;
  let performed: Performed;
  let failure: unknown;
  try {
    if (click.action.kind === 'acknowledge') {
      await deps.pagerduty.send({ event_action: 'acknowledge', dedup_key: click.action.dedupKey });
      performed = { outcome: 'done', text: `${who} acknowledged the page for ${click.action.alarm}.` };
    } else {
      const start = new Date(click.at);
      const end = new Date(start.getTime() + click.action.hours * 3_600_000);
      const id = (deps.newId ?? newSilenceId)();
      await deps.silences.add({
        id,
        alarms: [click.action.alarm],
        startsAt: start.toISOString(),
        endsAt: end.toISOString(),
        reason: `silenced from Slack by ${click.user.name ?? click.user.id}`,
        createdBy: by,
        createdAt: start.toISOString(),
        pauseRemediation: false,
      });
      performed = { outcome: 'done', text: `${who} silenced ${click.action.alarm} for ${click.action.hours} h (silence ${id}, until ${end.toISOString()}). Remediation goes on.` };
    }
  } catch (error) {
    failure = error;
    performed = { outcome: 'failed', text: `${who} asked to ${click.action.kind} ${click.action.alarm}, and it failed: ${errorMessage(error)}. It will be tried again.` };
  }
  await deps.audit({ at: (deps.now?.() ?? new Date()).toISOString(), user: click.user.id, action: click.action.kind, alarm: click.action.alarm, outcome: performed.outcome, reason: failure === undefined ? undefined : errorMessage(failure) });
  if (click.channel && click.threadTs) await deps.slack.post(click.channel, { text: performed.text }, click.threadTs);
  else if (click.responseUrl) await deps.slack.respond(click.responseUrl, { response_type: 'in_channel', replace_original: false, text: performed.text });
  if (failure !== undefined) throw failure;
  return performed;
}
