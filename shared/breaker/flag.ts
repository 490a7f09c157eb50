// Breaker domain: the circuit-breaker flag as stored, and its pure state transitions (open, extend, close).
import * as z from '../zod';
import { InvalidInputError } from '../errors';
import { sliceWhole } from '../text';
import { describeIssues } from '../validation';

/**
 * Characters of a flag's reason that are stored. An SSM String parameter holds at most 4 KB, and a
 * reason can carry every action an incident tried; a longer one would be refused and the flag not written.
 */
export const FLAG_REASON_MAX = 1_000;

/** Minutes an operator's opening holds before re-evaluation, unless `--ttl` says otherwise. */
export const DEFAULT_OPERATOR_TTL_MINUTES = 30;

/** The reason as stored: whole characters, cut with an ellipsis when longer than FLAG_REASON_MAX. */
const storedReason = (reason: string): string => (reason.length <= FLAG_REASON_MAX ? reason : `${sliceWhole(reason, FLAG_REASON_MAX - 1)}…`);

/** The JSON stored in each flag's SSM String parameter; applications read `state`. */
export interface BreakerFlag {
  readonly state: 'open' | 'closed';
  /** Why it was last opened or closed, in words. */
  readonly reason: string;
  /** The alarm that opened it, or null when an operator did. */
  readonly alarm: string | null;
  /** ISO time it was (last) opened; kept when it closes so the history reads. */
  readonly openedAt: string | null;
  /** ISO time an open flag is due for re-evaluation; null when closed. */
  readonly expiresAt: string | null;
}

const isoTime = z.iso.datetime({ offset: true });

const flagSchema = z.object({
  state: z.enum(['open', 'closed']),
  reason: z.string(),
  alarm: z._default(z.nullable(z.string()), null),
  openedAt: z._default(z.nullable(isoTime), null),
  expiresAt: z._default(z.nullable(isoTime), null),
});

/** Parses a stored flag; throws InvalidInputError naming the flag and the bad field. */
export function parseFlag(name: string, json: string): BreakerFlag {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new InvalidInputError(`Breaker flag ${name} is not JSON`, { cause: error });
  }
  const parsed = flagSchema.safeParse(raw);
  if (!parsed.success) {
    throw new InvalidInputError(`Breaker flag ${name} is invalid: ${describeIssues(parsed.error)}`, { cause: parsed.error });
  }
  return parsed.data;
}

/** The stored text of a flag, keys in the contract's order. */
export const serialiseFlag = (flag: BreakerFlag): string =>
  JSON.stringify({ state: flag.state, reason: flag.reason, alarm: flag.alarm, openedAt: flag.openedAt, expiresAt: flag.expiresAt });

/** An open flag whose re-evaluation time has come. */
export const isExpired = (flag: BreakerFlag, now: Date): boolean =>
  flag.state === 'open' && flag.expiresAt !== null && Date.parse(flag.expiresAt) <= now.getTime();

/** What a transition decided: the flag to store, and whether anything needs writing. */
export interface Transition {
  readonly flag: BreakerFlag;
  readonly changed: boolean;
  /** `opened`, `extended` (open and due, re-opened for another period), `closed`, or `unchanged`. */
  readonly kind: 'opened' | 'extended' | 'closed' | 'unchanged';
}

export interface OpenRequest {
  readonly reason: string;
  readonly alarm: string | null;
  readonly ttlMinutes: number;
}

/**
 * Opening is idempotent: an open flag that is not yet due stays exactly as it is. An open flag past
 * its expiry is extended (the first openedAt kept); a closed or missing one is opened.
 */
export function planOpen(current: BreakerFlag | undefined, request: OpenRequest, now: Date): Transition {
  const expiresAt = new Date(now.getTime() + request.ttlMinutes * 60_000).toISOString();
  if (current?.state === 'open' && !isExpired(current, now)) return { flag: current, changed: false, kind: 'unchanged' };
  if (current?.state === 'open') {
    return { flag: { ...current, reason: storedReason(request.reason), expiresAt }, changed: true, kind: 'extended' };
  }
  return {
    flag: { state: 'open', reason: storedReason(request.reason), alarm: request.alarm, openedAt: now.toISOString(), expiresAt },
    changed: true,
    kind: 'opened',
  };
}

/**
 * An open flag looked at again after another `ttlMinutes`: only its due time and reason change, so it
 * stays open with its `openedAt`. A flag that is not open is unchanged: postponing never opens one.
 */
export function planPostpone(current: BreakerFlag | undefined, reason: string, ttlMinutes: number, now: Date): Transition {
  if (current?.state !== 'open') return planClose(current, reason);
  const expiresAt = new Date(now.getTime() + ttlMinutes * 60_000).toISOString();
  return { flag: { ...current, reason: storedReason(reason), expiresAt }, changed: true, kind: 'extended' };
}

/** Closing a missing or closed flag changes nothing; closing an open one keeps its alarm and openedAt. */
export function planClose(current: BreakerFlag | undefined, reason: string): Transition {
  if (!current || current.state === 'closed') {
    return { flag: current ?? { state: 'closed', reason, alarm: null, openedAt: null, expiresAt: null }, changed: false, kind: 'unchanged' };
  }
  return { flag: { ...current, state: 'closed', reason: storedReason(reason), expiresAt: null }, changed: true, kind: 'closed' };
}
