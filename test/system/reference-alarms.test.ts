// System: each reference alarm going to ALARM and back to OK, through every function subscribed to the alarms topic.
import { desiredCapacity, startWorld, WORKLOAD, type World } from './account/world';
import { apiTraffic, evaluateAlarms, expectNoFailures, mark, nodeLoad, runsOf, since } from './account/drive';

let world: World;

beforeAll(async () => {
  world = await startWorld();
});

afterAll(async () => {
  await world?.close();
});

afterEach(() => {
  expect(world.lambda.problems()).toEqual([]);
  expect(world.emulator.tracebacks()).toEqual([]);
});

const replicas = () => (world.kube.deployment(WORKLOAD.deployment.namespace, WORKLOAD.deployment.name)?.spec as { replicas?: number } | undefined)?.replicas;

describe('RetailPrediction-HighCPU', () => {
  it('ALARM: Slack hears of it, the node group ASG goes up by one, the deployment scales to 6', async () => {
    const before = mark(world);
    const capacity = await desiredCapacity(world);
    await nodeLoad(world, 10, { cpuPercent: 93, memoryPercent: 60 });
    await apiTraffic(world, 3, { requests: 40, errorPercent: 0, latencyMs: 60 });

    const transitions = await evaluateAlarms(world);

    const seen = since(world, before);
    expect(transitions.map((t) => `${t.alarm}:${t.to}`)).toEqual(['RetailPrediction-HighCPU:ALARM']);
    expectNoFailures('HighCPU ALARM', seen.invocations);
    expect(runsOf(seen.invocations, 'notify')).toHaveLength(1);
    expect(seen.slack.map((r) => r.body).join('\n')).toContain('RetailPrediction-HighCPU');
    expect(await desiredCapacity(world)).toBe((capacity ?? 0) + 1);
    expect(replicas()).toBe(6);
  });

  it('OK: Slack hears of the recovery and the deployment scales back to 3', async () => {
    world.clock.advance(15 * 60_000);
    const before = mark(world);
    await nodeLoad(world, 10, { cpuPercent: 40, memoryPercent: 55 });

    const transitions = await evaluateAlarms(world);

    const seen = since(world, before);
    expect(transitions.map((t) => `${t.alarm}:${t.to}`)).toEqual(['RetailPrediction-HighCPU:OK']);
    expectNoFailures('HighCPU OK', seen.invocations);
    expect(seen.slack.map((r) => r.body).join('\n')).toContain('RetailPrediction-HighCPU');
    expect(replicas()).toBe(3);
  });
});
