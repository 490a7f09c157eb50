// Domain: which silences and maintenance windows hold an alarm at a moment. Pure.
import { matchesAny } from '../policy/routing';
import type { MaintenanceWindow } from '../policy/schema';
import type { Hold, QuietSubject, Silence } from './model';
import { occurrenceAt } from './schedule';

/** Whether a silence covers the alarm at `at`: started, not ended, its patterns match the name, its severities (if any) the severity. */
export function silenceCovers(silence: Silence, subject: QuietSubject, at: Date): boolean {
  const t = at.getTime();
  const start = Date.parse(silence.startsAt);
  const end = Date.parse(silence.endsAt);
  // A stored item whose times do not read (edited by hand) covers nothing: NaN compares false both ways, and loud beats lost.
  if (Number.isNaN(start) || Number.isNaN(end) || t < start || t >= end) return false;
  if (silence.severities && !silence.severities.includes(subject.severity)) return false;
  return matchesAny(silence.alarms, subject.alarmName);
}

/** A silence as a hold. */
export const silenceHold = (s: Silence): Hold => ({
  kind: 'silence',
  id: s.id,
  reason: s.reason,
  by: s.createdBy,
  startsAt: s.startsAt,
  endsAt: s.endsAt,
  pauseRemediation: s.pauseRemediation,
});

/** The occurrence of a window open at `at`, as a hold; undefined when the window is closed then. */
export function windowHold(window: MaintenanceWindow, at: Date): Hold | undefined {
  const occurrence = occurrenceAt({ schedule: window.schedule, timeZone: window.timeZone, durationMs: window.duration }, at);
  if (!occurrence) return undefined;
  return {
    kind: 'window',
    id: `window:${window.name}`,
    name: window.name,
    reason: window.reason,
    by: 'policy',
    startsAt: occurrence.start.toISOString(),
    endsAt: occurrence.end.toISOString(),
    pauseRemediation: window.pauseRemediation,
  };
}

/**
 * Every silence and open window that covers the alarm at `at`, the one that holds longest first (then
 * silences before windows, then by id), so the first is the one a withheld notification names.
 */
export function holdsOn(subject: QuietSubject, at: Date, silences: readonly Silence[], windows: readonly MaintenanceWindow[]): Hold[] {
  const holds: Hold[] = silences.filter((s) => silenceCovers(s, subject, at)).map(silenceHold);
  for (const w of windows) {
    if (w.severity && !w.severity.includes(subject.severity)) continue;
    if (!matchesAny(w.alarms, subject.alarmName)) continue;
    const hold = windowHold(w, at);
    if (hold) holds.push(hold);
  }
  return holds.sort((a, b) => Date.parse(b.endsAt) - Date.parse(a.endsAt) || (a.kind === b.kind ? a.id.localeCompare(b.id) : a.kind === 'silence' ? -1 : 1));
}

/** The hold that pauses remediation for the alarm, if any (the longest-lasting). */
export const pausingHold = (holds: readonly Hold[]): Hold | undefined => holds.find((h) => h.pauseRemediation);
