// Unit tests: the remediation wiring — each function's actuators, the lazily loaded actuators, and the unwired stand-ins.
import { lazyDeploymentActuator, lazyNodegroupScaler, unwiredDeploymentActuator, unwiredNodegroupScaler } from '../../../shared/remediation/wiring';
import { config } from '../../../shared/config';
import type { DeploymentTarget, NodegroupTarget } from '../../../shared/remediation/policy';
import { scaleDeploymentDeps } from '../../../shared/remediation/scale-deployment-deps';
import { scaleNodegroupDeps } from '../../../shared/remediation/scale-nodegroup-deps';
import { FakeDeployments, FakeNodegroups, samplePolicy } from './support/fixtures';

const deployment = samplePolicy().deployments[0] as DeploymentTarget;
const nodegroup = samplePolicy().nodegroups[0] as NodegroupTarget;

describe('lazyDeploymentActuator', () => {
  it('loads nothing until first used, then loads once and passes every call through', async () => {
    const real = new FakeDeployments();
    const load = jest.fn(async () => real);

    const actuator = lazyDeploymentActuator(load);
    expect(load).not.toHaveBeenCalled();

    await expect(actuator.inspect(deployment)).resolves.toEqual({ replicas: 3, paused: false });
    await actuator.scale(deployment, 4, { dryRun: false });
    await actuator.setHpaMinReplicas(deployment, 'hpa', 5, { dryRun: true });
    await actuator.restart(deployment, '2026-11-21T05:00:00.000Z', { dryRun: false });

    expect(load).toHaveBeenCalledTimes(1);
    expect(real.calls).toEqual([
      { op: 'scale', target: deployment.id, value: 4, dryRun: false },
      { op: 'hpa-min', target: deployment.id, value: 5, dryRun: true },
      { op: 'restart', target: deployment.id, value: '2026-11-21T05:00:00.000Z', dryRun: false },
    ]);
  });

  it('shares one load between concurrent first calls', async () => {
    const load = jest.fn(async () => new FakeDeployments());
    const actuator = lazyDeploymentActuator(load);

    await Promise.all([actuator.inspect(deployment), actuator.inspect(deployment)]);

    expect(load).toHaveBeenCalledTimes(1);
  });

  it('surfaces a failed load and tries again on the next call', async () => {
    const real = new FakeDeployments();
    const load = jest.fn<Promise<FakeDeployments>, []>().mockRejectedValueOnce(new Error('cannot load the Kubernetes client')).mockResolvedValue(real);
    const actuator = lazyDeploymentActuator(load);

    await expect(actuator.scale(deployment, 4, { dryRun: false })).rejects.toThrow('cannot load the Kubernetes client');
    await actuator.scale(deployment, 4, { dryRun: false });

    expect(load).toHaveBeenCalledTimes(2);
    expect(real.calls).toEqual([{ op: 'scale', target: deployment.id, value: 4, dryRun: false }]);
  });
});

describe('lazyNodegroupScaler', () => {
  it('loads nothing until first used, then loads once and passes every call through', async () => {
    const real = new FakeNodegroups();
    const load = jest.fn(async () => real);

    const scaler = lazyNodegroupScaler(load);
    expect(load).not.toHaveBeenCalled();

    const capacity = await scaler.describe(nodegroup);
    await scaler.setDesired(nodegroup, capacity, 4);

    expect(load).toHaveBeenCalledTimes(1);
    expect(capacity).toEqual({ desired: 3, min: 2, max: 6, asgName: 'eks-retail-prediction-nodegroup-asg' });
    expect(real.calls).toEqual([{ target: nodegroup.id, desired: 4 }]);
  });

  it('surfaces a failed load and tries again on the next call', async () => {
    const load = jest.fn<Promise<FakeNodegroups>, []>().mockRejectedValueOnce(new Error('cannot load the AWS clients')).mockResolvedValue(new FakeNodegroups());
    const scaler = lazyNodegroupScaler(load);

    await expect(scaler.describe(nodegroup)).rejects.toThrow('cannot load the AWS clients');
    await expect(scaler.describe(nodegroup)).resolves.toMatchObject({ desired: 3 });

    expect(load).toHaveBeenCalledTimes(2);
  });
});

describe('unwired actuators', () => {
  it('refuse every deployment call, naming the function that does act on deployments', async () => {
    const actuator = unwiredDeploymentActuator('scaleNodegroup');
    for (const call of [
      () => actuator.inspect(deployment),
      () => actuator.scale(deployment, 4, { dryRun: false }),
      () => actuator.setHpaMinReplicas(deployment, 'hpa', 4, { dryRun: false }),
      () => actuator.restart(deployment, 'now', { dryRun: false }),
    ]) {
      await expect(call()).rejects.toThrow('scaleNodegroup does not act on Kubernetes deployments; scaleDeployment does');
    }
  });

  it('refuse every node-group call, naming the function that does resize node groups', async () => {
    const scaler = unwiredNodegroupScaler('scaleDeployment');
    await expect(scaler.describe(nodegroup)).rejects.toThrow('scaleDeployment does not resize node groups; scaleNodegroup does');
    await expect(scaler.setDesired(nodegroup, { desired: 3, min: 2, max: 6 }, 4)).rejects.toThrow('scaleDeployment does not resize node groups');
  });
});

describe('the wiring each remediation function loads when a rule first matches', () => {
  it("scaleNodegroup's takes the settings it was loaded with and has no deployment actuator", () => {
    const policy = samplePolicy();

    const deps = scaleNodegroupDeps({ policy, dryRun: true });

    expect(deps).toMatchObject({ policy, dryRun: true });
    // The settings decide, not the configuration (a dry run here): a live run needs STATE_TABLE, which this test has not set.
    expect(() => scaleNodegroupDeps({ policy, dryRun: false })).toThrow('STATE_TABLE must be set');
    return expect(deps.deployments.inspect(deployment)).rejects.toThrow('scaleNodegroup does not act on Kubernetes deployments; scaleDeployment does');
  });

  it("scaleDeployment's takes the settings it was loaded with and has no node-group actuator", () => {
    const policy = samplePolicy();

    const deps = scaleDeploymentDeps({ policy, dryRun: true }, config);

    expect(deps).toMatchObject({ policy, dryRun: true });
    expect(() => scaleDeploymentDeps({ policy, dryRun: false }, config)).toThrow('STATE_TABLE must be set');
    return expect(deps.nodegroups.describe(nodegroup)).rejects.toThrow('scaleDeployment does not resize node groups; scaleNodegroup does');
  });
});
