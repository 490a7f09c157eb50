// Unit tests: the remediation wiring — each function's actuators, and the unwired stand-ins.
import { policyForStage } from '../../../shared/policy/load';
import { loadConfig } from '../../../shared/config';
import { deploymentRemediation, nodegroupRemediation, unwiredDeploymentActuator, unwiredNodegroupScaler } from '../../../shared/remediation/deps';
import { DISABLED_REMEDIATION, type DeploymentTarget, type NodegroupTarget } from '../../../shared/remediation/policy';
import { samplePolicy } from './support/fixtures';

const deployment = samplePolicy().deployments[0] as DeploymentTarget;
const nodegroup = samplePolicy().nodegroups[0] as NodegroupTarget;

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

describe("each remediation function's engine", () => {
  const dryRun = loadConfig({ STAGE: 'dev', DRY_RUN: 'true' });
  const live = loadConfig({ STAGE: 'dev', DRY_RUN: 'false' });
  const notifyPolicy = policyForStage('dev').notify;

  it("scaleNodegroup's follows the configuration's DRY_RUN, needs STATE_TABLE live, and has no deployment actuator nor breaker", async () => {
    const policy = samplePolicy();

    const deps = nodegroupRemediation(dryRun, { notify: notifyPolicy, remediation: policy });

    expect(deps).toMatchObject({ policy, dryRun: true });
    expect(deps.breakers.targets).toEqual([]);
    expect(() => nodegroupRemediation(live, { notify: notifyPolicy, remediation: policy })).toThrow('STATE_TABLE must be set');
    await expect(deps.deployments.inspect(deployment)).rejects.toThrow('scaleNodegroup does not act on Kubernetes deployments; scaleDeployment does');
  });

  it("scaleDeployment's follows the configuration's DRY_RUN, needs STATE_TABLE live, and has no node-group actuator nor breaker", async () => {
    const policy = samplePolicy();

    const deps = deploymentRemediation(dryRun, { notify: notifyPolicy, remediation: policy });

    expect(deps).toMatchObject({ policy, dryRun: true });
    expect(deps.breakers.targets).toEqual([]);
    expect(() => deploymentRemediation(live, { notify: notifyPolicy, remediation: policy })).toThrow('STATE_TABLE must be set');
    await expect(deps.nodegroups.describe(nodegroup)).rejects.toThrow('scaleDeployment does not resize node groups; scaleNodegroup does');
  });

  it('a stage without a remediation section does nothing', () => {
    expect(nodegroupRemediation(dryRun, { notify: notifyPolicy, remediation: undefined }).policy).toBe(DISABLED_REMEDIATION);
  });
});
