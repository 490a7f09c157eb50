// Property tests: respond's use case with the unit tests' doubles (dry run and live) over mutations of the SNS samples, the schedule and foreign JSON.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { respondToEvent } from '../../shared/responder/event';
import type { MetricRole } from '../../shared/responder/policy';
import { harness, type Harness } from '../unit/responder/doubles';
import { foreignJson, mutationsOf, type Json } from './arbitraries';
import { expectFirebreakError } from './expectations';
import { propertyParameters } from './settings';

const EVENTS = join(__dirname, '..', '..', 'events');
const samples = readdirSync(EVENTS)
  .filter((f) => /^(alarm-.*|sns-.*|respond-schedule)\.json$/.test(f))
  .map((f) => JSON.parse(readFileSync(join(EVENTS, f), 'utf8')) as Json);

const events = fc.oneof(...samples.map((sample) => mutationsOf(sample)), foreignJson);
// Calm, extreme and missing metrics, so the responder decides to act, to wait and to say it could not read.
const metricStates: fc.Arbitrary<Partial<Record<MetricRole, number>>> = fc.constantFrom({ errorRate: 2, latency: 120, requests: 1000, cpu: 40 }, { errorRate: 60, latency: 4000, requests: 1000, cpu: 97 }, {});

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
