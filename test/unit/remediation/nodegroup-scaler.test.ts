// Unit tests: the node-group scaler against mocked EKS and Auto Scaling, on its own and behind executeRemediation.
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  ResourceContentionFault,
  ScalingActivityInProgressFault,
  SetDesiredCapacityCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeNodegroupCommand, EKSClient, ResourceInUseException, UpdateNodegroupConfigCommand } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { UnreadableInputError } from '../../../shared/read-failure';
import { ScalingInProgressError } from '../../../shared/remediation/errors';
import { executeRemediation } from '../../../shared/remediation/execute';
import { awsNodegroupScaler } from '../../../shared/remediation/nodegroup-scaler';
import { fakeDeps, nodegroupRequest, samplePolicy } from './support/fixtures';

const eks = mockClient(EKSClient);
const asg = mockClient(AutoScalingClient);
const ASG_NAME = 'eks-retail-prediction-nodegroup-8ec5a6f2';

const clients = () => ({ eks: new EKSClient({ region: 'us-east-1' }), autoScaling: new AutoScalingClient({ region: 'us-east-1' }) });

function groupOf(desired: number, min = 2, max = 6) {
  eks.on(DescribeNodegroupCommand).resolves({
    nodegroup: {
      nodegroupName: 'retail-prediction-nodegroup',
      clusterName: 'retail-prediction-cluster',
      scalingConfig: { desiredSize: desired, minSize: min, maxSize: max },
      resources: { autoScalingGroups: [{ name: ASG_NAME }] },
    },
  });
  asg.on(DescribeAutoScalingGroupsCommand, { AutoScalingGroupNames: [ASG_NAME] }).resolves({
    AutoScalingGroups: [
      { AutoScalingGroupName: ASG_NAME, DesiredCapacity: desired, MinSize: min, MaxSize: max, DefaultCooldown: 300, AvailabilityZones: [], HealthCheckType: 'EC2', CreatedTime: new Date() },
    ],
  });
}

beforeEach(() => {
  eks.reset();
  asg.reset();
});

describe('asg mode behind the guards', () => {
  const run = (overrides = {}) => {
    const setup = fakeDeps({ nodegroups: awsNodegroupScaler(clients()), ...overrides });
    return setup;
  };

  it('+1: finds the Auto Scaling group with DescribeNodegroup and sets desired capacity honouring its cooldown', async () => {
    groupOf(3);
    asg.on(SetDesiredCapacityCommand).resolves({});
    const { deps } = run();

    const outcome = await executeRemediation(nodegroupRequest(), deps);

    expect(outcome).toMatchObject({ status: 'done', before: 3, after: 4 });
    expect(eks).toHaveReceivedCommandWith(DescribeNodegroupCommand, { clusterName: 'retail-prediction-cluster', nodegroupName: 'retail-prediction-nodegroup' });
    expect(asg).toHaveReceivedCommandTimes(SetDesiredCapacityCommand, 1);
    expect(asg).toHaveReceivedCommandWith(SetDesiredCapacityCommand, { AutoScalingGroupName: ASG_NAME, DesiredCapacity: 4, HonorCooldown: true });
  });

  it('capped at max: a step of 3 from 5 with max 6 asks for 6', async () => {
    groupOf(5);
    asg.on(SetDesiredCapacityCommand).resolves({});
    const { deps } = run({ policy: samplePolicy((s) => { s.rules[0]!.action = { kind: 'scale-nodegroup', target: 'retail-prediction-nodegroup', step: 3 }; }) });

    const outcome = await executeRemediation(nodegroupRequest({ action: { kind: 'scale-nodegroup', target: 'retail-prediction-nodegroup', step: 3 } }), deps);

    expect(outcome).toMatchObject({ status: 'done', before: 5, after: 6 });
    expect(asg).toHaveReceivedCommandWith(SetDesiredCapacityCommand, { DesiredCapacity: 6 });
  });

  it('at max: no SetDesiredCapacity, the team is told with the numbers', async () => {
    groupOf(6);
    const { deps, notices } = run();

    const outcome = await executeRemediation(nodegroupRequest(), deps);

    expect(outcome).toMatchObject({ status: 'refused', guard: 'bounds' });
    expect(asg).not.toHaveReceivedCommand(SetDesiredCapacityCommand);
    expect(notices[0]?.reason).toContain('already at maximum capacity (6 of max 6)');
  });

  it.each([
    ['ScalingActivityInProgress', () => new ScalingActivityInProgressFault({ message: 'Scaling activity 7f3 is in progress and blocks this action', $metadata: {} })],
    ['ResourceContention', () => new ResourceContentionFault({ message: 'You already have a pending update to an Auto Scaling resource', $metadata: {} })],
  ])('%s is recorded as in progress after one call, not retried', async (code, error) => {
    groupOf(3);
    asg.on(SetDesiredCapacityCommand).rejects(error());
    const { deps, audit, notices } = run();

    const outcome = await executeRemediation(nodegroupRequest(), deps);

    expect(outcome).toMatchObject({ status: 'in-progress' });
    expect(outcome.status === 'in-progress' && outcome.reason).toContain(code);
    expect(asg).toHaveReceivedCommandTimes(SetDesiredCapacityCommand, 1);
    expect(audit[0]).toMatchObject({ status: 'in-progress' });
    expect(notices[0]).toMatchObject({ guard: 'in-progress' });
  });

  it('uses a named Auto Scaling group without asking EKS', async () => {
    asg.on(DescribeAutoScalingGroupsCommand, { AutoScalingGroupNames: ['named-asg'] }).resolves({
      AutoScalingGroups: [{ AutoScalingGroupName: 'named-asg', DesiredCapacity: 2, MinSize: 1, MaxSize: 4, DefaultCooldown: 300, AvailabilityZones: [], HealthCheckType: 'EC2', CreatedTime: new Date() }],
    });
    asg.on(SetDesiredCapacityCommand).resolves({});
    const { deps } = run({ policy: samplePolicy((s) => { Object.assign(s.nodegroups[0]!, { asgName: 'named-asg' }); }) });

    await expect(executeRemediation(nodegroupRequest(), deps)).resolves.toMatchObject({ status: 'done', after: 3 });
    expect(eks).not.toHaveReceivedCommand(DescribeNodegroupCommand);
    expect(asg).toHaveReceivedCommandWith(SetDesiredCapacityCommand, { AutoScalingGroupName: 'named-asg', DesiredCapacity: 3 });
  });

  it('DRY_RUN reads but never writes', async () => {
    groupOf(3);
    const { deps } = run({ dryRun: true });

    await expect(executeRemediation(nodegroupRequest(), deps)).resolves.toMatchObject({ status: 'dry-run', after: 4 });
    expect(asg).not.toHaveReceivedCommand(SetDesiredCapacityCommand);
  });

  it('kill switch and allow-list stop it before any AWS call', async () => {
    const killed = run();
    killed.killSwitch.engaged = true;
    await expect(executeRemediation(nodegroupRequest(), killed.deps)).resolves.toMatchObject({ status: 'refused', guard: 'kill-switch' });
    await expect(
      executeRemediation(nodegroupRequest({ action: { kind: 'scale-nodegroup', target: 'not-listed', step: 1 } }), run().deps),
    ).resolves.toMatchObject({ status: 'refused', guard: 'allow-list' });
    expect(eks.calls()).toHaveLength(0);
    expect(asg.calls()).toHaveLength(0);
  });
});

describe('nodegroup mode', () => {
  const target = samplePolicy((s) => { s.nodegroups[0]!.mode = 'nodegroup'; }).nodegroups[0]!;

  it('reads scalingConfig and calls UpdateNodegroupConfig with desiredSize, returning the update id', async () => {
    groupOf(3);
    eks.on(UpdateNodegroupConfigCommand).resolves({ update: { id: 'a1b2c3d4-update', status: 'InProgress', type: 'ConfigUpdate' } });
    const policy = samplePolicy((s) => { s.nodegroups[0]!.mode = 'nodegroup'; });
    const { deps } = fakeDeps({ policy, nodegroups: awsNodegroupScaler(clients()) });

    const outcome = await executeRemediation(nodegroupRequest(), deps);

    expect(outcome).toMatchObject({ status: 'done', before: 3, after: 4 });
    expect(outcome.status === 'done' && outcome.detail).toContain('update a1b2c3d4-update');
    expect(eks).toHaveReceivedCommandWith(UpdateNodegroupConfigCommand, {
      clusterName: 'retail-prediction-cluster',
      nodegroupName: 'retail-prediction-nodegroup',
      scalingConfig: { desiredSize: 4 },
    });
    expect(asg.calls()).toHaveLength(0);
  });

  it('turns ResourceInUseException into ScalingInProgressError', async () => {
    eks.on(UpdateNodegroupConfigCommand).rejects(new ResourceInUseException({ message: 'Nodegroup is currently being updated', $metadata: {} }));
    const scaler = awsNodegroupScaler(clients());

    const error = await scaler.setDesired(target, { desired: 3, min: 2, max: 6 }, 4).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ScalingInProgressError);
    expect(error).toMatchObject({ code: 'ResourceInUseException' });
  });

  it('a size that cannot be read is an UnreadableInputError naming the node group, with the cause kept', async () => {
    const denied = new Error('User is not authorized to perform: eks:DescribeNodegroup');
    eks.on(DescribeNodegroupCommand).rejects(denied);

    const error = await awsNodegroupScaler(clients()).describe(target).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UnreadableInputError);
    expect((error as Error).message).toBe(
      'could not read node group retail-prediction-cluster/retail-prediction-nodegroup through eks:DescribeNodegroup: User is not authorized to perform: eks:DescribeNodegroup',
    );
    expect((error as Error).cause).toBe(denied);
  });

  it('passes other errors through unchanged', async () => {
    eks.on(UpdateNodegroupConfigCommand).rejects(new Error('AccessDeniedException'));
    await expect(awsNodegroupScaler(clients()).setDesired(target, { desired: 3, min: 2, max: 6 }, 4)).rejects.toThrow('AccessDeniedException');
  });
});
