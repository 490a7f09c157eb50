// Dead-letter replay, step 4: what the operator reads for each message — the function, the error, when, the alarm or log group, and what was done. Pure.
import { sliceWhole } from '../text';
import type { DeadLetter } from './dead-letter';
import { describeEvent, type EventSummary } from './event';
import type { ReplayDecision } from './target';

/** What SQS says of the message itself. */
export interface QueuedMessage {
  readonly messageId: string;
  /** When it was sent to the queue (SQS `SentTimestamp`). */
  readonly sentAt?: string;
  /** How often it was received, this time included (SQS `ApproximateReceiveCount`). */
  readonly receiveCount?: number;
}

/** What became of a message the operator asked to replay. */
export type ReplayOutcome =
  | { readonly kind: 'replayed'; readonly functionName: string; readonly deleted: true }
  | { readonly kind: 'replayed'; readonly functionName: string; readonly deleted: false; readonly why: string }
  | { readonly kind: 'refused'; readonly functionName: string; readonly why: string };

/** Characters of an error message shown; the function's log has the rest. */
export const ERROR_CHARS = 300;
/** Width of the label column: the longest label, `subscription:`, and a space. */
const LABEL = 14;

const line = (label: string, text: string): string => `    ${`${label}:`.padEnd(LABEL)}${text}`;

/** The lines of one message: a heading, then its function, error, time and event. */
export function describeDeadLetter(position: number, letter: DeadLetter, queued: QueuedMessage): string[] {
  switch (letter.kind) {
    case 'failed-invocation': {
      const fn = letter.function;
      const qualifier = fn?.qualifier && fn.qualifier !== '$LATEST' ? ` (version ${fn.qualifier})` : '';
      const attempts = letter.attempts !== undefined ? ` after ${letter.attempts} attempt${letter.attempts === 1 ? '' : 's'}` : '';
      const error = letter.error ? [letter.error.type, letter.error.message && shorten(letter.error.message)].filter(Boolean).join(': ') : '(none recorded)';
      return [
        `[${position}] ${fn?.name ?? letter.functionArn} failed (SQS message ${queued.messageId})`,
        line('function', `${letter.functionArn}${qualifier}`),
        line('when', `${letter.failedAt ?? queued.sentAt ?? 'unknown'}${attempts} (${letter.condition})`),
        line('error', error),
        ...(letter.hasPayload ? describeEventLines(describeEvent(letter.payload)) : [line('event', '(the record holds no requestPayload)')]),
      ];
    }
    case 'undelivered-sns':
      return [
        `[${position}] SNS could not deliver message ${letter.messageId} to a subscription (SQS message ${queued.messageId})`,
        line('topic', letter.topicArn),
        line('subscription', letter.subscriptionArn ?? '(not named)'),
        line('when', `published ${letter.publishedAt ?? 'at an unknown time'}, dead-lettered ${queued.sentAt ?? 'at an unknown time'}`),
        line('error', 'SNS gave up delivering it (the function was unreachable, throttled or refused SNS)'),
        ...describeEventLines(describeEvent(letter.event)),
      ];
    case 'unreadable':
      return [
        `[${position}] unreadable message (SQS message ${queued.messageId})`,
        line('when', `dead-lettered ${queued.sentAt ?? 'at an unknown time'}${queued.receiveCount !== undefined ? `, received ${queued.receiveCount} time${queued.receiveCount === 1 ? '' : 's'}` : ''}`),
        line('why', letter.reason),
        line('body', letter.excerpt || '(empty)'),
      ];
  }
}

/** The line of a message that is only listed: what --yes would do with it, or why it stays. */
export function describePlan(decision: ReplayDecision): string {
  return decision.kind === 'replay'
    ? line('replay', `would re-invoke ${decision.functionName} (${decision.functionKey}) asynchronously with the original event; give --yes to do it`)
    : line('kept', `${decision.reason}; it stays in the queue`);
}

/** The line of a message --yes acted on. */
export function describeOutcome(outcome: ReplayOutcome): string {
  switch (outcome.kind) {
    case 'replayed':
      return outcome.deleted
        ? line('replayed', `${outcome.functionName} accepted the event (202); the message is deleted`)
        : line('replayed', `${outcome.functionName} accepted the event (202), but the message could not be deleted (${outcome.why}): it stays in the queue, and replaying it again is safe (idempotency per channel and action)`);
    case 'refused':
      return line('refused', `${outcome.functionName} did not accept the event (${outcome.why}); the message stays in the queue`);
  }
}

function describeEventLines(event: EventSummary): string[] {
  switch (event.kind) {
    case 'sns':
      return event.messages.map((m) =>
        'alarm' in m
          ? line('alarm', `${m.alarm.name} ${m.alarm.previousState ? `${m.alarm.previousState} -> ` : ''}${m.alarm.state} (SNS message ${m.messageId})`)
          : line('message', `"${m.generic.subject}", not an alarm: ${m.generic.reason} (SNS message ${m.messageId})`),
      );
    case 'logs':
      return [line('log group', `${event.logGroup} (stream ${event.logStream}, ${event.events} event${event.events === 1 ? '' : 's'})`)];
    case 'logs-control':
      return [line('log group', `${event.logGroup} (a control message, no events)`)];
    case 'logs-unreadable':
      return [line('log group', `unknown: a CloudWatch Logs delivery that does not decode (${event.reason})`)];
    case 'schedule':
      return [line('event', `the schedule ${event.rule ?? '(rule not named)'}${event.time ? ` at ${event.time}` : ''}`)];
    case 'unrecognised':
      return [line('event', `unrecognised: ${event.reason}`)];
  }
}

const shorten = (text: string): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > ERROR_CHARS ? `${sliceWhole(flat, ERROR_CHARS)}…` : flat;
};
