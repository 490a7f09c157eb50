// Domain: what Slack is told about silences and maintenance windows — added, ending in 15 minutes, ended; a window opening and closing. Pure.
import { formatDuration } from '../duration';
import type { MaintenanceWindow } from '../policy/schema';
import type { Silence } from './model';
import { occurrenceAt, occurrencesStarting } from './schedule';

/** How long before a silence ends Slack is told it is about to. */
export const ENDING_NOTICE_MS = 15 * 60_000;
/** An announcement not made within this long of its moment (notify's schedule was off, the stage was deployed later) is dropped: old news misleads. */
export const ANNOUNCE_WITHIN_MS = 60 * 60_000;

export type AnnouncementKind = 'silence-added' | 'silence-ending' | 'silence-ended' | 'window-opened' | 'window-closed';

/** One thing to tell Slack, once: `id` is its key in the delivery ledger. */
export interface Announcement {
  readonly id: string;
  readonly kind: AnnouncementKind;
  /** The silence's id or `window:<name>`. */
  readonly holdId: string;
  readonly text: string;
  /** For a closing window: when this occurrence opened, so what it held back is counted from then. */
  readonly since?: string;
}

const covers = (alarms: readonly string[], severities?: readonly string[]) =>
  `${alarms.map((a) => `\`${a}\``).join(', ')}${severities ? ` (severity ${severities.join(', ')})` : ''}`;

const pauses = (pause: boolean) => (pause ? ' Remediation is paused for these alarms.' : ' Remediation goes on.');

/** Every announcement due at `now` about the silences: each once (the ledger sees to that), each within ANNOUNCE_WITHIN_MS of its moment. */
export function silenceAnnouncements(silences: readonly Silence[], now: Date): Announcement[] {
  const t = now.getTime();
  const due = (at: number) => at <= t && t - at < ANNOUNCE_WITHIN_MS;
  const out: Announcement[] = [];
  for (const s of silences) {
    const end = Date.parse(s.endsAt);
    const start = Date.parse(s.startsAt);
    const base = { holdId: s.id };
    if (due(Date.parse(s.createdAt)) && t < end) {
      const from = start > t ? ` from ${s.startsAt}` : '';
      out.push({
        ...base,
        id: `announce#${s.id}#added`,
        kind: 'silence-added',
        text: `:mute: Silence ${s.id} added by ${s.createdBy}: ${covers(s.alarms, s.severities)}${from} until ${s.endsAt} (${formatDuration(end - Math.max(start, t))}). Reason: ${s.reason}.${pauses(s.pauseRemediation)}`,
      });
    }
    // A silence shorter than the notice has its end in its added message already.
    if (!s.expiredBy && end - ENDING_NOTICE_MS >= start && due(end - ENDING_NOTICE_MS) && t < end) {
      out.push({ ...base, id: `announce#${s.id}#ending`, kind: 'silence-ending', text: `:hourglass_flowing_sand: Silence ${s.id} (${s.reason}) ends at ${s.endsAt}, in ${formatDuration(end - t)}: ${covers(s.alarms, s.severities)} will notify again.` });
    }
    if (due(end)) {
      const how = s.expiredBy ? `was expired by ${s.expiredBy}` : 'ended';
      out.push({ ...base, id: `announce#${s.id}#ended`, kind: 'silence-ended', text: `:loud_sound: Silence ${s.id} (${s.reason}) ${how} at ${s.endsAt}: ${covers(s.alarms, s.severities)} notify again.` });
    }
  }
  return out;
}

/** Every opening and closing of a maintenance window due at `now`, each within ANNOUNCE_WITHIN_MS of its moment. */
export function windowAnnouncements(windows: readonly MaintenanceWindow[], now: Date): Announcement[] {
  const t = now.getTime();
  const out: Announcement[] = [];
  for (const w of windows) {
    const schedule = { schedule: w.schedule, timeZone: w.timeZone, durationMs: w.duration };
    const from = new Date(t - w.duration - ANNOUNCE_WITHIN_MS);
    for (const o of occurrencesStarting(schedule, from, new Date(t + 1))) {
      const start = o.start.getTime();
      const end = o.end.getTime();
      const holdId = `window:${w.name}`;
      if (start <= t && t - start < ANNOUNCE_WITHIN_MS && t < end) {
        out.push({
          id: `announce#${holdId}#${o.start.toISOString()}#opened`,
          kind: 'window-opened',
          holdId,
          text: `:construction: Maintenance window ${w.name} is open until ${o.end.toISOString()} (${formatDuration(w.duration)}): ${covers(w.alarms, w.severity)} are silenced. Reason: ${w.reason}.${pauses(w.pauseRemediation)}`,
        });
      }
      // Occurrences that overlap (hourly, two hours long) close once, when the last of them does.
      if (end <= t && t - end < ANNOUNCE_WITHIN_MS && !occurrenceAt(schedule, o.end)) {
        out.push({ id: `announce#${holdId}#${o.start.toISOString()}#closed`, kind: 'window-closed', holdId, since: o.start.toISOString(), text: `:white_check_mark: Maintenance window ${w.name} closed at ${o.end.toISOString()}: ${covers(w.alarms, w.severity)} notify again.` });
      }
    }
  }
  return out;
}
