// Property tests: respond's use case with the unit tests' doubles (dry run and live) over mutations of the SNS samples, the schedule and foreign JSON.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { ConfigError, DeliveryError, InvalidInputError, InvocationFailedError } from '../../shared/errors';
import { UnreadableInputError } from '../../shared/read-failure';
import { respondToEvent } from '../../shared/responder/event';
import type { MetricRole } from '../../shared/responder/policy';
import { harness, type Harness } from '../unit/responder/doubles';
import { foreignJson, mutationsOf, type Json } from './arbitraries';
import { propertyParameters } from './settings';

const EVENTS = join(__dirname, '..', '..', 'events');
const samples = readdirSync(EVENTS)
  .filter((f) => /^(alarm-.*|sns-.*|respond-schedule)\.json$/.test(f))
  .map((f) => JSON.parse(readFileSync(join(EVENTS, f), 'utf8')) as Json);

/** Nesting depth of a JSON value, counted without recursion. */
function depthOf(value: Json): number {
  let deepest = 0;
  const stack: [Json, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    deepest = Math.max(deepest, d);
    if (v !== null && typeof v === 'object') for (const child of Object.values(v)) stack.push([child, d + 1]);
    else if (typeof v === 'string' && /^\s*[[{]/.test(v) && v.length < 100_000) {
      try {
        stack.push([JSON.parse(v) as Json, d + 1]);
      } catch {
        // not JSON inside
      }
    }
  }
  return deepest;
}

/**
 * Up to three mutations of `base`, like `mutationsOf(base)`, but one at a time: arbitraries' `pathsOf` recurses, so
 * mutating again a value that holds its 2,000-deep nesting overflows the stack while generating. Such a value is kept as it is.
 */
const mutated = (base: Json, steps = 3): fc.Arbitrary<Json> =>
  steps === 0 ? fc.constant(base) : mutationsOf(base, 1).chain((next) => (depthOf(next) > 500 ? fc.constant(next) : fc.oneof(fc.constant(next), mutated(next, steps - 1))));

const events = fc.oneof(...samples.map((sample) => mutated(sample)), foreignJson);
// Calm, extreme and missing metrics, so the responder decides to act, to wait and to say it could not read.
const metricStates: fc.Arbitrary<Partial<Record<MetricRole, number>>> = fc.constantFrom({ errorRate: 2, latency: 120, requests: 1000, cpu: 40 }, { errorRate: 60, latency: 4000, requests: 1000, cpu: 97 }, {});

const FIREBREAK_ERRORS = [ConfigError, InvalidInputError, DeliveryError, InvocationFailedError, UnreadableInputError];

/** One of Firebreak's own errors with a message; an InvocationFailedError's parts too, so a built-in cannot hide inside it. */
function expectFirebreakError(error: unknown): void {
  const described = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error);
  if (!FIREBREAK_ERRORS.some((type) => error instanceof type)) throw new Error(`expected one of Firebreak's errors, got ${described}`);
  expect((error as Error).message.trim()).not.toBe('');
  if (error instanceof InvocationFailedError) for (const part of error.failures) expectFirebreakError(part.error);
}

const subject = (dryRun: boolean, state: Partial<Record<MetricRole, number>>): Harness => harness([state], { dryRun });

/** What the world was told: team messages and pages (triggered and resolved), as counts. */
const told = (h: Harness) => ({ team: h.team.messages.length, pages: h.pager.pages.length, resolved: h.pager.resolved.length });

describe.each([
  ['dry run', true],
  ['live', false],
])('respondToEvent (%s) over generated events', (_label, dryRun) => {
  it("resolves, or throws one of Firebreak's named errors with a message (never a built-in)", async () => {
    await fc.assert(
      fc.asyncProperty(events, metricStates, async (event, state) => {
        const h = subject(dryRun, state);
        await respondToEvent(event, h.deps).catch(expectFirebreakError);
      }),
      propertyParameters(),
    );
  });

  it('tells and pages nothing new when the same event comes again', async () => {
    await fc.assert(
      fc.asyncProperty(events, metricStates, async (event, state) => {
        const h = subject(dryRun, state);
        await respondToEvent(event, h.deps).catch(() => undefined);
        const first = told(h);

        await respondToEvent(structuredClone(event), h.deps).catch(() => undefined);

        expect(told(h)).toEqual(first);
      }),
      propertyParameters(),
    );
  });
});
