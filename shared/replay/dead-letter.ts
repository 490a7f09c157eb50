// Dead-letter replay, step 1: what one message of the dead-letter queue is — a failed invocation, an SNS delivery SNS could not make, or neither. Pure.
import type { SNSEvent, SNSMessageAttributes } from 'aws-lambda';
import { REGION_CODE } from '../region';
import { sliceWhole } from '../text';
import { describeIssues } from '../validation';
import * as z from '../zod';

/** The parts of `arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]`. */
export interface FunctionArn {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly name: string;
  /** `$LATEST`, a version or an alias, when the ARN names one. */
  readonly qualifier?: string;
}

const FUNCTION_ARN = new RegExp(`^arn:(aws[\\w-]*):lambda:(${REGION_CODE.source}):(\\d{12}):function:([A-Za-z0-9_-]{1,64})(?::([A-Za-z0-9$_-]{1,128}))?$`);

/** Parses a Lambda function ARN, qualified or not; undefined when it is not one. */
export function parseFunctionArn(arn: string): FunctionArn | undefined {
  const m = FUNCTION_ARN.exec(arn);
  if (!m) return undefined;
  return { partition: m[1]!, region: m[2]!, accountId: m[3]!, name: m[4]!, ...(m[5] ? { qualifier: m[5] } : {}) };
}

/**
 * A Lambda on-failure destination record: an asynchronous invocation that still failed after its
 * retries (`RetriesExhausted`) or waited too long (`EventAgeExceeded`), with the original event.
 */
export interface FailedInvocation {
  readonly kind: 'failed-invocation';
  /** `requestContext.functionArn` as Lambda wrote it (qualified, `…:$LATEST`). */
  readonly functionArn: string;
  /** The parts of `functionArn`; undefined when it is not a function ARN. */
  readonly function?: FunctionArn;
  readonly condition: string;
  readonly attempts?: number;
  /** When Lambda gave up on the event (the record's `timestamp`). */
  readonly failedAt?: string;
  /** What the last attempt threw (`responsePayload`), when it threw. */
  readonly error?: { readonly type?: string; readonly message?: string };
  /** Whether the record holds the original event (`requestPayload`). */
  readonly hasPayload: boolean;
  /** The original event, exactly as the function first received it. */
  readonly payload: unknown;
}

/**
 * A message SNS could not deliver to a subscription (its redrive policy): the notification itself, in
 * SNS's JSON envelope. The subscription it missed is named in its `UnsubscribeURL`.
 */
export interface UndeliveredSnsMessage {
  readonly kind: 'undelivered-sns';
  readonly messageId: string;
  readonly topicArn: string;
  readonly publishedAt?: string;
  /** The subscription that could not be reached; undefined when the envelope does not name it. */
  readonly subscriptionArn?: string;
  /** The event the subscription would have invoked its function with: one record, the same MessageId. */
  readonly event: SNSEvent;
}

/** A message that is neither: shown as it is, never replayed, never deleted. */
export interface UnreadableMessage {
  readonly kind: 'unreadable';
  readonly reason: string;
  /** The start of the body, for the operator to recognise it. */
  readonly excerpt: string;
}

export type DeadLetter = FailedInvocation | UndeliveredSnsMessage | UnreadableMessage;

/** Characters of an unreadable body shown in the listing. */
export const EXCERPT_CHARS = 200;

const invocationRecord = z.looseObject({
  timestamp: z.optional(z.string()),
  requestContext: z.looseObject({
    functionArn: z.string().check(z.minLength(1)),
    condition: z.optional(z.string()),
    approximateInvokeCount: z.optional(z.number()),
  }),
});

const snsEnvelope = z.looseObject({
  Type: z.literal('Notification'),
  MessageId: z.string().check(z.minLength(1)),
  TopicArn: z.string().check(z.minLength(1)),
  Message: z.string(),
  Subject: z.nullish(z.string()),
  Timestamp: z.optional(z.string()),
  SignatureVersion: z.optional(z.string()),
  Signature: z.optional(z.string()),
  SigningCertURL: z.optional(z.string()),
  UnsubscribeURL: z.optional(z.string()),
  MessageAttributes: z.optional(z.record(z.string(), z.looseObject({ Type: z.string(), Value: z.string() }))),
});
type SnsEnvelope = z.infer<typeof snsEnvelope>;

/** Reads one message body of the dead-letter queue. Never throws: what it cannot read is `unreadable`, with why. */
export function readDeadLetter(body: string): DeadLetter {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return unreadable(body, `not JSON (${(error as Error).message})`);
  }
  if (!isObject(json)) return unreadable(body, 'JSON that is not an object');
  if ('requestContext' in json) {
    const parsed = invocationRecord.safeParse(json);
    if (!parsed.success) return unreadable(body, `an incomplete Lambda invocation record: ${describeIssues(parsed.error)}`);
    return failedInvocation(json, parsed.data);
  }
  if (json.Type === 'Notification') {
    const parsed = snsEnvelope.safeParse(json);
    if (!parsed.success) return unreadable(body, `an incomplete SNS notification: ${describeIssues(parsed.error)}`);
    return undeliveredSns(parsed.data);
  }
  return unreadable(body, 'neither a Lambda invocation record (requestContext.functionArn) nor an SNS notification (Type, MessageId, TopicArn, Message)');
}

function failedInvocation(json: Record<string, unknown>, record: z.infer<typeof invocationRecord>): FailedInvocation {
  const { functionArn, condition, approximateInvokeCount } = record.requestContext;
  const fn = parseFunctionArn(functionArn);
  const error = errorOf(json.responsePayload);
  return {
    kind: 'failed-invocation',
    functionArn,
    ...(fn ? { function: fn } : {}),
    condition: condition ?? 'unknown',
    ...(approximateInvokeCount !== undefined ? { attempts: approximateInvokeCount } : {}),
    ...(record.timestamp !== undefined ? { failedAt: record.timestamp } : {}),
    ...(error ? { error } : {}),
    hasPayload: 'requestPayload' in json,
    payload: json.requestPayload,
  };
}

/** `{errorType, errorMessage}` of a function that threw; a string payload is the message. */
function errorOf(payload: unknown): FailedInvocation['error'] {
  if (typeof payload === 'string') return { message: payload };
  if (!isObject(payload)) return undefined;
  const type = typeof payload.errorType === 'string' ? payload.errorType : undefined;
  const message = typeof payload.errorMessage === 'string' ? payload.errorMessage : undefined;
  return type === undefined && message === undefined ? undefined : { ...(type ? { type } : {}), ...(message !== undefined ? { message } : {}) };
}

function undeliveredSns(envelope: SnsEnvelope): UndeliveredSnsMessage {
  const subscriptionArn = subscriptionOf(envelope.UnsubscribeURL);
  const attributes: SNSMessageAttributes = Object.fromEntries(Object.entries(envelope.MessageAttributes ?? {}).map(([name, a]) => [name, { Type: a.Type, Value: a.Value }]));
  // The record Lambda's SNS integration builds from the envelope: the same fields, `Url` where the envelope says `URL`.
  const event: SNSEvent = {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: subscriptionArn ?? '',
        Sns: {
          Type: envelope.Type,
          MessageId: envelope.MessageId,
          TopicArn: envelope.TopicArn,
          ...(typeof envelope.Subject === 'string' ? { Subject: envelope.Subject } : {}),
          Message: envelope.Message,
          Timestamp: envelope.Timestamp ?? '',
          SignatureVersion: envelope.SignatureVersion ?? '',
          Signature: envelope.Signature ?? '',
          SigningCertUrl: envelope.SigningCertURL ?? '',
          UnsubscribeUrl: envelope.UnsubscribeURL ?? '',
          MessageAttributes: attributes,
        },
      },
    ],
  };
  return {
    kind: 'undelivered-sns',
    messageId: envelope.MessageId,
    topicArn: envelope.TopicArn,
    ...(envelope.Timestamp ? { publishedAt: envelope.Timestamp } : {}),
    ...(subscriptionArn ? { subscriptionArn } : {}),
    event,
  };
}

/** The `SubscriptionArn` query parameter of an envelope's UnsubscribeURL. */
function subscriptionOf(unsubscribeUrl: string | undefined): string | undefined {
  if (!unsubscribeUrl) return undefined;
  try {
    return new URL(unsubscribeUrl).searchParams.get('SubscriptionArn') ?? undefined;
  } catch {
    return undefined;
  }
}

const unreadable = (body: string, reason: string): UnreadableMessage => ({ kind: 'unreadable', reason, excerpt: excerpt(body) });

const excerpt = (body: string): string => {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT_CHARS ? `${sliceWhole(flat, EXCERPT_CHARS)}…` : flat;
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
