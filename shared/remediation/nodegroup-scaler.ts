// Adapter: resizes an EKS node group through its Auto Scaling group (`asg`) or eks:UpdateNodegroupConfig (`nodegroup`).
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  SetDesiredCapacityCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeNodegroupCommand, EKSClient, UpdateNodegroupConfigCommand } from '@aws-sdk/client-eks';
import { lazyClient } from '../aws/lazy-client';
import { UnreadableInputError } from '../read-failure';
import { ScalingInProgressError } from './errors';
import type { NodegroupTarget } from './policy';
import type { NodegroupCapacity, NodegroupScaler } from './types';

// Few SDK attempts: a scaling call that AWS refuses as busy must not turn into a retry storm.
// Created on the first scaling call, then kept for the container: an alarm no rule acts on never builds them.
export const autoScaling = lazyClient(() => new AutoScalingClient({ maxAttempts: 2 }));
export const eks = lazyClient(() => new EKSClient({ maxAttempts: 3 }));

/** AWS error names (and their wire codes) that mean another change to the group is under way. */
const IN_PROGRESS_ERRORS: Readonly<Record<string, string>> = {
  ScalingActivityInProgressFault: 'ScalingActivityInProgress',
  ScalingActivityInProgress: 'ScalingActivityInProgress',
  ResourceContentionFault: 'ResourceContention',
  ResourceContention: 'ResourceContention',
  ResourceInUseException: 'ResourceInUseException',
};

/** Turns the "another change is under way" family of AWS errors into ScalingInProgressError; rethrows the rest. */
export function classifyScalingError(error: unknown): never {
  const name = error instanceof Error ? error.name : undefined;
  const code = name ? IN_PROGRESS_ERRORS[name] : undefined;
  if (code && error instanceof Error) throw new ScalingInProgressError(code, error.message, { cause: error });
  throw error;
}

/** The real NodegroupScaler over the EKS and Auto Scaling APIs; clients are parameters so tests can pass others. */
export function awsNodegroupScaler(
  clients: { readonly eks: EKSClient; readonly autoScaling: AutoScalingClient } = { get eks() { return eks(); }, get autoScaling() { return autoScaling(); } },
): NodegroupScaler {
  async function asgNameOf(target: NodegroupTarget): Promise<string> {
    if (target.asgName) return target.asgName;
    const { nodegroup } = await clients.eks.send(new DescribeNodegroupCommand({ clusterName: target.cluster, nodegroupName: target.nodegroup }));
    const name = nodegroup?.resources?.autoScalingGroups?.[0]?.name;
    if (!name) throw new Error(`Node group ${target.cluster}/${target.nodegroup} has no Auto Scaling group in eks:DescribeNodegroup`);
    return name;
  }

  async function capacityOf(target: NodegroupTarget): Promise<NodegroupCapacity> {
    if (target.mode === 'nodegroup') {
      const { nodegroup } = await clients.eks.send(new DescribeNodegroupCommand({ clusterName: target.cluster, nodegroupName: target.nodegroup }));
      const scaling = nodegroup?.scalingConfig;
      if (scaling?.desiredSize === undefined || scaling.minSize === undefined || scaling.maxSize === undefined) {
        throw new Error(`Node group ${target.cluster}/${target.nodegroup} has no scalingConfig in eks:DescribeNodegroup`);
      }
      return { desired: scaling.desiredSize, min: scaling.minSize, max: scaling.maxSize };
    }
    const asgName = await asgNameOf(target);
    const { AutoScalingGroups } = await clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [asgName] }));
    const group = AutoScalingGroups?.[0];
    if (!group || group.DesiredCapacity === undefined || group.MinSize === undefined || group.MaxSize === undefined) {
      throw new Error(`Auto Scaling group ${asgName} of ${target.cluster}/${target.nodegroup} was not found`);
    }
    return { desired: group.DesiredCapacity, min: group.MinSize, max: group.MaxSize, asgName };
  }

  return {
    async describe(target): Promise<NodegroupCapacity> {
      try {
        return await capacityOf(target);
      } catch (error) {
        const via = target.mode === 'nodegroup' || !target.asgName ? 'eks:DescribeNodegroup' : `Auto Scaling group ${target.asgName}`;
        throw new UnreadableInputError(`node group ${target.cluster}/${target.nodegroup} through ${via}`, error);
      }
    },

    async setDesired(target, capacity, desired) {
      try {
        if (target.mode === 'nodegroup') {
          const { update } = await clients.eks.send(
            new UpdateNodegroupConfigCommand({ clusterName: target.cluster, nodegroupName: target.nodegroup, scalingConfig: { desiredSize: desired } }),
          );
          return { updateId: update?.id };
        }
        const asgName = capacity.asgName ?? (await asgNameOf(target));
        await clients.autoScaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: asgName, DesiredCapacity: desired, HonorCooldown: true }));
        return {};
      } catch (error) {
        return classifyScalingError(error);
      }
    },
  };
}
