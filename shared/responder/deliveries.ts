// Responder: what it tells and pages, each channel at most once per SNS message, and never lost.
import { errorMessage, PartialDeliveryError } from '../errors';
import type { ChannelName } from '../policy/schema';
import type { ResponderDeps } from './ports';

/** A delivery that must not be lost. */
export interface Delivery {
  readonly channel: ChannelName;
  readonly run: () => Promise<void>;
}

/**
 * Runs every delivery, then fails the invocation if any failed. With a `deliveryId` (the SNS message),
 * each channel is claimed in the delivery ledger first, so Lambda's retry does not send again what
 * already went out.
 */
export async function deliverAll(deliveries: readonly Delivery[], deps: Pick<ResponderDeps, 'deliveries'>, deliveryId?: string): Promise<void> {
  const once = async (d: Delivery): Promise<void> => {
    if (deliveryId === undefined) return d.run();
    const claim = await deps.deliveries.claim(deliveryId, d.channel);
    if (claim === 'already-delivered') return;
    // Another invocation holds the claim: failing (not skipping) makes the retry find it delivered or take it over.
    if (claim === 'in-flight') throw new Error(`${d.channel}: another invocation is delivering this message right now`);
    try {
      await d.run();
    } catch (error) {
      await deps.deliveries.release(deliveryId, d.channel, errorMessage(error));
      throw error;
    }
    await deps.deliveries.markDelivered(deliveryId, d.channel);
  };
  const settled = await Promise.allSettled(deliveries.map(once));
  const failures = settled.flatMap((s, i) =>
    s.status === 'rejected' ? [{ channel: deliveries[i]?.channel ?? 'unknown', error: s.reason instanceof Error ? s.reason : new Error(String(s.reason)) }] : [],
  );
  if (failures.length > 0) throw new PartialDeliveryError(failures);
}
