// Property: scaleNodegroup and scaleDeployment (remediateEvent with in-memory fakes) over mutated SNS alarms and foreign JSON.
import fc from 'fast-check';
import { policyForStage } from '../../shared/policy/load';
import { remediationScope, type RemediationScope } from '../../shared/remediation/remediate-alarm';
import { remediateEvent } from '../../shared/remediation/remediate-event';
import type { DeploymentState, NodegroupCapacity } from '../../shared/remediation/types';
import { loadEvent } from '../support/events';
import { fakeDeps, samplePolicy, SAMPLE_REMEDIATION_SECTION } from '../unit/remediation/support/fixtures';
import { foreignJson, mutationsOf, type Json } from './arbitraries';
import { notFirebreakError } from './expectations';
import { propertyParameters } from './settings';

const routing = policyForStage('dev').notify;
const SCOPES: Record<'scaleNodegroup' | 'scaleDeployment', RemediationScope> = {
  scaleNodegroup: remediationScope('scaleNodegroup', routing),
  scaleDeployment: remediationScope('scaleDeployment', routing),
};

/** The SNS samples of events/; the ones the sample policy has rules for weigh more, so the engine is reached. */
const ALARM_SAMPLES = [
  'alarm-anomaly-alarm',
  'alarm-critical-issue-alarm',
  'alarm-eventbridge-state-change',
  'alarm-high-error-rate-alarm',
  'alarm-high-latency-ok',
  'alarm-insufficient-data',
  'alarm-metric-math-alarm',
  'sns-alarm-missing-fields',
  'sns-foreign-json',
  'sns-malformed-alarm',
  'sns-plain-text',
];
const RULED_SAMPLES = ['alarm-high-cpu-alarm', 'alarm-high-cpu-ok'];

const eventArbitrary: fc.Arbitrary<Json> = fc.oneof(
  { weight: 6, arbitrary: fc.oneof(...RULED_SAMPLES.map((name) => mutationsOf(loadEvent<Json>(name)))) },
  { weight: 3, arbitrary: fc.oneof(...ALARM_SAMPLES.map((name) => mutationsOf(loadEvent<Json>(name)))) },
  { weight: 1, arbitrary: foreignJson },
);

/** The world as the fakes report it: a node group and a deployment of any size, inside or outside their bounds. */
const worldArbitrary = fc.record({
  capacity: fc
    .tuple(fc.nat(12), fc.nat(12), fc.nat(15))
    .map(([a, b, desired]): NodegroupCapacity => ({ min: Math.min(a, b), max: Math.max(a, b), desired, asgName: 'eks-retail-prediction-nodegroup-asg' })),
  deployment: fc.record({
    replicas: fc.nat(15),
    paused: fc.boolean(),
    hpa: fc.option(fc.record({ name: fc.constant('retail-forecast-api'), minReplicas: fc.nat(15), maxReplicas: fc.integer({ min: 1, max: 20 }) }), { nil: undefined }),
  }),
  scope: fc.constantFrom<keyof typeof SCOPES>('scaleNodegroup', 'scaleDeployment'),
  dryRun: fc.boolean(),
});

type World = {
  capacity: NodegroupCapacity;
  deployment: { replicas: number; paused: boolean; hpa?: { name: string; minReplicas: number; maxReplicas: number } };
  scope: keyof typeof SCOPES;
  dryRun: boolean;
};

/** Fakes set to `world`. No cooldown and a large budget, so only the message's id can stop a second action. */
function fakesFor(world: World) {
  const policy = samplePolicy((section) => {
    section.budget = { ...section.budget, perTarget: 100, global: 100 };
    section.nodegroups.forEach((t) => (t.cooldownSeconds = 0));
    section.deployments.forEach((t) => {
      t.cooldownSeconds = 0;
      t.hpa = 'adjust-min';
    });
  });
  const fakes = fakeDeps({ policy, dryRun: world.dryRun });
  fakes.nodegroups.capacity = { ...world.capacity };
  const state: DeploymentState = { replicas: world.deployment.replicas, paused: world.deployment.paused, ...(world.deployment.hpa ? { hpa: world.deployment.hpa } : {}) };
  fakes.deployments.state = state;
  return fakes;
}

async function settle(event: Json, world: World, fakes: ReturnType<typeof fakesFor>): Promise<string | undefined> {
  try {
    await remediateEvent(structuredClone(event), SCOPES[world.scope], fakes.deps);
    return undefined;
  } catch (error) {
    return notFirebreakError(error);
  }
}

const writes = (fakes: ReturnType<typeof fakesFor>) => fakes.nodegroups.calls.length + fakes.deployments.calls.filter((c) => !c.dryRun).length;

describe('remediateEvent (scaleNodegroup, scaleDeployment) over generated events', () => {
  it('acts on the unmutated HighCPU alarm (so the properties below are not vacuous)', async () => {
    const world: World = { capacity: { min: 2, max: 6, desired: 3 }, deployment: { replicas: 3, paused: false }, scope: 'scaleNodegroup', dryRun: false };
    const fakes = fakesFor(world);
    expect(await settle(loadEvent<Json>('alarm-high-cpu-alarm'), world, fakes)).toBeUndefined();
    expect(fakes.nodegroups.calls).toEqual([{ target: 'retail-prediction-nodegroup', desired: 4 }]);
  });

  it('resolves, or throws one of Firebreak\'s named errors with a message (never a built-in)', async () => {
    await fc.assert(
      fc.asyncProperty(eventArbitrary, worldArbitrary, async (event, world) => {
        const problem = await settle(event, world, fakesFor(world));
        expect(problem).toBeUndefined();
      }),
      propertyParameters(),
    );
  });

  it('the same event delivered twice acts at most once per message and target', async () => {
    await fc.assert(
      fc.asyncProperty(eventArbitrary, worldArbitrary, async (event, world) => {
        const fakes = fakesFor({ ...world, dryRun: false });
        await settle(event, world, fakes);
        const first = writes(fakes);
        // After the first delivery the fakes report the size it left, as the cloud would.
        await settle(event, world, fakes);
        expect(writes(fakes)).toBe(first);
      }),
      propertyParameters(),
    );
  });

  it('a dry run writes nothing: no actuator write without dryRun, no ledger claim', async () => {
    await fc.assert(
      fc.asyncProperty(eventArbitrary, worldArbitrary, async (event, world) => {
        const fakes = fakesFor({ ...world, dryRun: true });
        await settle(event, world, fakes);
        expect(fakes.nodegroups.calls).toEqual([]);
        expect(fakes.deployments.calls.filter((c) => !c.dryRun)).toEqual([]);
        expect([...fakes.ledger.used.values()].filter((n) => n !== 0)).toEqual([]);
        expect(fakes.ledger.cooldownUntil.size).toBe(0);
      }),
      propertyParameters(),
    );
  });

  it('a node group stays within its min/max and a deployment within minReplicas/maxReplicas, whatever the alarm says', async () => {
    const [deployment] = SAMPLE_REMEDIATION_SECTION.deployments;
    await fc.assert(
      fc.asyncProperty(eventArbitrary, worldArbitrary, async (event, world) => {
        const fakes = fakesFor(world);
        await settle(event, world, fakes);
        for (const call of fakes.nodegroups.calls) {
          expect(call.desired).toBeGreaterThanOrEqual(world.capacity.min);
          expect(call.desired).toBeLessThanOrEqual(world.capacity.max);
        }
        for (const call of fakes.deployments.calls.filter((c) => c.op !== 'restart')) {
          expect(call.value).toBeGreaterThanOrEqual(deployment!.minReplicas);
          expect(call.value).toBeLessThanOrEqual(Math.min(deployment!.maxReplicas, world.deployment.hpa?.maxReplicas ?? Infinity));
        }
      }),
      propertyParameters(),
    );
  });
});
