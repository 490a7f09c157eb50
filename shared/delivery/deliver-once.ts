// Delivery: each channel of one message sent at most once, across duplicates and Lambda's retries, through the delivery ledger.
import { DeliveryError, errorMessage, InvocationFailedError } from '../errors';
import type { ChannelName } from '../policy/schema';
import type { DeliveryLedger } from './ledger';

/** One send to one channel; throws when it could not deliver (after its own retries). */
export interface ChannelDelivery {
  readonly channel: ChannelName;
  readonly send: () => Promise<void>;
}

/** Where a message's deliveries are recorded: the ledger, and the id that stays the same on every retry of the message. */
export interface DeliveryRecord {
  readonly ledger: DeliveryLedger;
  /** The SNS MessageId, or an id derived from it (`<id>#superseded`), so a redelivery finds what was sent. */
  readonly messageId: string;
}

/** What became of one channel's delivery. */
export type DeliveryResult =
  | { readonly channel: ChannelName; readonly status: 'delivered' | 'already-delivered' }
  | { readonly channel: ChannelName; readonly status: 'failed'; readonly detail: string; readonly error: unknown };

/** Why a channel whose claim another invocation holds fails here rather than being skipped. */
export const IN_FLIGHT = 'another invocation is delivering this message right now; will check again on retry';

/**
 * Sends `delivery` unless the ledger says it went out already: claim, then send; on success mark it
 * delivered, on failure release the claim so the next attempt may send. A claim another invocation
 * holds throws (retryable): skipping it could lose the message if that invocation dies, failing means
 * Lambda's retry finds it delivered or takes it over once the lease ends. Without a `record`, sends.
 */
export async function deliverOnce(delivery: ChannelDelivery, record?: DeliveryRecord): Promise<'delivered' | 'already-delivered'> {
  if (record === undefined) {
    await delivery.send();
    return 'delivered';
  }
  const { ledger, messageId } = record;
  const { channel } = delivery;
  const claim = await ledger.claim(messageId, channel);
  if (claim === 'already-delivered') return claim;
  if (claim === 'in-flight') throw new DeliveryError(IN_FLIGHT, { retryable: true });
  try {
    await delivery.send();
  } catch (error) {
    const released = await ledger.release(messageId, channel, errorMessage(error)).then(
      () => undefined,
      (releaseError: unknown) => releaseError,
    );
    // Report the delivery failure first; a failure to record it only delays the retry's claim.
    if (released !== undefined) throw new Error(`${errorMessage(error)} (recording the failure also failed: ${errorMessage(released)})`, { cause: error });
    throw error;
  }
  await ledger.markDelivered(messageId, channel);
  return 'delivered';
}

/**
 * Every delivery at once, each through {@link deliverOnce} (so with a `record`, each channel at most once
 * for the message); reports each outcome in the given order and never throws.
 */
export async function deliverEach(deliveries: readonly ChannelDelivery[], record?: DeliveryRecord): Promise<DeliveryResult[]> {
  const settled = await Promise.allSettled(deliveries.map((d) => deliverOnce(d, record)));
  return settled.map((s, i): DeliveryResult => {
    const channel = deliveries[i]!.channel;
    return s.status === 'fulfilled' ? { channel, status: s.value } : { channel, status: 'failed', detail: errorMessage(s.reason), error: s.reason };
  });
}

/**
 * Every delivery at once, as {@link deliverEach} does; once all were tried, throws
 * InvocationFailedError naming each channel that failed (one in flight elsewhere included), so Lambda
 * retries and the retry sends only what is missing.
 */
export async function deliverAll(deliveries: readonly ChannelDelivery[], record?: DeliveryRecord): Promise<void> {
  const results = await deliverEach(deliveries, record);
  const failures = results.flatMap((r) => (r.status === 'failed' ? [{ what: r.channel, error: r.error }] : []));
  if (failures.length > 0) throw new InvocationFailedError(failures, { succeeded: results.filter((r) => r.status !== 'failed') });
}
