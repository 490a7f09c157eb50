// Use case: one Slack interaction request on slackActions' Function URL — verified, checked against who may, acknowledged at once; the work itself runs in a second, asynchronous invocation.
import { errorMessage } from '../errors';
import { logger } from '../logger';
import type { SlackAction, SlackAppPolicy } from '../policy/schema';
import type { SlackAppClient } from '../channels/slack-app';
import { ACTION_OF_BUTTON, buttonAction, type ButtonAction } from './buttons';
import type { SlackRequestLedger } from './request-ledger';
import { verifySlackRequest } from './signature';

/** The Lambda Function URL request (payload format 2.0), as far as slackActions reads it. */
export interface FunctionUrlRequest {
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
  readonly requestContext?: { readonly http?: { readonly method?: string } };
}

export interface FunctionUrlResponse {
  readonly statusCode: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string;
}

/** A click that was verified and allowed, handed to the asynchronous invocation that performs it. */
export interface ApprovedClick {
  readonly source: 'firebreak.slack-action';
  readonly action: ButtonAction;
  readonly user: { readonly id: string; readonly name?: string };
  /** Where the parent message is: its thread gets the click. */
  readonly channel?: string;
  readonly threadTs?: string;
  readonly responseUrl?: string;
  readonly at: string;
}

/** One line of the audit trail of the app's buttons: every click, allowed or not. */
export interface ClickAudit {
  readonly at: string;
  readonly user: string;
  readonly action: string;
  readonly alarm?: string;
  readonly outcome: 'allowed' | 'refused' | 'done' | 'failed';
  readonly reason?: string;
}

export interface InteractionDeps {
  readonly policy: SlackAppPolicy;
  readonly signingSecret: () => Promise<string>;
  readonly requests: SlackRequestLedger;
  readonly slack: Pick<SlackAppClient, 'usersOfGroup' | 'respond'>;
  /** Starts the asynchronous invocation that performs the click (Lambda Invoke, InvocationType Event). */
  readonly perform: (click: ApprovedClick) => Promise<void>;
  readonly audit: (entry: ClickAudit) => Promise<void>;
  readonly now: () => Date;
}

const text = (statusCode: number, body: string): FunctionUrlResponse => ({ statusCode, headers: { 'content-type': 'text/plain; charset=utf-8' }, body });
/** Slack wants a 200 within 3 seconds; its body is shown to nobody for a block action. */
const ACKNOWLEDGED = text(200, '');

/** Whether `user` may use `action`: listed by id, or a member of a listed user group. */
export async function mayUse(action: SlackAction, user: string, policy: SlackAppPolicy, slack: Pick<SlackAppClient, 'usersOfGroup'>): Promise<boolean> {
  const allowed = policy.actions[action];
  if (!allowed) return false;
  if (allowed.users.includes(user)) return true;
  for (const group of allowed.groups) {
    if ((await slack.usersOfGroup(group)).includes(user)) return true;
  }
  return false;
}

interface BlockActionsPayload {
  readonly type?: string;
  readonly user?: { readonly id?: string; readonly name?: string; readonly username?: string };
  readonly actions?: readonly { readonly action_id?: string; readonly value?: string }[];
  readonly channel?: { readonly id?: string };
  readonly container?: { readonly message_ts?: string; readonly thread_ts?: string };
  readonly message?: { readonly ts?: string; readonly thread_ts?: string };
  readonly response_url?: string;
}

/**
 * Answers one request. 401 when its signature is not Slack's (a missing or wrong signature, a timestamp
 * more than five minutes off, a body changed after signing) or when the same signed request came before
 * (a replay); 400 when it is not a button click Firebreak knows. Otherwise 200 at once: a user the policy
 * does not list gets an ephemeral refusal, and the attempt is audited; an allowed click is audited and
 * handed to `perform`, which runs it in a second invocation, so Slack's 3 seconds are never at stake.
 */
export async function receiveInteraction(request: FunctionUrlRequest, deps: InteractionDeps): Promise<FunctionUrlResponse> {
  const headers = Object.fromEntries(Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const rawBody = request.isBase64Encoded ? Buffer.from(request.body ?? '', 'base64').toString('utf8') : (request.body ?? '');
  const now = deps.now();
  const signature = headers['x-slack-signature'];
  const verdict = verifySlackRequest({ signingSecret: await deps.signingSecret(), timestamp: headers['x-slack-request-timestamp'], signature, rawBody, now });
  if (!verdict.ok) {
    logger.warn('Slack request refused: not signed by Slack', { reason: verdict.reason });
    return text(401, 'invalid request signature');
  }
  if ((await deps.requests.claim(signature!, now)) === 'replay') {
    logger.warn('Slack request refused: a replay of one already received');
    return text(401, 'request already received');
  }

  let payload: BlockActionsPayload;
  try {
    payload = JSON.parse(new URLSearchParams(rawBody).get('payload') ?? '') as BlockActionsPayload;
  } catch (error) {
    logger.warn('Slack request without a readable payload', { error: errorMessage(error) });
    return text(400, 'no interaction payload');
  }
  const clicked = payload.actions?.[0];
  const userId = payload.user?.id;
  if (payload.type !== 'block_actions' || !clicked?.action_id || !userId) return text(400, 'not a button click');
  if (clicked.action_id === 'runbook') return ACKNOWLEDGED;
  const action = buttonAction(clicked.action_id, clicked.value);
  const policyAction = ACTION_OF_BUTTON[clicked.action_id];
  if ('unknown' in action || !policyAction) {
    logger.warn('Slack click Firebreak does not act on', { actionId: clicked.action_id, reason: 'unknown' in action ? action.unknown : 'no such button' });
    return text(400, 'not a button Firebreak acts on');
  }
  const at = now.toISOString();
  const name = payload.user?.name ?? payload.user?.username;
  if (!(await mayUse(policyAction, userId, deps.policy, deps.slack))) {
    await deps.audit({ at, user: userId, action: clicked.action_id, alarm: action.alarm, outcome: 'refused', reason: `not listed in notify.slackApp.actions.${policyAction}` });
    if (payload.response_url) {
      await deps.slack.respond(payload.response_url, { response_type: 'ephemeral', replace_original: false, text: `You may not ${policyAction === 'silence' ? 'silence alarms' : 'acknowledge pages'} from Slack: the stage policy's notify.slackApp.actions.${policyAction} does not list you. The attempt is recorded.` });
    }
    return ACKNOWLEDGED;
  }
  await deps.audit({ at, user: userId, action: clicked.action_id, alarm: action.alarm, outcome: 'allowed' });
  await deps.perform({
    source: 'firebreak.slack-action',
    action,
    user: { id: userId, ...(name ? { name } : {}) },
    channel: payload.channel?.id,
    threadTs: payload.message?.thread_ts ?? payload.container?.thread_ts ?? payload.message?.ts ?? payload.container?.message_ts,
    responseUrl: payload.response_url,
    at,
  });
  return ACKNOWLEDGED;
}

/** The asynchronous invocation's event. */
export const isApprovedClick = (event: unknown): event is ApprovedClick => (event as { source?: unknown } | null)?.source === 'firebreak.slack-action';
