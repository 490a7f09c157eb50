// Property tests' generators: the real shapes of events/ and what can go wrong with them — missing and extra keys,
// wrong types, odd strings and Unicode, prototype keys, numbers at and past limits, bad dates and ARNs, deep nesting.
import fc from 'fast-check';

/** A JSON value: what Lambda hands a handler, and all a generated input may be. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const HUGE = 'x'.repeat(300_000);

/** Strings that break naive code: empty, huge, whitespace, unpaired surrogates and other odd Unicode, prototype names, JSON-looking text. */
export const oddString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\n\t',
    HUGE,
    '\uD800',
    'a\uDC00b',
    '\uFEFF',
    '\u202E\u0000',
    '🔥'.repeat(2000),
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    '{',
    '{"AlarmName":',
    'null',
    '[]',
    '{}',
    'not-a-date',
    '2026-13-45T99:99:99Z',
    'arn:aws-cn:sns:cn-north-1:123456789012:alarms',
    'arn:aws-us-gov:cloudwatch:us-gov-west-1:123456789012:alarm:x',
    'arn:',
    'arn:aws:::::',
    'ALARM',
    'OK',
    'INSUFFICIENT_DATA',
    '%E0%A4%A',
    '\\u0000',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);

/** Numbers at and past the limits code checks: JSON numbers only (no NaN or Infinity). */
export const oddNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -0, -1, 1, 0.5, -273.15, 2 ** 31, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, -Number.MAX_SAFE_INTEGER, 1e308, -1e308, 5e-324, 1e21),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** JSON nested `depth` levels deep (arrays and objects by turns). */
export const deeplyNested = (depth: number): Json => {
  let value: Json = 'bottom';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { nested: value };
  return value;
};

/** Any odd JSON value to put where a field was: wrong types included. */
export const oddValue: fc.Arbitrary<Json> = fc.oneof(
  oddString,
  oddNumber,
  fc.boolean(),
  fc.constant(null),
  fc.constant<Json>([]),
  fc.constant<Json>({}),
  fc.constantFrom(deeplyNested(40), deeplyNested(2_000)),
  fc.constant({ __proto__: { polluted: true }, constructor: { prototype: { polluted: true } } } as unknown as Json),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
);

/** Keys to add: prototype names, odd strings, and ordinary ones. */
const oddKey: fc.Arbitrary<string> = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', '', 'AlarmName', 'Records', 'Message', 'awslogs'), fc.string({ maxLength: 12 }));

type Path = (string | number)[];

/** Paths deeper than this are not mutated further: a value that deep is already one of the odd ones (deeplyNested). */
const MAX_PATH_DEPTH = 30;

/** Every path to a value inside `value` down to MAX_PATH_DEPTH, the root included; walked without recursion. */
function pathsOf(value: Json): Path[] {
  const paths: Path[] = [];
  const pending: { value: Json; path: Path }[] = [{ value, path: [] }];
  while (pending.length > 0) {
    const { value: v, path } = pending.pop()!;
    paths.push(path);
    if (path.length >= MAX_PATH_DEPTH || v === null || typeof v !== 'object') continue;
    const entries: [string | number, Json][] = Array.isArray(v) ? v.map((item, i) => [i, item]) : Object.entries(v);
    for (const [key, child] of entries) pending.push({ value: child, path: [...path, key] });
  }
  return paths;
}

const clone = (value: Json): Json => JSON.parse(JSON.stringify(value)) as Json;

function at(value: Json, path: Path): Json {
  return path.reduce<Json>((v, k) => (v as Record<string | number, Json>)[k] as Json, value);
}

/** `value` with the thing at `path` replaced by `change(old)`; undefined from `change` deletes it. */
function changedAt(value: Json, path: Path, change: (old: Json) => Json | undefined): Json {
  if (path.length === 0) return change(value) ?? null;
  const copy = clone(value);
  const parent = at(copy, path.slice(0, -1)) as Record<string | number, Json> | Json[];
  const key = path[path.length - 1]!;
  const next = change((parent as Record<string | number, Json>)[key] as Json);
  if (next === undefined) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete (parent as Record<string, Json>)[key];
  } else if (Array.isArray(parent)) parent[Number(key)] = next;
  else Object.defineProperty(parent, key, { value: next, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** The JSON inside a string, when the string is a JSON object or array (an SNS `Message`, a stringified body). */
function jsonInside(text: Json): Json | undefined {
  if (typeof text !== 'string' || !/^\s*[[{]/.test(text)) return undefined;
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}

/** One change to `base`: a key deleted or added, a value replaced, or (inside a JSON string) the same, one level in. */
function oneMutation(base: Json): fc.Arbitrary<Json> {
  const paths = pathsOf(base);
  return fc.constantFrom(...paths).chain((path) => {
    const old = at(base, path);
    const inner = jsonInside(old);
    const choices: fc.Arbitrary<Json>[] = [
      oddValue.map((v) => changedAt(base, path, () => v)),
      fc.tuple(oddKey, oddValue).map(([k, v]) =>
        changedAt(base, path, (o) => (o !== null && typeof o === 'object' && !Array.isArray(o) ? Object.defineProperty(clone(o) as object, k, { value: v, enumerable: true, writable: true, configurable: true }) as Json : v)),
      ),
    ];
    if (path.length > 0) choices.push(fc.constant(changedAt(base, path, () => undefined)));
    // A stringified document (the SNS Message) is mutated inside too, so the parser behind JSON.parse is reached.
    if (inner !== undefined) choices.push(oneMutation(inner).map((m) => changedAt(base, path, () => JSON.stringify(m))));
    return fc.oneof(...choices);
  });
}

/** `base` with one to `max` mutations applied in turn; `base` itself among them. */
export function mutationsOf(base: Json, max = 3): fc.Arbitrary<Json> {
  const step = (value: Json, left: number): fc.Arbitrary<Json> => (left === 0 ? fc.constant(value) : oneMutation(value).chain((next) => fc.oneof(fc.constant(next), step(next, left - 1))));
  return fc.oneof({ weight: 1, arbitrary: fc.constant(base) }, { weight: 9, arbitrary: step(base, max) });
}

/** What else reaches a handler: JSON that is not its event at all. */
export const foreignJson: fc.Arbitrary<Json> = fc.oneof(oddValue, fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<Json>);
