// Breaker use cases: open (idempotent), close and read a flag, planned only under DRY_RUN.
import { logger } from '../logger';
import { planClose, planOpen, planPostpone, type BreakerFlag, type OpenRequest, type Transition } from './flag';
import type { FlagStore } from './store';

export interface BreakerOptions {
  readonly now?: Date;
  /** True: the transition is decided and logged, not written. */
  readonly dryRun?: boolean;
}

/** The outcome of a change request: the transition, and whether it was written. */
export interface BreakerChange extends Transition {
  readonly name: string;
  readonly written: boolean;
}

async function apply(store: FlagStore, name: string, transition: Transition, dryRun: boolean): Promise<BreakerChange> {
  const write = transition.changed && !dryRun;
  if (write) await store.write(name, transition.flag);
  logger.info('Breaker flag transition', { breaker: name, transition: transition.kind, state: transition.flag.state, dryRun, written: write });
  return { ...transition, name, written: write };
}

/** Opens `name`; an open flag not yet due is left alone, so a redelivered alarm writes nothing. */
export async function openBreaker(store: FlagStore, name: string, request: OpenRequest, options: BreakerOptions = {}): Promise<BreakerChange> {
  const current = await store.read(name);
  return apply(store, name, planOpen(current, request, options.now ?? new Date()), options.dryRun ?? false);
}

/** Closes `name` with a reason; closing a closed or missing flag writes nothing. */
export async function closeBreaker(store: FlagStore, name: string, reason: string, options: BreakerOptions = {}): Promise<BreakerChange> {
  const current = await store.read(name);
  return apply(store, name, planClose(current, reason), options.dryRun ?? false);
}

/** The stored flag, or undefined when there is none (applications treat that as closed). */
export const breakerStatus = (store: FlagStore, name: string): Promise<BreakerFlag | undefined> => store.read(name);

/**
 * Moves the re-evaluation time of an open flag, and nothing else: the flag stays open with the same
 * `openedAt`, so applications (which read `state`) see no change. The sweep's bookkeeping when it may
 * not act (the kill switch, a spent budget, a flag no service owns): it looks again after `ttlMinutes`
 * instead of on every run. A flag that is not open is left alone: this never opens or closes one, which
 * only the remediation engine does.
 */
export async function postponeReevaluation(store: FlagStore, name: string, reason: string, ttlMinutes: number, options: BreakerOptions = {}): Promise<BreakerChange> {
  const current = await store.read(name);
  return apply(store, name, planPostpone(current, reason, ttlMinutes, options.now ?? new Date()), options.dryRun ?? false);
}
