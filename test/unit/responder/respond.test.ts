// Unit tests: the respond use case with doubles — every decision path, guards, its own breaker, recovery, the sweep.
import { InvalidInputError, InvocationFailedError } from '../../../shared/errors';
import { UnreadableInputError } from '../../../shared/read-failure';
import { respondToAlarm } from '../../../shared/responder/respond';
import { sweepBreakers } from '../../../shared/responder/sweep';
import { advance, alarmWithTrigger, ERROR_RATE_TRIGGER, EvaluatingMetrics, harness, REFERENCE_ALARMS, sampleAlarm } from './doubles';

const EXTREME = { errorRate: 62.5, latency: 450, requests: 1200, cpu: 71 };
const CPU_HIGH = { errorRate: 7.3, latency: 240, requests: 1500, cpu: 91 };
const HEALTHY = { errorRate: 1.2, latency: 120, requests: 1400, cpu: 45 };
const ALARM_NAME = 'RetailPrediction-HighErrorRate';

const firing = () => sampleAlarm('alarm-high-error-rate-alarm');
const recovered = () => sampleAlarm('alarm-high-error-rate-ok');

describe('respond to ALARM', () => {
  it('extreme error rate: opens the breaker, records every step, tells the team with the numbers, pages nobody', async () => {
    const h = harness([EXTREME]);
    const { messageId, alarm } = firing();
    const outcome = await respondToAlarm(messageId, alarm, h.deps);

    expect(outcome).toMatchObject({ status: 'responded', decision: 'extreme-error-rate' });
    expect(h.flags.flags.get('retail-prediction-api')).toEqual({
      state: 'open',
      reason: expect.stringContaining('62.50%'),
      alarm: ALARM_NAME,
      openedAt: '2026-11-21T03:13:30.000Z',
      expiresAt: '2026-11-21T03:43:30.000Z',
    });
    expect(h.metrics.calls).toBe(1);
    expect(h.remediator.scalings).toHaveLength(0);
    // The opening goes through the remediation engine, and is audited like any other action.
    expect(h.remediator.engine.audit).toEqual([
      expect.objectContaining({ action: 'open-breaker', target: 'retail-prediction-api', status: 'done', before: 'none', after: 'open', requestedBy: 'respond', messageId: `respond:${messageId}` }),
    ]);
    expect(h.pager.pages).toHaveLength(0);
    expect(h.team.texts[0]).toContain('opening the circuit breaker');
    expect(h.team.texts[0]).toContain('Error rate 62.50% is over the extreme line of 50%');
    expect(JSON.stringify(h.team.messages[0]?.blocks)).toContain('RetailPrediction-HighErrorRate (alarm metric): 62.50');
    // About the alarm (its thread in app mode), with the diagnosis it decided on (the graphs of what it read).
    expect(h.team.about[0]).toEqual({ alarm: ALARM_NAME, diagnostics: expect.objectContaining({ values: expect.objectContaining({ errorRate: 62.5 }), queries: expect.any(Array) }) });

    const incident = await h.incidents.current(ALARM_NAME);
    const steps = await h.incidents.steps(incident?.id ?? '');
    expect(steps.map((s) => s.kind)).toEqual(['alarm-received', 'diagnostics', 'decision', 'action', 'outcome']);
    expect(steps[3]?.summary).toContain('open breaker retail-prediction-api: opened');
    expect(incident?.actionCount).toBe(1);
  });

  it('an ALARM handled after its alarm went back to OK (SNS out of order) does nothing and opens no incident', async () => {
    const h = harness([EXTREME]);
    h.alarmStates.set(ALARM_NAME, 'OK');
    // The OK came first and found no incident; then the late ALARM.
    await respondToAlarm('m-ok-first', recovered().alarm, h.deps);
    const { messageId, alarm } = firing();

    expect(await respondToAlarm(messageId, alarm, h.deps)).toEqual({ status: 'already-recovered', alarm: ALARM_NAME });
    expect(h.flags.writes).toBe(0);
    expect(h.remediator.requests).toHaveLength(0);
    expect(h.remediator.engine.audit).toHaveLength(0);
    expect(h.pager.pages).toHaveLength(0);
    expect(await h.incidents.current(ALARM_NAME)).toBeUndefined();
  });

  it('the alarm state unreadable: a live run fails and releases the message; a dry run goes on', async () => {
    const unreadable = { stateOf: async () => Promise.reject(new UnreadableInputError('CloudWatch DescribeAlarms', new Error('Throttling'))) };
    const live = harness([EXTREME], { alarms: unreadable });
    const { messageId, alarm } = firing();
    await expect(respondToAlarm(messageId, alarm, live.deps)).rejects.toThrow('Throttling');
    expect(await live.incidents.claimMessage(messageId)).toBe(true);

    const dry = harness([EXTREME], { alarms: unreadable, dryRun: true });
    expect(await respondToAlarm(messageId, alarm, dry.deps)).toMatchObject({
      status: 'responded',
      decision: 'extreme-error-rate',
      // What could not be read is said, as every other unreadable input of a dry run is.
      unknown: expect.arrayContaining(['alarm state: unknown (could not read CloudWatch DescribeAlarms: Throttling); planned as if it still fires']),
    });
  });

  it('a breaker opening that cannot be written gives its budget unit back, tells and pages, and fails for the retry', async () => {
    const h = harness([EXTREME]);
    h.flags.write = async () => Promise.reject(new Error('ThrottlingException: Rate exceeded'));
    const { messageId, alarm } = firing();

    await expect(respondToAlarm(messageId, alarm, h.deps)).rejects.toThrow('Rate exceeded');
    expect(h.remediator.engine.ledger.released).toEqual(['claim-breaker-retail-prediction-api']);
    expect(h.remediator.engine.ledger.used.get('breaker-retail-prediction-api')).toBe(0);
    expect(h.pager.pages).toHaveLength(1);
  });

  it('a breaker parameter that is not a valid flag: refused, not overwritten; the team is told and on-call paged that the breaker was not opened', async () => {
    const h = harness([EXTREME]);
    h.flags.read = async () => Promise.reject(new InvalidInputError('Breaker flag retail-prediction-api is not JSON'));
    const { messageId, alarm } = firing();

    // Retrying cannot mend a hand-edited parameter: the engine refuses (audited, told) instead of failing into the DLQ.
    expect(await respondToAlarm(messageId, alarm, h.deps)).toMatchObject({ status: 'responded' });
    expect(h.team.texts[0]).toContain('open breaker retail-prediction-api: refused by target-state: Breaker flag retail-prediction-api is not JSON');
    expect(h.remediator.engine.audit).toEqual([expect.objectContaining({ action: 'open-breaker', status: 'refused', guard: 'target-state' })]);
    expect(h.pager.pages).toHaveLength(1);
    expect(h.flags.writes).toBe(0);
  });

  it('capacity: scales every target through the bounded remediation, with the alarm and a respond message id', async () => {
    const h = harness([CPU_HIGH]);
    const { messageId, alarm } = firing();
    await respondToAlarm(messageId, alarm, h.deps);

    expect(h.remediator.scalings.map((r) => r.action)).toEqual([
      { kind: 'scale-nodegroup', target: 'retail-prediction-nodegroup', step: 1 },
      { kind: 'scale-deployment', target: 'retail-forecast-api', replicas: { to: 6 } },
    ]);
    expect(h.remediator.requests[0]).toMatchObject({ messageId: `respond:${messageId}`, alarm: { name: ALARM_NAME, state: 'ALARM' }, requestedBy: 'respond' });
    expect(h.pager.pages).toHaveLength(0);
    expect(h.team.texts[0]).toContain('CPU 91% is over 80%');
    expect(h.team.texts[0]).toContain('scale node group retail-prediction-nodegroup +1: done (2 → 3)');
    expect(h.flags.writes).toBe(0);
  });

  it('a guard refusing the scaling pages on-call with the refusal and the diagnostics', async () => {
    const h = harness([CPU_HIGH]);
    h.remediator.outcome = (r) => ({ status: 'refused', action: r.action.kind, target: r.action.target, guard: 'cooldown', reason: 'cooling down until 03:20' });
    const { messageId, alarm } = firing();
    await respondToAlarm(messageId, alarm, h.deps);

    expect(h.pager.pages).toHaveLength(1);
    expect(h.pager.pages[0]?.summary).toContain('refused by cooldown: cooling down until 03:20');
    expect(h.pager.pages[0]?.details.diagnostics).toEqual(expect.arrayContaining([expect.stringContaining('node_cpu_utilization Average: 91')]));
    expect(h.pager.pages[0]?.dedupKey).toMatch(/^RetailPrediction-HighErrorRate@/);
  });

  it('no datapoints at all: pages with the diagnostics and never acts blind', async () => {
    const h = harness([{}]);
    const { messageId, alarm } = firing();
    const outcome = await respondToAlarm(messageId, alarm, h.deps);

    expect(outcome).toMatchObject({ decision: 'insufficient-data' });
    expect(h.remediator.requests).toHaveLength(0);
    expect(h.flags.writes).toBe(0);
    expect(h.pager.pages[0]).toMatchObject({ severity: 'critical', source: 'retail-prediction', component: ALARM_NAME });
    expect(h.pager.pages[0]?.summary).toContain('not acting blind');
    expect(h.pager.pages[0]?.details.diagnostics).toEqual(expect.arrayContaining(['RetailPrediction-HighErrorRate (alarm metric): no datapoints']));
    expect(h.pager.pages[0]?.links).toEqual([{ href: `https://runbooks.example.com/${ALARM_NAME}.md`, text: `Runbook for ${ALARM_NAME}` }]);
    expect(h.team.texts[0]).toContain('paging on-call');
  });

  it('anything else pages on-call with the reasoning', async () => {
    const h = harness([{ errorRate: 30, latency: 150, cpu: 40 }]);
    const { messageId, alarm } = firing();
    await respondToAlarm(messageId, alarm, h.deps);
    expect(h.pager.pages[0]?.summary).toContain('No automatic remedy fits (errorRate=30 latency=150 cpu=40)');
  });

  it('kill switch on: takes no action of its own, pages and says why', async () => {
    const h = harness([EXTREME]);
    Object.assign(h.remediator.killSwitch, { engaged: true, reason: 'change freeze' });
    const { messageId, alarm } = firing();
    const outcome = await respondToAlarm(messageId, alarm, h.deps);

    expect(outcome).toMatchObject({ heldBack: expect.stringContaining('kill switch is on: change freeze') });
    expect(h.flags.writes).toBe(0);
    // Refused by the engine's first guard, audited; it changed nothing, so it does not count towards the incident's limit.
    expect(h.remediator.engine.audit).toEqual([expect.objectContaining({ action: 'open-breaker', status: 'refused', guard: 'kill-switch' })]);
    expect((await h.incidents.current(ALARM_NAME))?.actionCount).toBe(0);
    expect(h.pager.pages[0]?.summary).toContain('responder held back: the kill switch is on: change freeze');
    expect(h.team.texts[0]).toContain('Held back from opening the circuit breaker');
  });

  it('opening the breaker takes from the remediation budgets; a spent budget holds it back and pages', async () => {
    const h = harness([EXTREME]);
    h.remediator.engine.ledger.used.set('global', 100);
    const { messageId, alarm } = firing();
    const outcome = await respondToAlarm(messageId, alarm, h.deps);

    expect(h.flags.writes).toBe(0);
    expect(outcome).toMatchObject({ actions: ['open breaker retail-prediction-api: refused by budget: global budget used'] });
    expect(h.pager.pages[0]?.summary).toContain('Not done: open breaker retail-prediction-api: refused by budget: global budget used');
  });

  it('an ALARM from OK while an older incident is open (its OK was never handled) closes that incident and acts in a new one', async () => {
    const h = harness([CPU_HIGH]);
    const policy = h.deps.policy;
    const service = policy.services['retail-prediction'];
    if (!service) throw new Error('no service');
    const deps = { ...h.deps, policy: { services: { 'retail-prediction': { ...service, maxActionsPerIncident: 1 } } } };
    const { alarm } = firing();
    await respondToAlarm('m-first', alarm, deps);
    const first = await h.incidents.current(ALARM_NAME);
    expect(first?.actionCount).toBe(1);

    // Its OK was lost; an hour later the alarm fires again, from OK.
    advance(h, 60);
    const again = { ...alarm, previousState: 'OK' as const, changedAt: '2026-11-21T04:14:07.412Z' };
    const outcome = await respondToAlarm('m-again', again, deps);

    expect(outcome).toMatchObject({ status: 'responded', decision: 'cpu-high', heldBack: undefined });
    expect(h.remediator.requests).toHaveLength(4);
    const second = await h.incidents.current(ALARM_NAME);
    expect(second?.id).not.toBe(first?.id);
    expect(h.pager.resolved).toEqual([first?.id]);
    expect(h.incidents.reviews.get(first?.id ?? '')).toContain('never handled');

    // A retry of that same ALARM (same StateChangeTime) stays in the new incident.
    await respondToAlarm('m-again-retry', again, deps);
    expect((await h.incidents.current(ALARM_NAME))?.id).toBe(second?.id);
  });

  it("its own breaker: after N actions on one incident without recovery it stops and escalates with what it tried", async () => {
    const h = harness([CPU_HIGH]);
    const policy = h.deps.policy;
    const service = policy.services['retail-prediction'];
    if (!service) throw new Error('no service');
    const deps = { ...h.deps, policy: { services: { 'retail-prediction': { ...service, maxActionsPerIncident: 2 } } } };
    const { alarm } = firing();

    for (const id of ['m-1', 'm-2']) {
      await respondToAlarm(id, alarm, deps);
      advance(h, 5);
    }
    expect(h.remediator.requests).toHaveLength(4);
    expect(h.pager.pages).toHaveLength(0);

    const third = await respondToAlarm('m-3', alarm, deps);
    expect(h.remediator.requests).toHaveLength(4);
    expect(third).toMatchObject({ heldBack: expect.stringContaining('acted 2 time(s) on this incident without recovery') });
    expect(h.pager.pages).toHaveLength(1);
    expect(h.pager.pages[0]?.summary).toContain('Tried: 2026-11-21T03:13:30.000Z scale node group retail-prediction-nodegroup +1: done');
    const incident = await h.incidents.current(ALARM_NAME);
    const kinds = (await h.incidents.steps(incident?.id ?? '')).map((s) => s.kind);
    expect(kinds).toContain('escalation');
  });

  it('an open breaker that is not yet due is left alone and spends nothing of the budget', async () => {
    const h = harness([EXTREME]);
    await respondToAlarm('m-1', firing().alarm, h.deps);
    advance(h, 5);
    const second = await respondToAlarm('m-2', firing().alarm, h.deps);
    expect(second).toMatchObject({ actions: ['open breaker retail-prediction-api: unchanged, re-evaluated at 2026-11-21T03:43:30.000Z'] });
    expect(h.flags.writes).toBe(1);
    expect((await h.incidents.current(ALARM_NAME))?.actionCount).toBe(1);
  });

  it('a redelivered message is skipped', async () => {
    const h = harness([EXTREME]);
    const { messageId, alarm } = firing();
    await respondToAlarm(messageId, alarm, h.deps);
    expect(await respondToAlarm(messageId, alarm, h.deps)).toEqual({ status: 'duplicate', messageId });
    expect(h.metrics.calls).toBe(1);
    expect(h.team.messages).toHaveLength(1);
  });

  it('a failed delivery fails the invocation after trying every channel, and frees the message for the retry', async () => {
    const h = harness([{}]);
    h.team.fail = new Error('Slack: HTTP 500');
    const { messageId, alarm } = firing();
    await expect(respondToAlarm(messageId, alarm, h.deps)).rejects.toThrow(InvocationFailedError);
    expect(h.pager.pages).toHaveLength(1);

    h.team.fail = undefined;
    await expect(respondToAlarm(messageId, alarm, h.deps)).resolves.toMatchObject({ status: 'responded' });
    expect(h.team.messages).toHaveLength(1);
    // PagerDuty took the first attempt's page: the retry does not page again.
    expect(h.pager.pages).toHaveLength(1);
  });

  it('an OK whose resolve could not be delivered leaves the incident open, and the retry finishes it', async () => {
    const h = harness([EXTREME, HEALTHY]);
    await respondToAlarm('m-1', firing().alarm, h.deps);
    const incident = await h.incidents.current(ALARM_NAME);
    h.pager.fail = new Error('PagerDuty: HTTP 503');
    const { messageId, alarm } = recovered();
    await expect(respondToAlarm(messageId, alarm, h.deps)).rejects.toThrow(InvocationFailedError);
    expect(await h.incidents.current(ALARM_NAME)).toEqual(incident);

    h.pager.fail = undefined;
    await respondToAlarm(messageId, alarm, h.deps);
    expect(h.pager.resolved).toEqual([incident?.id]);
    expect(h.team.texts.filter((t) => t.startsWith('Resolved'))).toHaveLength(1);
    expect(await h.incidents.current(ALARM_NAME)).toBeUndefined();
  });

  it('a scaling that throws is reported, paged, and fails the invocation so Lambda retries', async () => {
    const h = harness([CPU_HIGH]);
    h.remediator.outcome = () => Promise.reject(new Error('AccessDenied: autoscaling:SetDesiredCapacity'));
    const { messageId, alarm } = firing();
    await expect(respondToAlarm(messageId, alarm, h.deps)).rejects.toThrow('AccessDenied');
    expect(h.pager.pages[0]?.summary).toContain('failed: AccessDenied');
    expect(h.team.texts[0]).toContain('failed: AccessDenied');
  });

  it('does not touch alarms the policy does not hand it', async () => {
    const h = harness([EXTREME]);
    const { messageId, alarm } = sampleAlarm('alarm-high-cpu-alarm');
    expect(await respondToAlarm(messageId, alarm, h.deps)).toEqual({ status: 'not-handled', alarm: 'RetailPrediction-HighCPU' });
    expect(h.metrics.calls).toBe(0);
  });

  it('DRY_RUN: decides and tells, but writes no flag', async () => {
    const h = harness([EXTREME], { dryRun: true });
    const { messageId, alarm } = firing();
    await respondToAlarm(messageId, alarm, h.deps);
    expect(h.flags.writes).toBe(0);
    expect(h.team.texts[0]).toContain('(dry run)');
    expect(h.team.texts[0]).toContain('open breaker retail-prediction-api: DRY_RUN plan: opened');
  });
});

describe('metrics that cannot be read', () => {
  const noCredentials = () => Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });

  it('DRY_RUN: diagnosis unavailable → insufficient data → page, planned not sent; says what could not be read; acts on nothing', async () => {
    const h = harness([EXTREME], { dryRun: true });
    jest.spyOn(h.metrics, 'getMetricData').mockRejectedValue(noCredentials());
    const { messageId, alarm } = firing();

    const outcome = await respondToAlarm(messageId, alarm, h.deps);

    expect(outcome).toMatchObject({
      status: 'responded',
      decision: 'insufficient-data',
      actions: [],
      unknown: ['diagnostics: unavailable (could not read CloudWatch GetMetricData: no AWS credentials)'],
      planned: ['slack', 'pagerduty'],
    });
    // The dry-run pager and team adapters log instead of sending; here they record what would have gone out.
    expect(h.pager.pages).toHaveLength(1);
    expect(h.pager.pages[0]?.summary).toContain('Diagnostics unavailable (could not read CloudWatch GetMetricData: no AWS credentials): not acting blind.');
    expect(h.team.texts[0]).toContain('(dry run)');
    expect(h.remediator.requests).toHaveLength(0);
    expect(h.flags.writes).toBe(0);
  });

  it('live: the invocation fails and nothing is told, paged or done; the message is freed for the retry', async () => {
    const h = harness([EXTREME]);
    jest.spyOn(h.metrics, 'getMetricData').mockRejectedValue(noCredentials());
    const { messageId, alarm } = firing();

    await expect(respondToAlarm(messageId, alarm, h.deps)).rejects.toThrow('Could not load credentials from any providers');

    expect(h.pager.pages).toHaveLength(0);
    expect(h.team.messages).toHaveLength(0);
    expect(h.remediator.requests).toHaveLength(0);
    expect(h.flags.writes).toBe(0);
    expect(await h.incidents.claimMessage(messageId)).toBe(true);
  });

  it('DRY_RUN OK: a breaker flag that cannot be read is stated as unknown instead of failing', async () => {
    const h = harness([HEALTHY], { dryRun: true });
    jest.spyOn(h.flags, 'read').mockRejectedValue(noCredentials());

    const outcome = await respondToAlarm('m-ok', recovered().alarm, h.deps);

    expect(outcome).toEqual({
      status: 'no-incident',
      alarm: ALARM_NAME,
      breaker: 'breaker retail-prediction-api: state unknown (could not read breaker flag retail-prediction-api: no AWS credentials); nothing would be closed',
    });
    expect(h.flags.writes).toBe(0);
  });

  it('live OK: a breaker flag that cannot be read fails the invocation', async () => {
    const h = harness([HEALTHY]);
    jest.spyOn(h.flags, 'read').mockRejectedValue(noCredentials());
    await expect(respondToAlarm('m-ok', recovered().alarm, h.deps)).rejects.toThrow('Could not load credentials');
    expect(h.team.messages).toHaveLength(0);
  });
});

describe("the responder's own guards cannot be read (flag, kill switch, budgets)", () => {
  const noCredentials = () => Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
  const unreadable = (h: ReturnType<typeof harness>) => {
    jest.spyOn(h.flags, 'read').mockRejectedValue(noCredentials());
    jest.spyOn(h.remediator.engine.deps.killSwitch, 'read').mockRejectedValue(new UnreadableInputError('/firebreak/dev/kill-switch', noCredentials()));
    jest.spyOn(h.remediator.engine.ledger, 'peek').mockRejectedValue(noCredentials());
    jest.spyOn(h.remediator.engine.ledger, 'claim').mockRejectedValue(noCredentials());
  };

  it('DRY_RUN: plans opening the breaker and lists each guard input it could not read; writes nothing', async () => {
    const h = harness([EXTREME], { dryRun: true });
    unreadable(h);
    const { messageId, alarm } = firing();

    const outcome = await respondToAlarm(messageId, alarm, h.deps);

    expect(outcome).toMatchObject({
      status: 'responded',
      decision: 'extreme-error-rate',
      actions: [expect.stringContaining('open breaker retail-prediction-api: DRY_RUN plan: opened, re-evaluated at 2026-11-21T03:43:30.000Z (as if there were no flag')],
      unknown: [
        'kill switch: unknown (could not read /firebreak/dev/kill-switch: no AWS credentials)',
        'breaker retail-prediction-api: unknown (could not read breaker flag retail-prediction-api: no AWS credentials)',
        'cooldown and budgets: unknown (could not read the cooldown and budgets of retail-prediction-api: no AWS credentials)',
      ],
    });
    expect(h.flags.writes).toBe(0);
  });

  it('live: an unreadable flag fails the invocation after saying so; nothing opened, nothing of the budget spent', async () => {
    const h = harness([EXTREME]);
    jest.spyOn(h.flags, 'read').mockRejectedValue(noCredentials());
    const { messageId, alarm } = firing();

    await expect(respondToAlarm(messageId, alarm, h.deps)).rejects.toThrow('Could not load credentials');

    expect(h.flags.writes).toBe(0);
    expect(h.remediator.engine.ledger.used.size).toBe(0);
    expect(h.team.texts[0]).toContain('open breaker retail-prediction-api: failed: Could not load credentials');
    expect(h.pager.pages).toHaveLength(1);
    expect(await h.incidents.claimMessage(messageId)).toBe(true);
  });

  it('live: an unreadable kill switch fails the invocation and nothing is scaled', async () => {
    const h = harness([CPU_HIGH]);
    jest.spyOn(h.remediator.engine.deps.killSwitch, 'read').mockRejectedValue(new UnreadableInputError('/firebreak/dev/kill-switch', noCredentials()));
    const { messageId, alarm } = firing();

    await expect(respondToAlarm(messageId, alarm, h.deps)).rejects.toThrow('could not read /firebreak/dev/kill-switch: no AWS credentials');

    expect(h.remediator.engine.nodegroups.calls).toHaveLength(0);
    expect(h.remediator.engine.deployments.calls).toHaveLength(0);
    expect(h.pager.pages[0]?.summary).toContain('failed: could not read /firebreak/dev/kill-switch');
  });
});

describe('breaker flags that cannot be listed (schedule)', () => {
  const noCredentials = () => Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });

  it('DRY_RUN: the sweep says the flags are unknown and re-evaluates nothing', async () => {
    const h = harness([HEALTHY], { dryRun: true });
    jest.spyOn(h.flags, 'list').mockRejectedValue(noCredentials());

    await expect(sweepBreakers(h.deps)).resolves.toEqual([
      { flag: 'breaker flags', result: 'unknown (could not read the breaker flags: no AWS credentials); nothing re-evaluated' },
    ]);
    expect(h.metrics.calls).toBe(0);
    expect(h.team.messages).toHaveLength(0);
  });

  it('live: the sweep fails so the next scheduled run tries again', async () => {
    const h = harness([HEALTHY]);
    jest.spyOn(h.flags, 'list').mockRejectedValue(noCredentials());
    await expect(sweepBreakers(h.deps)).rejects.toThrow('Could not load credentials');
  });
});

describe('respond to OK', () => {
  it('closes the breaker when metrics are healthy, resolves the incident with a review draft, and links it', async () => {
    const h = harness([EXTREME, HEALTHY]);
    await respondToAlarm('m-1', firing().alarm, h.deps);
    const incident = await h.incidents.current(ALARM_NAME);
    advance(h, 27);
    const { messageId, alarm } = recovered();
    const outcome = await respondToAlarm(messageId, alarm, h.deps);

    expect(outcome).toMatchObject({ status: 'resolved', incidentId: incident?.id });
    expect(h.flags.flags.get('retail-prediction-api')).toMatchObject({ state: 'closed', reason: expect.stringContaining('metrics healthy'), expiresAt: null });
    expect(await h.incidents.current(ALARM_NAME)).toBeUndefined();
    const review = h.incidents.reviews.get(incident?.id ?? '');
    expect(review).toContain(`# Review ${incident?.id}`);
    expect(review).toContain('| firebreak | resolved: RetailPrediction-HighErrorRate returned to OK |');
    expect(review).toContain('close breaker retail-prediction-api: closed');
    expect(h.pager.resolved).toEqual([incident?.id]);
    const resolved = h.team.messages.at(-1);
    expect(resolved?.text).toContain('Resolved');
    expect(JSON.stringify(resolved?.blocks)).toContain(`https://reviews.example.com/${encodeURIComponent(incident?.id ?? '')}`);
    expect(resolved?.text).toContain('after 27 min');
  });

  it('keeps the breaker open when the alarm is OK but the metrics are not healthy', async () => {
    const h = harness([EXTREME, { errorRate: 12, cpu: 40 }]);
    await respondToAlarm('m-1', firing().alarm, h.deps);
    advance(h, 10);
    await respondToAlarm('m-ok', recovered().alarm, h.deps);
    expect(h.flags.flags.get('retail-prediction-api')?.state).toBe('open');
    expect(h.team.texts.at(-1)).toContain('stays open: metrics not healthy yet (errorRate=12 cpu=40)');
  });

  it('an OK older than the ALARM that opened the incident (delivered late) resolves nothing and closes no breaker', async () => {
    const h = harness([EXTREME, HEALTHY]);
    const { messageId, alarm } = firing();
    await respondToAlarm(messageId, alarm, h.deps);
    const incident = await h.incidents.current(ALARM_NAME);
    expect(h.flags.flags.get('retail-prediction-api')?.state).toBe('open');

    const late = { ...recovered().alarm, changedAt: '2026-11-21T03:10:00.000Z' };
    expect(await respondToAlarm('m-late-ok', late, h.deps)).toEqual({ status: 'noted', incidentId: incident?.id, state: 'OK' });
    expect((await h.incidents.current(ALARM_NAME))?.id).toBe(incident?.id);
    expect(h.flags.flags.get('retail-prediction-api')?.state).toBe('open');
    expect(h.pager.resolved).toEqual([]);
  });

  it('a breaker parameter that is not a valid flag does not stop the incident resolving: the team is told to fix it', async () => {
    const h = harness([EXTREME, HEALTHY]);
    const { messageId, alarm } = firing();
    await respondToAlarm(messageId, alarm, h.deps);
    h.flags.read = async () => Promise.reject(new InvalidInputError('Breaker flag retail-prediction-api is not JSON'));

    const outcome = await respondToAlarm('m-ok', recovered().alarm, h.deps);

    expect(outcome).toMatchObject({ status: 'resolved', breaker: expect.stringContaining('cannot be read (Breaker flag retail-prediction-api is not JSON); nothing closed') });
    expect(await h.incidents.current(ALARM_NAME)).toBeUndefined();
    expect(h.pager.resolved).toHaveLength(1);
    expect(h.team.texts.at(-1)).toContain('fix or delete the parameter by hand');
  });

  it('closes an open breaker even without an open incident when healthy', async () => {
    const h = harness([HEALTHY]);
    h.flags.flags.set('retail-prediction-api', { state: 'open', reason: 'manual', alarm: ALARM_NAME, openedAt: '2026-11-21T02:00:00.000Z', expiresAt: '2026-11-21T04:00:00.000Z' });
    const outcome = await respondToAlarm('m-ok', recovered().alarm, h.deps);
    expect(outcome).toEqual({ status: 'no-incident', alarm: ALARM_NAME, breaker: expect.stringContaining('closed') });
    expect(h.flags.flags.get('retail-prediction-api')?.state).toBe('closed');
    expect(h.pager.resolved).toEqual([]);
  });
});

describe('breaker sweep (schedule)', () => {
  const openSince = (h: ReturnType<typeof harness>, expiresAt: string) =>
    h.flags.flags.set('retail-prediction-api', { state: 'open', reason: 'error rate 62%', alarm: ALARM_NAME, openedAt: '2026-11-21T02:43:30.000Z', expiresAt });

  it('still firing and still extreme: re-evaluates and extends the flag, keeping when it opened', async () => {
    const h = harness([EXTREME]);
    openSince(h, '2026-11-21T03:13:00.000Z');
    h.alarmStates.set(ALARM_NAME, 'ALARM');
    expect(await sweepBreakers(h.deps)).toEqual([{ flag: 'retail-prediction-api', result: 're-evaluated: extreme-error-rate' }]);
    expect(h.flags.flags.get('retail-prediction-api')).toMatchObject({ state: 'open', openedAt: '2026-11-21T02:43:30.000Z', expiresAt: '2026-11-21T03:43:30.000Z' });
    expect(h.metrics.calls).toBe(1);
    expect(h.team.texts[0]).toContain('Breaker came due for re-evaluation');
  });

  it('still firing and extreme but held back (kill switch): pages once and holds the flag open for another period', async () => {
    const h = harness([EXTREME]);
    openSince(h, '2026-11-21T03:13:00.000Z');
    h.alarmStates.set(ALARM_NAME, 'ALARM');
    Object.assign(h.remediator.killSwitch, { engaged: true });
    expect(await sweepBreakers(h.deps)).toEqual([{ flag: 'retail-prediction-api', result: 'held open: re-evaluation held back' }]);
    expect(h.pager.pages).toHaveLength(1);
    expect(h.flags.flags.get('retail-prediction-api')).toMatchObject({ state: 'open', expiresAt: '2026-11-21T03:43:30.000Z', reason: expect.stringContaining('held back') });

    advance(h, 5);
    expect(await sweepBreakers(h.deps)).toEqual([]);
    expect(h.pager.pages).toHaveLength(1);
  });

  it('a parameter under the prefix that is not a flag fails the sweep only after the other flags were re-evaluated', async () => {
    const h = harness([EXTREME]);
    openSince(h, '2026-11-21T03:13:00.000Z');
    h.alarmStates.set(ALARM_NAME, 'ALARM');
    h.flags.unreadable.set('hand-edited', new Error('Breaker flag hand-edited is not JSON'));
    await expect(sweepBreakers(h.deps)).rejects.toThrow('breaker hand-edited (Breaker flag hand-edited is not JSON)');
    expect(h.flags.flags.get('retail-prediction-api')).toMatchObject({ state: 'open', expiresAt: '2026-11-21T03:43:30.000Z' });
    expect(h.team.texts[0]).toContain('Breaker came due for re-evaluation');
  });

  it('still firing but errors no longer extreme: closes the flag and acts on the new decision', async () => {
    const h = harness([CPU_HIGH]);
    openSince(h, '2026-11-21T03:13:00.000Z');
    h.alarmStates.set(ALARM_NAME, 'ALARM');
    await sweepBreakers(h.deps);
    expect(h.flags.flags.get('retail-prediction-api')).toMatchObject({ state: 'closed', reason: expect.stringContaining('re-evaluated while') });
    expect(h.remediator.scalings).toHaveLength(2);
    expect(h.metrics.calls).toBe(1);
  });

  it('still firing, errors no longer extreme, kill switch on: the flag is held open for another period, nothing is scaled', async () => {
    const h = harness([CPU_HIGH, CPU_HIGH]);
    openSince(h, '2026-11-21T03:13:00.000Z');
    h.alarmStates.set(ALARM_NAME, 'ALARM');
    Object.assign(h.remediator.killSwitch, { engaged: true, reason: 'game day' });
    expect(await sweepBreakers(h.deps)).toEqual([{ flag: 'retail-prediction-api', result: 'held open: kill switch on' }]);
    expect(h.flags.flags.get('retail-prediction-api')).toMatchObject({ state: 'open', expiresAt: '2026-11-21T03:43:30.000Z', reason: expect.stringContaining('kill switch on') });
    // Every action of the plan reached the engine and was refused by the kill switch: nothing scaled, nothing closed.
    expect(h.remediator.engine.audit.map((e) => `${e.action} ${e.status} ${e.guard}`)).toEqual(['close-breaker refused kill-switch', 'scale-nodegroup refused kill-switch', 'scale-deployment refused kill-switch']);
    expect(h.remediator.engine.nodegroups.calls).toHaveLength(0);
    expect(h.remediator.engine.deployments.calls).toHaveLength(0);
    expect(h.pager.pages).toHaveLength(1);

    // Not looked at again (nor paged) until the new expiry.
    advance(h, 5);
    expect(await sweepBreakers(h.deps)).toEqual([]);
    expect(h.pager.pages).toHaveLength(1);
  });

  it('alarm OK and metrics healthy: closes the flag', async () => {
    const h = harness([HEALTHY]);
    openSince(h, '2026-11-21T03:13:00.000Z');
    h.alarmStates.set(ALARM_NAME, 'OK');
    expect(await sweepBreakers(h.deps)).toEqual([{ flag: 'retail-prediction-api', result: 'closed' }]);
    expect(h.flags.flags.get('retail-prediction-api')?.state).toBe('closed');
  });

  it('alarm OK but metrics not healthy (or missing): extends instead of closing blindly', async () => {
    const h = harness([{}]);
    openSince(h, '2026-11-21T03:13:00.000Z');
    h.alarmStates.set(ALARM_NAME, 'OK');
    expect(await sweepBreakers(h.deps)).toEqual([{ flag: 'retail-prediction-api', result: 'extended' }]);
    expect(h.flags.flags.get('retail-prediction-api')).toMatchObject({ state: 'open', expiresAt: '2026-11-21T03:43:30.000Z' });
  });

  it('leaves flags that are not due, and flags no service owns, open', async () => {
    const h = harness([HEALTHY]);
    openSince(h, '2026-11-21T03:30:00.000Z');
    h.flags.flags.set('checkout', { state: 'open', reason: 'manual', alarm: null, openedAt: '2026-11-21T01:00:00.000Z', expiresAt: '2026-11-21T02:00:00.000Z' });
    expect(await sweepBreakers(h.deps)).toEqual([{ flag: 'checkout', result: 'left open: no owner in the policy' }]);
    expect(h.flags.flags.get('checkout')?.state).toBe('open');
    expect(h.flags.flags.get('retail-prediction-api')?.state).toBe('open');
    expect(h.team.texts[0]).toContain('npm run breaker -- close checkout');
  });

  it('a flag no service owns is told once per period, not on every sweep', async () => {
    const h = harness([HEALTHY]);
    h.flags.flags.set('checkout', { state: 'open', reason: 'bad deploy', alarm: null, openedAt: '2026-11-21T01:00:00.000Z', expiresAt: '2026-11-21T02:00:00.000Z' });
    await sweepBreakers(h.deps);
    expect(h.flags.flags.get('checkout')).toEqual({ state: 'open', reason: 'bad deploy', alarm: null, openedAt: '2026-11-21T01:00:00.000Z', expiresAt: '2026-11-21T03:43:30.000Z' });
    expect(h.team.texts).toHaveLength(1);
    expect(h.team.texts[0]).toContain('Asking again at 2026-11-21T03:43:30.000Z');

    for (let sweep = 0; sweep < 5; sweep++) {
      advance(h, 5);
      expect(await sweepBreakers(h.deps)).toEqual([]);
    }
    expect(h.team.texts).toHaveLength(1);
  });
});

describe("diagnosis from the alarm's own definition", () => {
  /** Latest values of the produced metrics: `errors` of 1,000 requests fail. */
  const produced = (errors: number) => ({
    'RetailMLOps/APIErrorCount': errors,
    'RetailMLOps/APIRequestCount': 1000,
    'RetailMLOps/InferenceLatency': 120,
    'ContainerInsights/node_cpu_utilization': 40,
    'ContainerInsights/node_memory_utilization': 50,
  });
  const openDue = (h: ReturnType<typeof harness>) =>
    h.flags.flags.set('retail-prediction-api', { state: 'open', reason: 'error rate 62%', alarm: ALARM_NAME, openedAt: '2026-11-21T02:43:30.000Z', expiresAt: '2026-11-21T03:13:00.000Z' });

  it('ALARM: the error rate is computed from the Trigger, 620 errors in 1,000 requests opens the breaker; only HighLatency is described', async () => {
    const metrics = new EvaluatingMetrics(produced(620));
    const h = harness([], { metrics });
    const { messageId, alarm } = alarmWithTrigger('alarm-high-error-rate-alarm', ERROR_RATE_TRIGGER);

    expect(await respondToAlarm(messageId, alarm, h.deps)).toMatchObject({ status: 'responded', decision: 'extreme-error-rate' });
    expect(metrics.described).toEqual([['RetailPrediction-HighLatency']]);
    expect(h.flags.flags.get('retail-prediction-api')).toMatchObject({ state: 'open', reason: expect.stringContaining('62%') });
  });

  it('OK: the breaker closes once the error rate the Trigger computes is back under the healthy line', async () => {
    const metrics = new EvaluatingMetrics(produced(620));
    const h = harness([], { metrics });
    const firingNow = alarmWithTrigger('alarm-high-error-rate-alarm', ERROR_RATE_TRIGGER);
    await respondToAlarm(firingNow.messageId, firingNow.alarm, h.deps);
    advance(h, 20);
    metrics.latest = produced(12);
    const ok = alarmWithTrigger('alarm-high-error-rate-ok', ERROR_RATE_TRIGGER);

    expect(await respondToAlarm(ok.messageId, ok.alarm, h.deps)).toMatchObject({ status: 'resolved', breaker: expect.stringContaining('close breaker retail-prediction-api: closed') });
    expect(h.flags.flags.get('retail-prediction-api')).toMatchObject({ state: 'closed', reason: expect.stringContaining('errorRate=1.20') });
  });

  it('sweep: with no notification, the alarms are described; the flag closes when the metric-math error rate is back under the healthy line', async () => {
    const metrics = new EvaluatingMetrics(produced(40));
    const h = harness([], { metrics });
    openDue(h);
    h.alarmStates.set(ALARM_NAME, 'OK');

    expect(await sweepBreakers(h.deps)).toEqual([{ flag: 'retail-prediction-api', result: 'closed' }]);
    expect(metrics.described).toEqual([['RetailPrediction-HighErrorRate', 'RetailPrediction-HighLatency']]);
    expect(metrics.requests[0]?.MetricDataQueries?.find((q) => q.Id === 'errorRate')?.Expression).toBe('100 * errorRate_apiErrors / errorRate_apiRequests');
    expect(h.flags.flags.get('retail-prediction-api')).toMatchObject({ state: 'closed', reason: expect.stringContaining('errorRate=4') });
  });

  it('sweep: an error rate still over the healthy line keeps the flag open for another period', async () => {
    const metrics = new EvaluatingMetrics(produced(120));
    const h = harness([], { metrics });
    openDue(h);
    h.alarmStates.set(ALARM_NAME, 'OK');

    expect(await sweepBreakers(h.deps)).toEqual([{ flag: 'retail-prediction-api', result: 'extended' }]);
    expect(h.flags.flags.get('retail-prediction-api')).toMatchObject({ state: 'open', expiresAt: '2026-11-21T03:43:30.000Z', reason: expect.stringContaining('errorRate=12') });
  });

  it('live: an alarm definition that cannot be read fails the invocation before anything is told or done, and frees the message', async () => {
    const metrics = new EvaluatingMetrics(produced(620));
    metrics.describeAlarms = async () => Promise.reject(new Error('Throttling: Rate exceeded'));
    const h = harness([], { metrics });
    const { messageId, alarm } = alarmWithTrigger('alarm-high-error-rate-alarm', ERROR_RATE_TRIGGER);

    await expect(respondToAlarm(messageId, alarm, h.deps)).rejects.toThrow('Rate exceeded');
    expect(metrics.requests).toHaveLength(0);
    expect(h.team.messages).toHaveLength(0);
    expect(h.pager.pages).toHaveLength(0);
    expect(h.flags.writes).toBe(0);
    expect(await h.incidents.claimMessage(messageId)).toBe(true);
  });

  it('DRY_RUN: an alarm definition that cannot be read plans as diagnostics unavailable and pages, acting on nothing', async () => {
    const metrics = new EvaluatingMetrics(produced(620));
    metrics.describeAlarms = async () => Promise.reject(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    const h = harness([], { metrics, dryRun: true });
    const { messageId, alarm } = alarmWithTrigger('alarm-high-error-rate-alarm', ERROR_RATE_TRIGGER);

    expect(await respondToAlarm(messageId, alarm, h.deps)).toMatchObject({
      status: 'responded',
      decision: 'insufficient-data',
      actions: [],
      unknown: ['diagnostics: unavailable (could not read CloudWatch DescribeAlarms: no AWS credentials)'],
    });
    expect(h.flags.writes).toBe(0);
  });

  it('sweep, live: an alarm that no longer exists fails the re-evaluation, naming it, and leaves the flag as it was', async () => {
    const metrics = new EvaluatingMetrics(produced(10), REFERENCE_ALARMS.filter((a) => a.AlarmName !== 'RetailPrediction-HighLatency'));
    const h = harness([], { metrics });
    openDue(h);
    h.alarmStates.set(ALARM_NAME, 'OK');

    await expect(sweepBreakers(h.deps)).rejects.toThrow('could not read the definition of alarm RetailPrediction-HighLatency');
    expect(h.flags.flags.get('retail-prediction-api')).toMatchObject({ state: 'open', expiresAt: '2026-11-21T03:13:00.000Z' });
  });
});
