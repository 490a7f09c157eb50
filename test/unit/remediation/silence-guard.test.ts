// Unit tests: the remediation engine's silence guard — a silence or maintenance window that pauses remediation refuses the action, right after the kill switch.
import { executeRemediation } from '../../../shared/remediation/execute';
import type { RemediationRequest } from '../../../shared/remediation/types';
import { policyForStage } from '../../../shared/policy/load';
import type { Hold } from '../../../shared/silence/model';
import { pausesOf } from '../../../shared/silence/pauses';
import { quietOf } from '../../../shared/silence/quiet';
import { InMemorySilenceStore } from '../../../shared/silence/store';
import { deploymentRequest, fakeDeps, nodegroupRequest, NOW, SAMPLE_BREAKER } from './support/fixtures';

const UNTIL = new Date(NOW.getTime() + 2 * 3_600_000).toISOString();

const silenceHold = (overrides: Partial<Extract<Hold, { kind: 'silence' }>> = {}): Hold => ({
  kind: 'silence',
  id: 'sil-0000000001',
  reason: 'migrating the feature store',
  by: 'alice@example.com',
  startsAt: NOW.toISOString(),
  endsAt: UNTIL,
  pauseRemediation: true,
  ...overrides,
});

const windowHold: Hold = {
  kind: 'window',
  id: 'window:weekly-patching',
  name: 'weekly-patching',
  reason: 'node patching',
  by: 'policy',
  startsAt: NOW.toISOString(),
  endsAt: UNTIL,
  pauseRemediation: true,
};

describe('executeRemediation — the silence guard', () => {
  it('a hold that pauses remediation refuses with guard "silence", naming the silence in the reason', async () => {
    const { deps, holds } = fakeDeps();
    holds.push(silenceHold());

    const outcome = await executeRemediation(nodegroupRequest(), deps);

    expect(outcome).toEqual({
      status: 'refused',
      action: 'scale-nodegroup',
      target: 'retail-prediction-nodegroup',
      guard: 'silence',
      reason: `remediation is paused by silence sil-0000000001 (migrating the feature store, by alice@example.com, until ${UNTIL})`,
    });
  });

  it('writes the refusal to the audit trail and tells people, never as a page even for a critical request', async () => {
    const { deps, holds, audit, notices } = fakeDeps();
    holds.push(silenceHold());

    await executeRemediation(nodegroupRequest({ messageId: 'm-silenced', critical: true }), deps);

    expect(audit).toEqual([
      expect.objectContaining({
        messageId: 'm-silenced',
        alarm: 'RetailPrediction-HighCPU',
        target: 'retail-prediction-nodegroup',
        action: 'scale-nodegroup',
        status: 'refused',
        guard: 'silence',
        reason: expect.stringContaining('silence sil-0000000001'),
        at: NOW.toISOString(),
        dryRun: false,
      }),
    ]);
    expect(notices).toEqual([expect.objectContaining({ guard: 'silence', critical: false, target: 'retail-prediction-nodegroup', reason: expect.stringContaining('sil-0000000001') })]);
  });

  it('another guard still pages for a critical request (only the silence guard is never critical)', async () => {
    const { deps, nodegroups, notices } = fakeDeps();
    nodegroups.capacity = { desired: 6, min: 2, max: 6 };

    await executeRemediation(nodegroupRequest({ critical: true }), deps);

    expect(notices).toEqual([expect.objectContaining({ guard: 'bounds', critical: true })]);
  });

  it('spends nothing and reads nothing more: no cooldown or budget, no actuator called, no target described', async () => {
    const { deps, holds, ledger, nodegroups } = fakeDeps();
    const describe = jest.spyOn(nodegroups, 'describe');
    holds.push(silenceHold());

    await executeRemediation(nodegroupRequest(), deps);

    expect(ledger.used.size).toBe(0);
    expect(ledger.cooldownUntil.size).toBe(0);
    expect(ledger.released).toEqual([]);
    expect(describe).not.toHaveBeenCalled();
    expect(nodegroups.calls).toEqual([]);
  });

  it('refuses deployments and breakers alike; the flag is not written', async () => {
    const { deps, holds, deployments, flags } = fakeDeps();
    holds.push(silenceHold());
    const breaker: RemediationRequest = {
      messageId: 'respond:m-silenced',
      alarm: { name: 'RetailPrediction-HighErrorRate', state: 'ALARM' },
      action: { kind: 'open-breaker', target: SAMPLE_BREAKER, reason: 'Error rate 62.50% is over the extreme line of 50%' },
      requestedBy: 'respond',
    };

    const scaled = await executeRemediation(deploymentRequest(), deps);
    const opened = await executeRemediation(breaker, deps);

    expect(scaled).toMatchObject({ status: 'refused', guard: 'silence' });
    expect(opened).toMatchObject({ status: 'refused', guard: 'silence' });
    expect(deployments.calls).toEqual([]);
    expect(flags.writes).toBe(0);
  });

  it('a maintenance window that pauses remediation is named as the window', async () => {
    const { deps, holds } = fakeDeps();
    holds.push(windowHold);

    const outcome = await executeRemediation(nodegroupRequest(), deps);

    expect(outcome).toMatchObject({ status: 'refused', guard: 'silence', reason: `remediation is paused by maintenance window weekly-patching (node patching, by policy, until ${UNTIL})` });
  });

  it('the hold named is the one that pauses, even when a longer hold that does not pause comes first', async () => {
    const { deps, holds } = fakeDeps();
    holds.push(silenceHold({ id: 'sil-quiet-only', endsAt: new Date(NOW.getTime() + 5 * 3_600_000).toISOString(), pauseRemediation: false }), silenceHold({ id: 'sil-pausing' }));

    const outcome = await executeRemediation(nodegroupRequest(), deps);

    expect(outcome.status === 'refused' && outcome.reason).toContain('silence sil-pausing');
  });

  it('a hold without pauseRemediation lets the action proceed', async () => {
    const { deps, holds, nodegroups, notices } = fakeDeps();
    holds.push(silenceHold({ pauseRemediation: false }), { ...windowHold, pauseRemediation: false });

    const outcome = await executeRemediation(nodegroupRequest(), deps);

    expect(outcome).toMatchObject({ status: 'done', before: 3, after: 4 });
    expect(nodegroups.calls).toEqual([{ target: 'retail-prediction-nodegroup', desired: 4 }]);
    expect(notices).toEqual([]);
  });

  it('the kill switch still comes first: refused by it, the silences not even read', async () => {
    const { deps, killSwitch, holds, audit } = fakeDeps();
    killSwitch.engaged = true;
    killSwitch.reason = 'freeze during migration';
    holds.push(silenceHold());
    const pausing = jest.spyOn(deps.pauses, 'pausing');

    const outcome = await executeRemediation(nodegroupRequest(), deps);

    expect(outcome).toMatchObject({ status: 'refused', guard: 'kill-switch' });
    expect(audit.map((a) => a.guard)).toEqual(['kill-switch']);
    expect(pausing).not.toHaveBeenCalled();
  });

  it('asks about the request\'s alarm at the engine\'s clock', async () => {
    const { deps } = fakeDeps();
    const pausing = jest.spyOn(deps.pauses, 'pausing');

    await executeRemediation(nodegroupRequest({ alarm: { name: 'RetailPrediction-HighCPU', state: 'ALARM', description: 'severity=critical' } }), deps);

    expect(pausing).toHaveBeenCalledWith({ name: 'RetailPrediction-HighCPU', state: 'ALARM', description: 'severity=critical' }, NOW);
  });

  it('silences that cannot be read: a live run acts on nothing and throws; a dry run plans and says so', async () => {
    const unreadable = { pausing: async () => Promise.reject(new Error('AccessDeniedException: not authorized to perform dynamodb:Query')) };
    const live = fakeDeps({ pauses: unreadable });

    await expect(executeRemediation(nodegroupRequest(), live.deps)).rejects.toThrow('AccessDeniedException');
    expect(live.nodegroups.calls).toEqual([]);
    expect(live.ledger.used.size).toBe(0);

    const dry = fakeDeps({ pauses: unreadable, dryRun: true });
    const outcome = await executeRemediation(nodegroupRequest(), dry.deps);
    expect(outcome).toMatchObject({ status: 'dry-run' });
    expect(outcome.status === 'dry-run' && outcome.plan).toContain('silences: unknown');
  });

  it('over the stored silences, the alarm\'s severity decided as notify decides it', async () => {
    const routing = policyForStage('dev').notify;
    const store = new InMemorySilenceStore([
      {
        id: 'sil-critical01',
        alarms: ['RetailPrediction-*'],
        severities: ['critical'],
        startsAt: NOW.toISOString(),
        endsAt: UNTIL,
        reason: 'failover drill',
        createdBy: 'alice@example.com',
        createdAt: NOW.toISOString(),
        pauseRemediation: true,
      },
    ]);
    const { deps } = fakeDeps({ pauses: pausesOf(quietOf(store, routing.windows), routing) });

    // The dev policy makes HighCPU a warning; its description cannot make it critical (a policy rule wins).
    const warning = await executeRemediation(nodegroupRequest({ alarm: { name: 'RetailPrediction-HighCPU', state: 'ALARM', description: 'severity=critical' } }), deps);
    const critical = await executeRemediation(deploymentRequest({ alarm: { name: 'RetailPrediction-Shard07-Errors', state: 'ALARM', description: '[P1] errors' } }), deps);

    expect(warning).toMatchObject({ status: 'done' });
    expect(critical).toMatchObject({ status: 'refused', guard: 'silence', reason: expect.stringContaining('silence sil-critical01 (failover drill') });
  });
});
