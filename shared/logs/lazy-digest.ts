// Wiring support: the digest's adapters as a DigestDelivery that loads the real ones the first time a digest is to be sent.
import { loadOnce } from '../load-once';
import type { DigestDelivery } from './forward';

/**
 * A DigestDelivery whose real one is loaded on its first use (`load` is typically an `import()` of the
 * module that wires the AWS SDK), so a batch with no digest to send never evaluates the SDK. The loaded
 * delivery is kept for the container; a failed load is not, so the next batch tries again.
 */
export function lazyDigestDelivery(load: () => Promise<DigestDelivery>): DigestDelivery {
  const delivery = loadOnce(load);
  return {
    gate: {
      tryOpen: async (logGroup, errors, minIntervalSeconds, now) => (await delivery()).gate.tryOpen(logGroup, errors, minIntervalSeconds, now),
      release: async (logGroup, decision) => (await delivery()).gate.release(logGroup, decision),
    },
    post: async (message) => (await delivery()).post(message),
  };
}
