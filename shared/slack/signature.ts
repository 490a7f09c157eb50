// Domain: is an interaction request really from Slack? Slack's v0 request signature, checked before slackActions reads the body. Pure.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far, in seconds, a request's X-Slack-Request-Timestamp may be from now in either direction (Slack's documented five minutes). */
export const SLACK_REQUEST_MAX_AGE_S = 300;

/** The only signature version Slack sends: the header reads `v0=<hex>`. */
const VERSION = 'v0';
/** `v0=` and a hex SHA-256: the length of every signature Slack sends. */
const SIGNATURE_LENGTH = `${VERSION}=`.length + 64;
/** Epoch seconds as Slack sends them: digits only (no sign, no fraction, no exponent). */
const EPOCH_SECONDS = /^\d{1,15}$/;
/** A header value quoted into a reason is cut to this many characters: the reason is logged, and the header is the caller's. */
const QUOTED_MAX = 40;

/** What one request carries for its verification: both headers as received, and the body exactly as sent. */
export interface SlackRequestToVerify {
  /** The app's signing secret (Basic Information → App Credentials in Slack). */
  readonly signingSecret: string;
  /** X-Slack-Request-Timestamp, or undefined when the request had none. */
  readonly timestamp: string | undefined;
  /** X-Slack-Signature, or undefined when the request had none. */
  readonly signature: string | undefined;
  /** The body before any decoding (form-urlencoded for interactions): a parsed and re-encoded body signs differently. */
  readonly rawBody: string;
  readonly now: Date;
}

/** The verdict: from Slack, or refused with a reason for the log (never for the caller, who learns only that it was refused). */
export type SlackVerification = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * `v0=<hex>`: HMAC-SHA256 under `signingSecret` of `v0:<timestamp>:<rawBody>`, as Slack signs a request.
 * For tests and the sandbox, which sign requests as Slack would; and for the check itself.
 */
export function signSlackRequest(signingSecret: string, timestamp: string, rawBody: string): string {
  const hex = createHmac('sha256', signingSecret).update(`${VERSION}:${timestamp}:${rawBody}`, 'utf8').digest('hex');
  return `${VERSION}=${hex}`;
}

/**
 * Checks a request against Slack's v0 scheme: both headers present, the timestamp epoch seconds within
 * {@link SLACK_REQUEST_MAX_AGE_S} of `now` (either way), and the signature that of this timestamp and body under
 * the signing secret, compared in constant time. Never throws; a refusal names what was wrong.
 * It does not catch a replay inside the window: the caller claims the signature in a `SlackRequestLedger` for that.
 */
export function verifySlackRequest(input: SlackRequestToVerify): SlackVerification {
  const { signingSecret, timestamp, signature, rawBody, now } = input;
  // An empty secret would make every request's signature one anybody can compute.
  if (signingSecret === '') return refuse('no signing secret configured');
  if (signature === undefined || signature === '') return refuse('no X-Slack-Signature header');
  if (timestamp === undefined || timestamp === '') return refuse('no X-Slack-Request-Timestamp header');
  if (!EPOCH_SECONDS.test(timestamp)) return refuse(`X-Slack-Request-Timestamp ${quoted(timestamp)} is not an integer`);

  const ageS = Math.floor(now.getTime() / 1000) - Number(timestamp);
  if (ageS > SLACK_REQUEST_MAX_AGE_S) return refuse(`timestamp ${timestamp} is ${ageS} s old: more than ${SLACK_REQUEST_MAX_AGE_S} s`);
  if (-ageS > SLACK_REQUEST_MAX_AGE_S) return refuse(`timestamp ${timestamp} is ${-ageS} s ahead: more than ${SLACK_REQUEST_MAX_AGE_S} s`);

  if (!signature.startsWith(`${VERSION}=`)) return refuse(`X-Slack-Signature ${quoted(signature)} is not a ${VERSION} signature`);
  const expected = Buffer.from(signSlackRequest(signingSecret, timestamp, rawBody), 'utf8');
  const received = Buffer.from(signature, 'utf8');
  // timingSafeEqual throws on buffers of different lengths; a wrong length is a refusal like any other mismatch.
  if (received.length !== expected.length) return refuse(`X-Slack-Signature has ${received.length} bytes, not ${SIGNATURE_LENGTH}`);
  if (!timingSafeEqual(received, expected)) return refuse('signature does not match');
  return { ok: true };
}

const refuse = (reason: string): SlackVerification => ({ ok: false, reason });

/** A header value for a reason: JSON-quoted (control characters escaped) and cut short. */
const quoted = (value: string): string => JSON.stringify(value.length > QUOTED_MAX ? `${value.slice(0, QUOTED_MAX)}…` : value);
