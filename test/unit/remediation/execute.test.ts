// Unit tests: executeRemediation runs every guard in order, audits every outcome and tells people about refusals.
import { executeRemediation } from '../../../shared/remediation/execute';
import { OutcomeUnknownError, ScalingInProgressError } from '../../../shared/remediation/errors';
import { deploymentRequest, fakeDeps, nodegroupRequest, NOW, samplePolicy } from './support/fixtures';

describe('executeRemediation — node group', () => {
  it('adds one node within bounds, audits the action with before and after, and tells nobody', async () => {
    const { deps, nodegroups, audit, notices } = fakeDeps();

    const outcome = await executeRemediation(nodegroupRequest({ messageId: 'm-1' }), deps);

    expect(outcome).toMatchObject({ status: 'done', target: 'retail-prediction-nodegroup', before: 3, after: 4 });
    expect(nodegroups.calls).toEqual([{ target: 'retail-prediction-nodegroup', desired: 4 }]);
    expect(audit).toEqual([
      expect.objectContaining({
        alarm: 'RetailPrediction-HighCPU',
        alarmState: 'ALARM',
        messageId: 'm-1',
        target: 'retail-prediction-nodegroup',
        action: 'scale-nodegroup',
        status: 'done',
        before: 3,
        after: 4,
        at: NOW.toISOString(),
        requestedBy: 'scaleNodegroup',
        dryRun: false,
      }),
    ]);
    expect(notices).toEqual([]);
  });

  it('caps a step that would pass the maximum at the maximum', async () => {
    const { deps, nodegroups } = fakeDeps({ policy: samplePolicy((s) => { s.rules[0]!.action = { kind: 'scale-nodegroup', target: 'retail-prediction-nodegroup', step: 5 }; }) });
    nodegroups.capacity = { desired: 4, min: 2, max: 6 };

    const outcome = await executeRemediation(nodegroupRequest({ action: { kind: 'scale-nodegroup', target: 'retail-prediction-nodegroup', step: 5 } }), deps);

    expect(outcome).toMatchObject({ status: 'done', before: 4, after: 6 });
    expect(nodegroups.calls).toEqual([{ target: 'retail-prediction-nodegroup', desired: 6 }]);
  });

  it('at maximum makes no call and tells the team, with the numbers', async () => {
    const { deps, nodegroups, audit, notices, ledger } = fakeDeps();
    nodegroups.capacity = { desired: 6, min: 2, max: 6 };

    const outcome = await executeRemediation(nodegroupRequest({ critical: true }), deps);

    expect(outcome).toMatchObject({ status: 'refused', guard: 'bounds', before: 6 });
    expect(outcome.status === 'refused' && outcome.reason).toContain('already at maximum capacity (6 of max 6)');
    expect(nodegroups.calls).toEqual([]);
    expect(notices).toEqual([expect.objectContaining({ guard: 'bounds', critical: true, target: 'retail-prediction-nodegroup' })]);
    expect(notices[0]?.reason).toContain('already at maximum capacity');
    expect(audit[0]).toMatchObject({ status: 'refused', guard: 'bounds' });
    // A refusal by bounds takes no cooldown or budget.
    expect(ledger.used.size).toBe(0);
  });

  it("respects the policy's tighter maxSize as well as the group's", async () => {
    const { deps, nodegroups } = fakeDeps({ policy: samplePolicy((s) => { Object.assign(s.nodegroups[0]!, { maxSize: 4 }); }) });
    nodegroups.capacity = { desired: 4, min: 2, max: 10 };

    const outcome = await executeRemediation(nodegroupRequest(), deps);

    expect(outcome).toMatchObject({ status: 'refused', guard: 'bounds' });
    expect(nodegroups.calls).toEqual([]);
  });

  it('records "another change in progress" without retrying, tells the team, and keeps the cooldown', async () => {
    const { deps, nodegroups, notices, audit, ledger } = fakeDeps();
    nodegroups.failWith = new ScalingInProgressError('ScalingActivityInProgress', 'Scaling activity 1234 is in progress');

    const outcome = await executeRemediation(nodegroupRequest(), deps);

    expect(outcome).toMatchObject({ status: 'in-progress', before: 3, after: 4 });
    expect(outcome.status === 'in-progress' && outcome.reason).toContain('ScalingActivityInProgress');
    expect(audit[0]).toMatchObject({ status: 'in-progress' });
    expect(notices[0]).toMatchObject({ guard: 'in-progress' });
    expect(ledger.cooldownUntil.has('retail-prediction-nodegroup')).toBe(true);
  });

  it('gives back cooldown and budget and forgets the message when the action fails, then throws', async () => {
    const { deps, nodegroups, ledger, audit } = fakeDeps();
    nodegroups.failWith = new Error('AccessDenied');
    const request = nodegroupRequest({ messageId: 'm-fail' });

    await expect(executeRemediation(request, deps)).rejects.toThrow('AccessDenied');

    expect(ledger.released).toEqual(['claim-retail-prediction-nodegroup']);
    expect(ledger.used.get('retail-prediction-nodegroup')).toBe(0);
    expect(ledger.messages.size).toBe(0);
    expect(audit).toEqual([]);

    // Lambda's retry runs it again rather than taking it for a duplicate.
    nodegroups.failWith = undefined;
    await expect(executeRemediation(request, deps)).resolves.toMatchObject({ status: 'done' });
  });

  it('an action done whose outcome cannot be recorded is still audited and told, and the retry does not act again', async () => {
    const { deps, ledger, nodegroups, audit } = fakeDeps();
    const finish = ledger.finishMessage.bind(ledger);
    ledger.finishMessage = async () => Promise.reject(new Error('ProvisionedThroughputExceededException'));
    const request = nodegroupRequest({ messageId: 'm-unrecorded' });

    await expect(executeRemediation(request, deps)).rejects.toThrow('ProvisionedThroughputExceededException');
    expect(nodegroups.calls).toEqual([{ target: 'retail-prediction-nodegroup', desired: 4 }]);
    expect(audit).toEqual([expect.objectContaining({ status: 'done', before: 3, after: 4, messageId: 'm-unrecorded' })]);

    ledger.finishMessage = finish;
    await expect(executeRemediation(request, deps)).resolves.toMatchObject({ status: 'duplicate' });
    expect(nodegroups.calls).toHaveLength(1);
  });

  it('keeps cooldown and budget when the action may have been applied (no answer), so the retry cannot act twice', async () => {
    const { deps, deployments, ledger } = fakeDeps();
    deployments.scale = async () => {
      throw new OutcomeUnknownError('scale deployment mlops/retail-forecast-api to 6 failed: no answer within 5000 ms; the API server may have applied it');
    };
    const request = deploymentRequest({ messageId: 'm-timeout' });

    await expect(executeRemediation(request, deps)).rejects.toThrow('may have applied it');

    expect(ledger.released).toEqual([]);
    expect(ledger.used.get('retail-forecast-api')).toBe(1);
    await expect(executeRemediation(request, deps)).resolves.toMatchObject({ status: 'refused', guard: 'cooldown' });
  });
});

describe('executeRemediation — guards in order', () => {
  it('1. the policy kill switch refuses before anything is read', async () => {
    const { deps, nodegroups, notices } = fakeDeps({ policy: samplePolicy((s) => { s.enabled = false; }) });
    const describe = jest.spyOn(nodegroups, 'describe');

    const outcome = await executeRemediation(nodegroupRequest(), deps);

    expect(outcome).toMatchObject({ status: 'refused', guard: 'kill-switch' });
    expect(describe).not.toHaveBeenCalled();
    expect(notices).toHaveLength(1);
  });

  it('1. the SSM kill switch refuses with its reason, even for an allow-listed target at bounds', async () => {
    const { deps, killSwitch, nodegroups } = fakeDeps();
    killSwitch.engaged = true;
    killSwitch.reason = 'freeze during migration';
    nodegroups.capacity = { desired: 6, min: 2, max: 6 };

    const outcome = await executeRemediation(nodegroupRequest(), deps);

    expect(outcome).toMatchObject({ status: 'refused', guard: 'kill-switch' });
    expect(outcome.status === 'refused' && outcome.reason).toContain('freeze during migration');
    expect(nodegroups.calls).toEqual([]);
  });

  it('2. the allow-list refuses a target the policy does not name, whatever the request says', async () => {
    const { deps, nodegroups, deployments, audit, notices } = fakeDeps();

    const ng = await executeRemediation(nodegroupRequest({ action: { kind: 'scale-nodegroup', target: 'payments-nodegroup', step: 1 } }), deps);
    const dep = await executeRemediation(deploymentRequest({ action: { kind: 'restart-deployment', target: 'kube-system-coredns' } }), deps);
    // A node-group id used as a deployment target is not on the deployment list either.
    const crossed = await executeRemediation(deploymentRequest({ action: { kind: 'scale-deployment', target: 'retail-prediction-nodegroup', replicas: { to: 5 } } }), deps);

    for (const outcome of [ng, dep, crossed]) expect(outcome).toMatchObject({ status: 'refused', guard: 'allow-list' });
    expect(nodegroups.calls).toEqual([]);
    expect(deployments.calls).toEqual([]);
    expect(audit.map((a) => a.guard)).toEqual(['allow-list', 'allow-list', 'allow-list']);
    expect(notices).toHaveLength(3);
  });

  it('4. the cooldown refuses a second action on the same target within its cooldown', async () => {
    const { deps, nodegroups } = fakeDeps();

    await executeRemediation(nodegroupRequest(), deps);
    const second = await executeRemediation(nodegroupRequest(), deps);

    expect(second).toMatchObject({ status: 'refused', guard: 'cooldown' });
    expect(nodegroups.calls).toHaveLength(1);
  });

  it('4. after the cooldown, the same target may act again', async () => {
    let now = NOW;
    const { deps, nodegroups } = fakeDeps({ now: () => now });

    await executeRemediation(nodegroupRequest(), deps);
    now = new Date(NOW.getTime() + 601_000);
    const later = await executeRemediation(nodegroupRequest(), deps);

    expect(later).toMatchObject({ status: 'done', before: 4, after: 5 });
    expect(nodegroups.calls).toHaveLength(2);
  });

  it('5. the per-target budget refuses once used up in the window', async () => {
    let now = NOW;
    const { deps, nodegroups } = fakeDeps({ now: () => now, policy: samplePolicy((s) => { s.nodegroups[0]!.cooldownSeconds = 0; s.budget.perTarget = 2; }) });
    nodegroups.capacity = { desired: 2, min: 2, max: 20 };

    const outcomes = [];
    for (let i = 0; i < 3; i++) {
      now = new Date(NOW.getTime() + i * 1000);
      outcomes.push(await executeRemediation(nodegroupRequest(), deps));
    }

    expect(outcomes.map((o) => o.status)).toEqual(['done', 'done', 'refused']);
    expect(outcomes[2]).toMatchObject({ guard: 'budget' });
    expect(nodegroups.calls).toHaveLength(2);
  });

  it('5. the global budget refuses across targets', async () => {
    const { deps, nodegroups, deployments } = fakeDeps({ policy: samplePolicy((s) => { s.budget.global = 1; }) });

    const first = await executeRemediation(nodegroupRequest(), deps);
    const second = await executeRemediation(deploymentRequest(), deps);

    expect(first.status).toBe('done');
    expect(second).toMatchObject({ status: 'refused', guard: 'budget' });
    expect(second.status === 'refused' && second.reason).toContain('global');
    expect(nodegroups.calls).toHaveLength(1);
    expect(deployments.calls).toEqual([]);
  });

  it('6. DRY_RUN plans without a call, takes no cooldown or budget, and audits the plan', async () => {
    const { deps, nodegroups, ledger, audit, notices } = fakeDeps({ dryRun: true });

    const outcome = await executeRemediation(nodegroupRequest(), deps);

    expect(outcome).toMatchObject({ status: 'dry-run', before: 3, after: 4 });
    expect(outcome.status === 'dry-run' && outcome.plan).toContain('desired 3 -> 4');
    expect(nodegroups.calls).toEqual([]);
    expect(ledger.used.size).toBe(0);
    expect(ledger.cooldownUntil.size).toBe(0);
    expect(audit[0]).toMatchObject({ status: 'dry-run', dryRun: true });
    expect(notices).toEqual([]);
  });

  it('6. DRY_RUN still reports what an earlier guard would refuse', async () => {
    const { deps, ledger } = fakeDeps({ dryRun: true });
    ledger.cooldownUntil.set('retail-prediction-nodegroup', NOW.getTime() + 60_000);

    const outcome = await executeRemediation(nodegroupRequest(), deps);

    expect(outcome).toMatchObject({ status: 'refused', guard: 'cooldown' });
  });

  it('a redelivered SNS message is a no-op: no read, no action, no audit, no notice', async () => {
    const { deps, nodegroups, audit } = fakeDeps();
    const request = nodegroupRequest({ messageId: 'same-message' });

    await executeRemediation(request, deps);
    const describe = jest.spyOn(nodegroups, 'describe');
    const again = await executeRemediation(structuredClone(request), deps);

    expect(again).toEqual({ status: 'duplicate', action: 'scale-nodegroup', target: 'retail-prediction-nodegroup', messageId: 'same-message' });
    expect(describe).not.toHaveBeenCalled();
    expect(nodegroups.calls).toHaveLength(1);
    expect(audit).toHaveLength(1);
  });

  it('fails the invocation when the refusal notice cannot be delivered, after writing the audit', async () => {
    const { deps, audit } = fakeDeps({ policy: samplePolicy((s) => { s.enabled = false; }) });
    const failing = { ...deps, notifier: { tell: async () => { throw new Error('Slack down'); } } };

    await expect(executeRemediation(nodegroupRequest(), failing)).rejects.toThrow(/refusal-notice \(Slack down\)/);
    expect(audit).toHaveLength(1);
  });

  it("the retry after a failed audit reports the recorded outcome and does not act again", async () => {
    const { deps, nodegroups, audit } = fakeDeps();
    let auditUp = false;
    const flaky = { ...deps, audit: { record: async (e: (typeof audit)[number]) => { if (!auditUp) throw new Error('DynamoDB unavailable'); audit.push(e); } } };
    const request = nodegroupRequest({ messageId: 'm-report' });

    await expect(executeRemediation(request, flaky)).rejects.toThrow(/audit \(DynamoDB unavailable\)/);
    expect(nodegroups.calls).toHaveLength(1);

    auditUp = true;
    const retried = await executeRemediation(structuredClone(request), flaky);
    const third = await executeRemediation(structuredClone(request), flaky);

    expect(retried).toMatchObject({ status: 'done', before: 3, after: 4 });
    expect(nodegroups.calls).toHaveLength(1);
    expect(audit).toEqual([expect.objectContaining({ messageId: 'm-report', status: 'done', before: 3, after: 4, at: NOW.toISOString() })]);
    expect(third).toMatchObject({ status: 'duplicate' });
  });
});

describe('executeRemediation — deployment', () => {
  it('scales to the absolute count of the rule', async () => {
    const { deps, deployments } = fakeDeps();

    const outcome = await executeRemediation(deploymentRequest(), deps);

    expect(outcome).toMatchObject({ status: 'done', before: 3, after: 6 });
    expect(deployments.calls).toEqual([{ op: 'scale', target: 'retail-forecast-api', value: 6, dryRun: false }]);
  });

  it('caps a step at maxReplicas', async () => {
    const { deps, deployments } = fakeDeps();
    deployments.state = { replicas: 8, paused: false };

    const outcome = await executeRemediation(deploymentRequest({ action: { kind: 'scale-deployment', target: 'retail-forecast-api', replicas: { step: 5 } } }), deps);

    expect(outcome).toMatchObject({ status: 'done', before: 8, after: 10 });
  });

  it('scales back down on OK only because the target allows it', async () => {
    const allowed = fakeDeps();
    allowed.deployments.state = { replicas: 6, paused: false };
    const ok = deploymentRequest({ alarm: { name: 'RetailPrediction-HighCPU', state: 'OK' }, action: { kind: 'scale-deployment', target: 'retail-forecast-api', replicas: { to: 3 } } });
    await expect(executeRemediation(ok, allowed.deps)).resolves.toMatchObject({ status: 'done', before: 6, after: 3 });

    const forbidden = fakeDeps({ policy: samplePolicy((s) => { s.deployments[0]!.allowScaleDown = false; }) });
    forbidden.deployments.state = { replicas: 6, paused: false };
    const refused = await executeRemediation({ ...ok, messageId: 'other' }, forbidden.deps);
    expect(refused).toMatchObject({ status: 'refused', guard: 'bounds' });
    expect(forbidden.deployments.calls).toEqual([]);
  });

  it('skips a deployment an HPA owns when the policy says skip, and says so', async () => {
    const { deps, deployments, notices } = fakeDeps();
    deployments.state = { replicas: 3, paused: false, hpa: { name: 'retail-forecast-api', minReplicas: 3, maxReplicas: 12 } };

    const outcome = await executeRemediation(deploymentRequest(), deps);

    expect(outcome).toMatchObject({ status: 'refused', guard: 'target-state' });
    expect(notices[0]?.reason).toContain('HPA retail-forecast-api owns mlops/retail-forecast-api');
    expect(deployments.calls).toEqual([]);
  });

  it("moves the HPA's minReplicas instead when the policy says adjust-min", async () => {
    const { deps, deployments } = fakeDeps({ policy: samplePolicy((s) => { s.deployments[0]!.hpa = 'adjust-min'; }) });
    deployments.state = { replicas: 4, paused: false, hpa: { name: 'forecast-hpa', minReplicas: 3, maxReplicas: 12 } };

    const outcome = await executeRemediation(deploymentRequest(), deps);

    expect(outcome).toMatchObject({ status: 'done', before: 3, after: 6 });
    expect(deployments.calls).toEqual([{ op: 'hpa-min', target: 'retail-forecast-api', value: 6, dryRun: false }]);
  });

  it('restarts by setting restartedAt to now', async () => {
    const { deps, deployments } = fakeDeps();

    const outcome = await executeRemediation(deploymentRequest({ action: { kind: 'restart-deployment', target: 'retail-forecast-api' } }), deps);

    expect(outcome).toMatchObject({ status: 'done', after: NOW.toISOString() });
    expect(deployments.calls).toEqual([{ op: 'restart', target: 'retail-forecast-api', value: NOW.toISOString(), dryRun: false }]);
  });

  it('refuses to restart a paused deployment', async () => {
    const { deps, deployments } = fakeDeps();
    deployments.state = { replicas: 3, paused: true };

    const outcome = await executeRemediation(deploymentRequest({ action: { kind: 'restart-deployment', target: 'retail-forecast-api' } }), deps);

    expect(outcome).toMatchObject({ status: 'refused', guard: 'target-state' });
    expect(outcome.status === 'refused' && outcome.reason).toContain('paused');
    expect(deployments.calls).toEqual([]);
  });

  it('in DRY_RUN sends the write with server-side dry run and reports a plan', async () => {
    const { deps, deployments, ledger } = fakeDeps({ dryRun: true });

    const outcome = await executeRemediation(deploymentRequest(), deps);

    expect(outcome).toMatchObject({ status: 'dry-run', before: 3, after: 6 });
    expect(deployments.calls).toEqual([{ op: 'scale', target: 'retail-forecast-api', value: 6, dryRun: true }]);
    expect(ledger.used.size).toBe(0);
  });
});
