// Domain: storm control's timing and batches — when a group's next batch is due and what it holds. Pure.
import { createHash } from 'node:crypto';
import type { ChannelName, RouteGroup, Severity } from '../../policy/schema';
import { SEVERITIES } from '../../policy/schema';
import type { GroupBatch, GroupIdentity, GroupMember } from './model';

/** A group's state between batches, as STATE_TABLE holds it. */
export interface GroupHead {
  readonly identity: GroupIdentity;
  /** The grouped channels of the route (those it does not share with an earlier ungrouped route). */
  readonly channels: readonly ChannelName[];
  readonly waitMs: number;
  readonly intervalMs: number;
  /** Epoch ms the next batch is due; absent when nothing waits. */
  readonly dueAt?: number;
  /** Epoch ms of the last batch; absent before the first. */
  readonly lastBatchAt?: number;
  /** Batches delivered so far. */
  readonly batches: number;
  /** Counts joins, so a batch's bookkeeping can tell that a member joined while it was delivered. */
  readonly version: number;
  /** The last batch left every member OK: the next alarm opens a new episode, after `wait`. */
  readonly resolved: boolean;
}

/** A member as stored: `pending` until a batch delivered its latest state. */
export interface StoredMember extends GroupMember {
  readonly pending: boolean;
}

/**
 * When the batch a joining member goes out in is due (Alertmanager's semantics): a new group (or one
 * whose last batch resolved it) waits `wait` for the rest of the storm; a batch already due stays due;
 * otherwise the next batch comes `interval` after the last one, or now if that is past.
 */
export function dueOnJoin(head: GroupHead | undefined, group: Pick<RouteGroup, 'wait' | 'interval'>, now: number): number {
  if (head?.dueAt !== undefined) return head.dueAt;
  if (!head || head.resolved || head.lastBatchAt === undefined) return now + group.wait;
  return Math.max(now, head.lastBatchAt + group.interval);
}

const rank = (s: Severity) => SEVERITIES.indexOf(s);

/** The batch a due group delivers now: its pending members, oldest change first, as loud as its worst firing member; undefined when none is pending. */
export function batchOf(head: GroupHead, members: readonly StoredMember[]): GroupBatch | undefined {
  const changed = members.filter((m) => m.pending).sort((a, b) => a.changedAt.localeCompare(b.changedAt) || a.alarmName.localeCompare(b.alarmName));
  if (changed.length === 0) return undefined;
  const all = [...members].sort((a, b) => a.alarmName.localeCompare(b.alarmName));
  // The firing members decide how loud the batch is: a critical alarm that recovered no longer makes it critical.
  const firing = all.filter((m) => m.state !== 'OK');
  const severity = (firing.length > 0 ? firing : all).map((m) => m.severity).reduce((worst, s) => (rank(s) < rank(worst) ? s : worst), 'info' as Severity);
  const strip = ({ pending: _pending, ...member }: StoredMember): GroupMember => member;
  return { group: head.identity, number: head.batches + 1, changed: changed.map(strip), members: all.map(strip), severity };
}

/** Every member OK: the group's page is resolved and its next alarm starts a new episode. */
export const allRecovered = (members: readonly Pick<GroupMember, 'state'>[]): boolean => members.length > 0 && members.every((m) => m.state === 'OK');

/**
 * The id of a batch in the delivery ledger: the group, the time the batch fell due and what it carries (each
 * changed member and the change). A retry of the same batch has the same id, so a channel that had it is
 * not sent it again; a batch that grew while a channel's failure waited for its retry is a new batch, so
 * the member that joined reaches the channels that had the rest (they see the others again, none is lost).
 */
export function batchDeliveryId(head: Pick<GroupHead, 'identity' | 'dueAt'>, batch: Pick<GroupBatch, 'changed'>): string {
  const carried = createHash('sha256');
  for (const m of batch.changed) carried.update(`${m.alarmName}\u0000${m.changedAt}\u0000`);
  return `group#${head.identity.id}#${head.dueAt ?? 'undue'}#${carried.digest('hex').slice(0, 16)}`;
}
