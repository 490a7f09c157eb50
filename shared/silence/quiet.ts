// Use case port: what holds an alarm quiet right now — the stored silences and the policy's maintenance windows, read together.
import type { MaintenanceWindow } from '../policy/schema';
import { holdsOn } from './match';
import type { Hold, QuietSubject } from './model';
import type { SilenceStore } from './store';

/** The silences and windows that hold an alarm at a moment, the longest-lasting first. */
export interface Quiet {
  holdsOn(subject: QuietSubject, at: Date): Promise<Hold[]>;
}

/**
 * Quiet over the stored silences (read on every call: a silence added or expired a second ago counts) and
 * the policy's windows. A silence store that cannot be read throws: notify must not guess which pages to withhold.
 */
export function quietOf(silences: Pick<SilenceStore, 'list'>, windows: readonly MaintenanceWindow[]): Quiet {
  return {
    async holdsOn(subject, at) {
      return holdsOn(subject, at, await silences.list(), windows);
    },
  };
}
