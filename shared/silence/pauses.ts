// Use case port: whether a silence or maintenance window pauses remediation for an alarm — what the remediation engine's silence guard asks.
import { decideSeverity } from '../policy/routing';
import type { RoutingPolicy } from '../policy/schema';
import { pausingHold } from './match';
import type { Hold } from './model';
import type { Quiet } from './quiet';

/** The hold that pauses remediation for an alarm at a moment, if any. Throws when the silences cannot be read (never act blind). */
export interface RemediationPauses {
  pausing(alarm: { readonly name: string; readonly description?: string }, at: Date): Promise<Hold | undefined>;
}

/** Over the stage's silences and windows, with the alarm's severity decided as notify decides it. */
export function pausesOf(quiet: Quiet, routing: RoutingPolicy): RemediationPauses {
  return {
    async pausing(alarm, at) {
      const { severity } = decideSeverity(routing, alarm.name, alarm.description);
      return pausingHold(await quiet.holdsOn({ alarmName: alarm.name, severity }, at));
    },
  };
}

/** Nothing pauses: a stage with no silences to read (tests that are not about them). */
export const NO_PAUSES: RemediationPauses = { pausing: async () => undefined };
