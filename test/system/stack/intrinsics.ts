// System suite: resolves CloudFormation intrinsics in the template's own definitions, for what the emulator's CloudFormation skips.
import type { Json } from '../../packaging/serverless';

/** What a deployed stack knows: the physical id and attributes of each resource, and the pseudo parameters. */
export interface StackFacts {
  readonly region: string;
  readonly accountId: string;
  /** Logical id -> physical id (`Ref`). */
  readonly physicalIds: ReadonlyMap<string, string>;
  /** `Logical.Attribute` -> value (`Fn::GetAtt`). */
  readonly attributes: ReadonlyMap<string, string>;
}

function pseudo(name: string, facts: StackFacts): string | undefined {
  switch (name) {
    case 'AWS::Region':
      return facts.region;
    case 'AWS::AccountId':
      return facts.accountId;
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    default:
      return undefined;
  }
}

function ref(name: string, facts: StackFacts): string {
  const value = pseudo(name, facts) ?? facts.physicalIds.get(name);
  if (value === undefined) throw new Error(`cannot resolve Ref ${name}: the stack has no such resource`);
  return value;
}

function getAtt(logicalId: string, attribute: string, facts: StackFacts): string {
  const value = facts.attributes.get(`${logicalId}.${attribute}`);
  if (value === undefined) throw new Error(`cannot resolve Fn::GetAtt ${logicalId}.${attribute}`);
  return value;
}

/** Resolves Ref, Fn::GetAtt, Fn::Sub and Fn::Join throughout a value; any other intrinsic fails loudly. */
export function resolve(value: Json, facts: StackFacts): Json {
  if (Array.isArray(value)) return value.map((v) => resolve(v, facts));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const [key] = keys as [string];
    const arg = value[key] as Json;
    if (key === 'Ref' && typeof arg === 'string') return ref(arg, facts);
    if (key === 'Fn::GetAtt') {
      const [id, attribute] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
      return getAtt(String(id), String(attribute), facts);
    }
    if (key === 'Fn::Sub') {
      const [text, vars] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, Json>]);
      return text.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
        if (name in vars) return String(resolve(vars[name] as Json, facts));
        const [id, attribute] = name.split('.');
        return attribute ? getAtt(id!, attribute, facts) : ref(name, facts);
      });
    }
    if (key === 'Fn::Join') {
      const [separator, parts] = arg as [string, Json[]];
      return parts.map((p) => String(resolve(p, facts))).join(separator);
    }
    if (key.startsWith('Fn::')) throw new Error(`unsupported intrinsic ${key} in the template`);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, facts)]));
}
