// System: each reference alarm going to ALARM and back to OK, through every function subscribed to the alarms topic.
import { deploymentReplicas, desiredCapacity, WORKLOAD, worldPerFile, type World } from './account/world';
import { apiTraffic, auditTrail, breakerFlag, evaluateAlarms, expectNoFailures, loggedOutcome, mark, nextPhase, nodeLoad, runsOf, runSweep, since } from './account/drive';

const account = worldPerFile();
let world: World;
beforeEach(() => {
  world = account();
});

const replicas = () => deploymentReplicas(world);

describe('RetailPrediction-HighCPU', () => {
  it('ALARM: Slack hears of it, the node group ASG goes up by one, the deployment scales to 6', async () => {
    const before = mark(world);
    const capacity = await desiredCapacity(world);
    await nodeLoad(world, 15, { cpuPercent: 93, memoryPercent: 60 });
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
    nextPhase(world);
    const before = mark(world);
    await nodeLoad(world, 15, { cpuPercent: 40, memoryPercent: 55 });

    const transitions = await evaluateAlarms(world);

    const seen = since(world, before);
    expect(transitions.map((t) => `${t.alarm}:${t.to}`)).toEqual(['RetailPrediction-HighCPU:OK']);
    expectNoFailures('HighCPU OK', seen.invocations);
    expect(seen.slack.map((r) => r.body).join('\n')).toContain('RetailPrediction-HighCPU');
    expect(replicas()).toBe(3);
  });
});

const states = (transitions: { alarm: string; to: string }[]) => transitions.map((t) => `${t.alarm}:${t.to}`).sort();
/** `alarm:action` of each PagerDuty event notify sent (its dedup_key is the alarm's ARN). */
const alarmPages = (pages: Record<string, unknown>[]) =>
  pages.filter((p) => String(p.dedup_key).includes(':alarm:')).map((p) => `${String(p.dedup_key).split(':alarm:')[1]}:${p.event_action}`).sort();

describe('RetailPrediction-HighLatency', () => {
  it('ALARM: Slack only (a warning); no function acts on it', async () => {
    nextPhase(world);
    const before = mark(world);
    await nodeLoad(world, 15, { cpuPercent: 45, memoryPercent: 55 });
    await apiTraffic(world, 4, { requests: 40, errorPercent: 0, latencyMs: 420 });

    const transitions = await evaluateAlarms(world);

    const seen = since(world, before);
    expect(states(transitions)).toEqual(['RetailPrediction-HighLatency:ALARM']);
    expectNoFailures('HighLatency ALARM', seen.invocations);
    expect(seen.slack.map((r) => r.body).join('\n')).toContain('RetailPrediction-HighLatency');
    expect(seen.pagerDuty).toEqual([]);
    expect(seen.kubeWrites).toEqual([]);
  });

  it('OK: Slack hears of the recovery', async () => {
    nextPhase(world);
    const before = mark(world);
    await apiTraffic(world, 4, { requests: 40, errorPercent: 0, latencyMs: 60 });

    const transitions = await evaluateAlarms(world);

    const seen = since(world, before);
    expect(states(transitions)).toEqual(['RetailPrediction-HighLatency:OK']);
    expectNoFailures('HighLatency OK', seen.invocations);
    expect(seen.slack.map((r) => r.body).join('\n')).toContain('RetailPrediction-HighLatency');
  });
});

describe('RetailPrediction-HighErrorRate and RetailPrediction-CriticalIssue', () => {
  it('ALARM at an extreme error rate: PagerDuty, Slack and email; the composite pages; respond opens the breaker', async () => {
    nextPhase(world);
    const before = mark(world);
    await nodeLoad(world, 15, { cpuPercent: 50, memoryPercent: 55 });
    await apiTraffic(world, 4, { requests: 50, errorPercent: 60, latencyMs: 480 });

    const transitions = await evaluateAlarms(world);

    const seen = since(world, before);
    expect(states(transitions)).toEqual(['RetailPrediction-CriticalIssue:ALARM', 'RetailPrediction-HighErrorRate:ALARM', 'RetailPrediction-HighLatency:ALARM']);
    expectNoFailures('HighErrorRate ALARM', seen.invocations);
    expect(alarmPages(seen.pagerDuty.filter((p) => p.routing_key === WORKLOAD.pagerDutyRoutingKey))).toEqual(['RetailPrediction-CriticalIssue:trigger', 'RetailPrediction-HighErrorRate:trigger']);
    expect(seen.mail.map((m) => m.subject ?? m.message).join('\n')).toContain('RetailPrediction-HighErrorRate');
    const responded = runsOf(seen.invocations, 'respond').map((i) => loggedOutcome(i, 'Responder outcome')?.outcome as Record<string, unknown> | undefined);
    expect(responded.filter((o) => o?.status === 'responded')).toEqual([expect.objectContaining({ status: 'responded', decision: 'extreme-error-rate' })]);
    expect(await breakerFlag(world, 'retail-prediction-api')).toMatchObject({ state: 'open', alarm: 'RetailPrediction-HighErrorRate' });
    // The opening went through the remediation engine: audited like any other action, by respond under its own role.
    expect(await auditTrail(world, 'retail-prediction-api')).toEqual([
      expect.objectContaining({ action: 'open-breaker', status: 'done', before: 'none', after: 'open', alarm: 'RetailPrediction-HighErrorRate', requestedBy: 'firebreak-prod-respond', dryRun: false }),
    ]);
  });

  it('OK: every page the ALARM opened is resolved, and the sweep closes the breaker once the service is healthy', async () => {
    nextPhase(world);
    const before = mark(world);
    await apiTraffic(world, 4, { requests: 50, errorPercent: 0, latencyMs: 60 });

    const transitions = await evaluateAlarms(world);

    const seen = since(world, before);
    expect(states(transitions)).toEqual(['RetailPrediction-CriticalIssue:OK', 'RetailPrediction-HighErrorRate:OK', 'RetailPrediction-HighLatency:OK']);
    expectNoFailures('HighErrorRate OK', seen.invocations);
    expect(alarmPages(seen.pagerDuty)).toEqual(['RetailPrediction-CriticalIssue:resolve', 'RetailPrediction-HighErrorRate:resolve']);

    // The flag comes due for re-evaluation after its TTL; the service has stayed healthy meanwhile.
    world.clock.advance(31 * 60_000);
    await apiTraffic(world, 10, { requests: 50, errorPercent: 0, latencyMs: 60 });
    await nodeLoad(world, 15, { cpuPercent: 45, memoryPercent: 55 });
    const sweep = mark(world);
    await runSweep(world);

    expectNoFailures('breaker sweep', since(world, sweep).invocations);
    expect(await breakerFlag(world, 'retail-prediction-api')).toMatchObject({ state: 'closed' });
    expect((await auditTrail(world, 'retail-prediction-api')).map((e) => `${String(e.action)} ${String(e.status)} by ${String(e.requestedBy)}`)).toEqual([
      'open-breaker done by firebreak-prod-respond',
      'close-breaker done by firebreak-prod-respond',
    ]);
  });
});
