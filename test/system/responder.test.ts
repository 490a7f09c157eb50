// System: the incident responder deciding from the alarm's own metric and the real context metrics — it scales
// when latency is high and capacity is short, and pages when no automatic remedy fits.
import { apiTraffic, evaluateAlarms, expectNoFailures, loggedOutcome, mark, nextPhase, nodeLoad, runsOf, since } from './account/drive';
import { deploymentReplicas, desiredCapacity, WORKLOAD, worldPerFile, type World } from './account/world';

const account = worldPerFile();
let world: World;
beforeEach(() => {
  world = account();
});

const replicas = () => deploymentReplicas(world);
const responses = (invocations: Parameters<typeof runsOf>[0]) =>
  runsOf(invocations, 'respond')
    .map((i) => loggedOutcome(i, 'Responder outcome')?.outcome as Record<string, unknown> | undefined)
    .filter((o) => o?.status === 'responded');

describe('respond on RetailPrediction-HighErrorRate', () => {
  it('scales the node group and the deployment when latency is high, errors moderate and capacity short', async () => {
    const before = mark(world);
    const capacity = await desiredCapacity(world);
    await nodeLoad(world, 15, { cpuPercent: 70, memoryPercent: 70 });
    await apiTraffic(world, 4, { requests: 50, errorPercent: 10, latencyMs: 450 });

    const transitions = await evaluateAlarms(world);

    const seen = since(world, before);
    expect(transitions.map((t) => t.alarm)).toContain('RetailPrediction-HighErrorRate');
    expectNoFailures('respond scales', seen.invocations);
    expect(responses(seen.invocations)).toEqual([expect.objectContaining({ decision: 'latency-high-errors-moderate' })]);
    expect(await desiredCapacity(world)).toBe((capacity ?? 0) + 1);
    expect(replicas()).toBe(6);
  });

  it('pages on-call with the diagnosis when neither scaling nor the breaker fits', async () => {
    nextPhase(world);
    await apiTraffic(world, 4, { requests: 50, errorPercent: 0, latencyMs: 60 });
    await nodeLoad(world, 15, { cpuPercent: 40, memoryPercent: 50 });
    await evaluateAlarms(world);

    nextPhase(world);
    const before = mark(world);
    const capacity = await desiredCapacity(world);
    await nodeLoad(world, 15, { cpuPercent: 40, memoryPercent: 50 });
    await apiTraffic(world, 4, { requests: 50, errorPercent: 15, latencyMs: 70 });

    const transitions = await evaluateAlarms(world);

    const seen = since(world, before);
    expect(transitions.map((t) => `${t.alarm}:${t.to}`)).toEqual(['RetailPrediction-HighErrorRate:ALARM']);
    expectNoFailures('respond pages', seen.invocations);
    expect(responses(seen.invocations)).toEqual([expect.objectContaining({ decision: 'unclassified' })]);
    const page = seen.pagerDuty.find((p) => String(p.dedup_key).startsWith('RetailPrediction-HighErrorRate@'));
    expect(page).toMatchObject({ event_action: 'trigger', routing_key: WORKLOAD.pagerDutyRoutingKey });
    expect(JSON.stringify(page)).toMatch(/errorRate=1[45]/);
    expect(await desiredCapacity(world)).toBe(capacity);
    expect(seen.kubeWrites).toEqual([]);
  });
});
