// Test support: breaker flags in memory, as the SSM flag store keeps them (its adapter is proved against the emulator).
import type { BreakerFlag } from '../../shared/breaker/flag';
import type { FlagStore, ListedFlag } from '../../shared/breaker/store';

export class MemoryFlags implements FlagStore {
  readonly flags = new Map<string, BreakerFlag>();
  writes = 0;
  async read(name: string) {
    return this.flags.get(name);
  }
  async write(name: string, flag: BreakerFlag) {
    this.writes++;
    this.flags.set(name, flag);
  }
  /** Parameters under the prefix that are not valid flags, as the SSM store lists them. */
  readonly unreadable = new Map<string, Error>();
  async list(): Promise<ListedFlag[]> {
    return [...[...this.flags].map(([name, flag]) => ({ name, flag })), ...[...this.unreadable].map(([name, error]) => ({ name, error }))];
  }
}
