// Unit tests: inputs the guards cannot read — a dry run plans around them as "unknown"; a live run fails and does nothing.
import { executeRemediation } from '../../../shared/remediation/execute';
import { UnreadableInputError } from '../../../shared/read-failure';
import type { DeploymentActuator, KillSwitch, NodegroupScaler } from '../../../shared/remediation/types';
import { deploymentRequest, fakeDeps, nodegroupRequest, samplePolicy } from './support/fixtures';

/** What the AWS SDK throws when no provider in its chain found credentials. */
const noCredentials = () => Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });

const KILL_SWITCH = '/firebreak/local/kill-switch';
const unreadableKillSwitch: KillSwitch = {
  read: async () => {
    throw new UnreadableInputError(KILL_SWITCH, noCredentials());
  },
};

/** A node group scaler whose size cannot be read; any resize it is asked for is recorded. */
function unreadableNodegroups(): NodegroupScaler & { resizes: number[] } {
  const resizes: number[] = [];
  return {
    resizes,
    describe: async (t) => {
      throw new UnreadableInputError(`node group ${t.cluster}/${t.nodegroup} through eks:DescribeNodegroup`, noCredentials());
    },
    setDesired: async (_t, _c, desired) => {
      resizes.push(desired);
      return {};
    },
  };
}

/** A deployment actuator that cannot reach its cluster; any write it is asked for is recorded. */
function unreachableDeployments(): DeploymentActuator & { writes: string[] } {
  const writes: string[] = [];
  const fail = async (): Promise<never> => {
    throw new UnreadableInputError('the endpoint and credentials of cluster retail-prediction-cluster', noCredentials());
  };
  return {
    writes,
    inspect: fail,
    scale: async (t, n) => void writes.push(`scale ${t.id} ${n}`),
    setHpaMinReplicas: async (t, _h, n) => void writes.push(`hpa-min ${t.id} ${n}`),
    restart: async (t) => void writes.push(`restart ${t.id}`),
  };
}

describe('dry run: what cannot be read is "unknown" in the plan, never a crash', () => {
  it('kill switch unreadable: plans the action and says the kill switch is unknown, naming the parameter and why', async () => {
    const { deps, nodegroups, ledger, audit } = fakeDeps({ dryRun: true, killSwitch: unreadableKillSwitch });

    const outcome = await executeRemediation(nodegroupRequest(), deps);

    expect(outcome).toMatchObject({ status: 'dry-run', before: 3, after: 4 });
    const unknown = `kill switch: unknown (could not read ${KILL_SWITCH}: no AWS credentials)`;
    expect(outcome.status === 'dry-run' && outcome.unknown).toEqual([unknown]);
    expect(outcome.status === 'dry-run' && outcome.plan).toContain(unknown);
    expect(nodegroups.calls).toEqual([]);
    expect(ledger.used.size).toBe(0);
    expect(audit[0]).toMatchObject({ status: 'dry-run', dryRun: true, detail: expect.stringContaining(unknown) });
  });

  it("node group size unreadable: would request the step, capped by the policy's bounds, and resizes nothing", async () => {
    const nodegroups = unreadableNodegroups();
    const policy = samplePolicy((s) => Object.assign(s.nodegroups[0]!, { minSize: 2, maxSize: 8 }));
    const { deps } = fakeDeps({ dryRun: true, nodegroups, policy });

    const outcome = await executeRemediation(nodegroupRequest(), deps);

    expect(outcome).toMatchObject({ status: 'dry-run', target: 'retail-prediction-nodegroup' });
    if (outcome.status !== 'dry-run') throw new Error('expected a plan');
    expect(outcome.before).toBeUndefined();
    expect(outcome.after).toBeUndefined();
    expect(outcome.plan).toContain("size unknown: would request +1, capped by the policy's bounds (min 2, max 8)");
    expect(outcome.unknown).toEqual([
      'node group size: unknown (could not read node group retail-prediction-cluster/retail-prediction-nodegroup through eks:DescribeNodegroup: no AWS credentials)',
    ]);
    expect(nodegroups.resizes).toEqual([]);
  });

  it('every input unreadable (the laptop case): kill switch, size and cooldowns are all listed as unknown', async () => {
    const { deps, ledger } = fakeDeps({ dryRun: true, killSwitch: unreadableKillSwitch, nodegroups: unreadableNodegroups() });
    ledger.peek = async () => {
      throw noCredentials();
    };

    const outcome = await executeRemediation(nodegroupRequest(), deps);

    expect(outcome.status === 'dry-run' && outcome.unknown?.map((u) => u.slice(0, u.indexOf(':')))).toEqual(['kill switch', 'node group size', 'cooldown and budgets']);
    expect(outcome.status === 'dry-run' && outcome.unknown?.[2]).toBe('cooldown and budgets: unknown (could not read the cooldown and budgets of retail-prediction-nodegroup: no AWS credentials)');
  });

  it('deployment unreachable: would scale to the rule count within the policy bounds, sends no write (not even a server-side dry run)', async () => {
    const deployments = unreachableDeployments();
    const { deps } = fakeDeps({ dryRun: true, deployments });

    const outcome = await executeRemediation(deploymentRequest(), deps);

    expect(outcome).toMatchObject({ status: 'dry-run', after: 6 });
    if (outcome.status !== 'dry-run') throw new Error('expected a plan');
    expect(outcome.before).toBeUndefined();
    expect(outcome.plan).toContain("deployment mlops/retail-forecast-api replicas unknown: would scale to 6 within the policy's bounds (min 3, max 10)");
    expect(outcome.unknown).toEqual(['deployment state: unknown (could not read the endpoint and credentials of cluster retail-prediction-cluster: no AWS credentials)']);
    expect(deployments.writes).toEqual([]);
  });

  it('deployment unreachable: an absolute count over the policy maximum is planned capped, and a step is planned as a step', async () => {
    const deployments = unreachableDeployments();
    const { deps } = fakeDeps({ dryRun: true, deployments });

    const over = await executeRemediation(deploymentRequest({ action: { kind: 'scale-deployment', target: 'retail-forecast-api', replicas: { to: 40 } } }), deps);
    const step = await executeRemediation(deploymentRequest({ action: { kind: 'scale-deployment', target: 'retail-forecast-api', replicas: { step: 2 } } }), deps);

    expect(over).toMatchObject({ status: 'dry-run', after: 10, plan: expect.stringContaining('would scale to 10 (capped from 40)') });
    expect(step).toMatchObject({ status: 'dry-run', plan: expect.stringContaining('would change replicas by +2, capped by the policy') });
    expect(step.status === 'dry-run' && step.after).toBeUndefined();
    expect(deployments.writes).toEqual([]);
  });

  it('deployment unreachable: a restart is planned, saying its paused state was not checked', async () => {
    const deployments = unreachableDeployments();
    const { deps } = fakeDeps({ dryRun: true, deployments });

    const outcome = await executeRemediation(deploymentRequest({ action: { kind: 'restart-deployment', target: 'retail-forecast-api' } }), deps);

    expect(outcome).toMatchObject({ status: 'dry-run', plan: expect.stringContaining('would rollout restart it') });
    expect(outcome.status === 'dry-run' && outcome.plan).toContain('whether it is paused was not checked');
    expect(deployments.writes).toEqual([]);
  });

  it('guards that do not need the unreadable input still refuse: the policy kill switch, the allow-list, a readable bound', async () => {
    const disabled = fakeDeps({ dryRun: true, killSwitch: unreadableKillSwitch, policy: samplePolicy((s) => void (s.enabled = false)) });
    expect(await executeRemediation(nodegroupRequest(), disabled.deps)).toMatchObject({ status: 'refused', guard: 'kill-switch' });

    const stranger = fakeDeps({ dryRun: true, killSwitch: unreadableKillSwitch });
    const foreign = nodegroupRequest({ action: { kind: 'scale-nodegroup', target: 'someone-elses-nodegroup', step: 1 } });
    expect(await executeRemediation(foreign, stranger.deps)).toMatchObject({ status: 'refused', guard: 'allow-list' });

    const atMax = fakeDeps({ dryRun: true, killSwitch: unreadableKillSwitch });
    atMax.nodegroups.capacity = { desired: 6, min: 2, max: 6 };
    expect(await executeRemediation(nodegroupRequest(), atMax.deps)).toMatchObject({ status: 'refused', guard: 'bounds' });
  });
});

describe('live run: an input that cannot be read fails the invocation and nothing is done', () => {
  it('kill switch unreadable: throws naming the parameter; no read of the target, no claim, no resize, no audit', async () => {
    const { deps, nodegroups, ledger, audit, notices } = fakeDeps({ dryRun: false, killSwitch: unreadableKillSwitch });
    const describe = jest.spyOn(nodegroups, 'describe');
    const request = nodegroupRequest();

    await expect(executeRemediation(request, deps)).rejects.toThrow(`could not read ${KILL_SWITCH}: no AWS credentials`);

    expect(describe).not.toHaveBeenCalled();
    expect(nodegroups.calls).toEqual([]);
    expect(ledger.used.size).toBe(0);
    expect(audit).toEqual([]);
    expect(notices).toEqual([]);
    // The message is forgotten, so Lambda's retry acts afresh once the switch can be read.
    expect(ledger.messages.size).toBe(0);
  });

  it('node group size unreadable: throws; nothing claimed, nothing resized', async () => {
    const nodegroups = unreadableNodegroups();
    const { deps, ledger, audit } = fakeDeps({ dryRun: false, nodegroups });

    await expect(executeRemediation(nodegroupRequest(), deps)).rejects.toBeInstanceOf(UnreadableInputError);

    expect(nodegroups.resizes).toEqual([]);
    expect(ledger.used.size).toBe(0);
    expect(audit).toEqual([]);
  });

  it('deployment unreachable: throws; no write, nothing claimed', async () => {
    const deployments = unreachableDeployments();
    const { deps, ledger } = fakeDeps({ dryRun: false, deployments });

    await expect(executeRemediation(deploymentRequest(), deps)).rejects.toThrow(/cluster retail-prediction-cluster: no AWS credentials/);

    expect(deployments.writes).toEqual([]);
    expect(ledger.used.size).toBe(0);
  });
});
