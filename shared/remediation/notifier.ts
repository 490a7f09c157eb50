// Adapter: tells people why a remediation did not happen.
import { logger } from '../logger';
import type { RefusalNotice, RefusalNotifier } from './types';

/** The text of a refusal notice, the same on every channel. */
export function refusalText(notice: RefusalNotice): string {
  const what = notice.guard === 'in-progress' ? 'did not run: another change is already in progress' : `was refused by the ${notice.guard} guard`;
  return `Firebreak: ${notice.action} on ${notice.target} for ${notice.alarm} (${notice.alarmState}) ${what}. ${notice.reason}`;
}

/** Logs refusals only; used where no notify channel is configured. */
export const loggingRefusalNotifier: RefusalNotifier = {
  async tell(notice) {
    logger.warn(refusalText(notice), { alarm: notice.alarm, target: notice.target, guard: notice.guard, critical: notice.critical });
  },
};
