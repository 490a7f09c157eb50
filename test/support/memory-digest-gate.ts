// Test support: the digest gate's port in memory, with the DynamoDB gate's rules (shared/logs/digest-gate.ts), for
// forwardLogs tests. The DynamoDB gate itself is proved against the emulator in test/system/contract/digest-gate.test.ts.
import type { DigestGate } from '../../shared/logs/digest-gate';

/** Per log group: when the last digest went out (epoch ms, 0 once released) and the errors held back since. */
export function memoryDigestGate(): DigestGate & { readonly groups: Map<string, { sentAt: number; suppressedErrors: number }> } {
  const groups = new Map<string, { sentAt: number; suppressedErrors: number }>();
  return {
    groups,
    async tryOpen(logGroup, errors, minIntervalSeconds, now) {
      const item = groups.get(logGroup);
      if (item && item.sentAt > now - minIntervalSeconds * 1000) {
        item.suppressedErrors += errors;
        return { open: false };
      }
      const suppressedErrors = item?.suppressedErrors ?? 0;
      groups.set(logGroup, { sentAt: now, suppressedErrors: 0 });
      return { open: true, suppressedErrors, openedAt: now };
    },
    async release(logGroup, decision) {
      const item = groups.get(logGroup);
      // Someone else opened the gate since: their digest is the one that counts.
      if (!item || item.sentAt !== decision.openedAt) return;
      item.sentAt = 0;
      item.suppressedErrors += decision.suppressedErrors;
    },
  };
}
