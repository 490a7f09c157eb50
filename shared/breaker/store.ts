// Breaker adapter: flags as SSM String parameters under one prefix, one parameter per flag.
import { GetParameterCommand, GetParametersByPathCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { parseFlag, serialiseFlag, type BreakerFlag } from './flag';

/** One parameter under the prefix: its flag, or why it could not be read as one (hand-edited, not JSON). */
export type ListedFlag = { readonly name: string; readonly flag: BreakerFlag } | { readonly name: string; readonly error: Error };

/** Where flags live; an interface so use cases and tests can pass another. */
export interface FlagStore {
  /** The flag, or undefined when no parameter exists for it. */
  read(name: string): Promise<BreakerFlag | undefined>;
  write(name: string, flag: BreakerFlag): Promise<void>;
  /** Every parameter under the prefix; one that is not a valid flag is listed with its error, not thrown, so it cannot hide the others. */
  list(): Promise<ListedFlag[]>;
}

const ssm = new SSMClient({ maxAttempts: 3 });

/** Flag names become the last path segment, so they may not contain a slash. */
export const FLAG_NAME_PATTERN = /^[a-zA-Z0-9_.-]+$/;

export function assertFlagName(name: string): void {
  if (!FLAG_NAME_PATTERN.test(name)) throw new RangeError(`Breaker flag name "${name}" may hold only letters, digits, dot, dash and underscore`);
}

/** The SSM store of flags under `prefix` (e.g. `/firebreak/prod/breakers`). */
export function ssmFlagStore(prefix: string, client: SSMClient = ssm): FlagStore {
  const base = prefix.replace(/\/+$/, '');
  const pathOf = (name: string) => {
    assertFlagName(name);
    return `${base}/${name}`;
  };
  return {
    async read(name) {
      try {
        const out = await client.send(new GetParameterCommand({ Name: pathOf(name) }));
        const value = out.Parameter?.Value;
        return value === undefined ? undefined : parseFlag(name, value);
      } catch (error) {
        if (error instanceof ParameterNotFound) return undefined;
        throw error;
      }
    },
    async write(name, flag) {
      await client.send(
        new PutParameterCommand({
          Name: pathOf(name),
          Value: serialiseFlag(flag),
          Type: 'String',
          Overwrite: true,
          Description: 'Firebreak circuit-breaker flag',
        }),
      );
    },
    async list() {
      const flags: ListedFlag[] = [];
      let NextToken: string | undefined;
      do {
        const out = await client.send(new GetParametersByPathCommand({ Path: base, Recursive: false, NextToken }));
        for (const p of out.Parameters ?? []) {
          if (!p.Name || p.Value === undefined) continue;
          const name = p.Name.slice(base.length + 1);
          try {
            flags.push({ name, flag: parseFlag(name, p.Value) });
          } catch (error) {
            flags.push({ name, error: error instanceof Error ? error : new Error(String(error)) });
          }
        }
        NextToken = out.NextToken;
      } while (NextToken);
      return flags;
    },
  };
}
