// System suite: the account's clock. Alarm windows are minutes long; rather than wait, the suite moves one clock
// forward that the workload, the alarm evaluation and every function process read alike.
/** Where the clock starts, behind the wall clock: the emulator accepts log events up to 14 days old and 2 hours ahead. */
const START_BEHIND_MS = 100 * 60_000;

export class SystemClock {
  private offsetMs = -START_BEHIND_MS;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** The offset function processes apply to their Date (test/system/lambda/bootstrap.cjs). */
  get offset(): number {
    return this.offsetMs;
  }

  /** Lets `ms` pass at once, e.g. past an alarm's evaluation window or a cooldown. */
  advance(ms: number): void {
    this.offsetMs += ms;
    if (this.offsetMs > 90 * 60_000) throw new Error('the system clock ran more than 90 minutes ahead; the emulator refuses log events past 2 hours');
  }
}
