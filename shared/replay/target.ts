// Dead-letter replay, step 3: which function of the stage a dead letter goes back to, with which event, or why it stays in the queue. Pure.
import { parseFunctionArn, type DeadLetter } from './dead-letter';
import type { StageFunctions } from './stage';

/** Where replays may go: the stage's own functions, in the queue's region and account. */
export interface ReplayScope {
  readonly stage: string;
  readonly region: string;
  /** The account the queue belongs to (from its URL); undefined when the URL does not say. */
  readonly accountId?: string;
  readonly functions: StageFunctions;
}

/** For a message SNS could not deliver: the endpoint of the subscription it missed, as SNS states it, or why that is not known. */
export type SubscriptionEndpoint = { readonly arn: string } | { readonly unknown: string };

export type ReplayDecision =
  | { readonly kind: 'replay'; readonly functionName: string; readonly functionKey: string; readonly payload: unknown }
  | { readonly kind: 'keep'; readonly reason: string };

/**
 * Decides what replaying `letter` means: re-invoking one of the stage's functions with the event it
 * failed on (a failed invocation's `requestPayload`; for an SNS message, the record its subscription
 * would have delivered), or keeping it, with the reason. A function outside the stage, its region or
 * its account is never invoked.
 */
export function decideReplay(letter: DeadLetter, scope: ReplayScope, subscription?: SubscriptionEndpoint): ReplayDecision {
  switch (letter.kind) {
    case 'unreadable':
      return { kind: 'keep', reason: 'not a dead letter this stack writes, so there is nothing to replay it to' };
    case 'failed-invocation':
      if (!letter.hasPayload) return { kind: 'keep', reason: 'the record holds no requestPayload: there is no event to replay' };
      return toFunction(letter.functionArn, scope, letter.payload);
    case 'undelivered-sns':
      if (!subscription) return { kind: 'keep', reason: 'the notification names no subscription (UnsubscribeURL): which function missed it is unknown' };
      if ('unknown' in subscription) return { kind: 'keep', reason: subscription.unknown };
      return toFunction(subscription.arn, scope, letter.event);
  }
}

function toFunction(arn: string, scope: ReplayScope, payload: unknown): ReplayDecision {
  const fn = parseFunctionArn(arn);
  if (!fn) return { kind: 'keep', reason: `${arn} is not a Lambda function ARN: refused` };
  if (fn.region !== scope.region) return { kind: 'keep', reason: `${fn.name} is in ${fn.region}, not ${scope.region} where stage ${scope.stage} is: refused` };
  if (scope.accountId !== undefined && fn.accountId !== scope.accountId) {
    return { kind: 'keep', reason: `${fn.name} belongs to account ${fn.accountId}, not ${scope.accountId} where the queue is: refused` };
  }
  const key = scope.functions.get(fn.name);
  if (key === undefined) return { kind: 'keep', reason: `${fn.name} is not a function of stage ${scope.stage} (${[...scope.functions.keys()].join(', ')}): refused` };
  return { kind: 'replay', functionName: fn.name, functionKey: key, payload };
}
