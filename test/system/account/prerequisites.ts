// System suite and sandbox: what an operator has in the account before the first deploy (README, "Prerequisites in the account").
import { CreateAutoScalingGroupCommand, CreateLaunchConfigurationCommand, type AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CreateLogGroupCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CreateClusterCommand, CreateNodegroupCommand, DescribeNodegroupCommand, type EKSClient } from '@aws-sdk/client-eks';
import { PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { ACCOUNT_ID } from '../emulator/moto';

/** The reference workload, as serverless.yml's params and every stage policy name it. */
export const REFERENCE_WORKLOAD = {
  cluster: 'retail-prediction-cluster',
  nodegroup: 'retail-prediction-nodegroup',
  apiLogGroup: '/aws/containerinsights/retail-prediction-cluster/application',
  trainingLogGroup: '/aws/sagemaker/TrainingJobs',
  deployment: { namespace: 'mlops', name: 'retail-forecast-api', replicas: 3 },
  nodegroupCapacity: { min: 2, max: 6, desired: 3 },
} as const;

/** The SSM parameters serverless.yml names for a stage. */
export const stageParameters = (stage: string) =>
  ({
    slackWebhookParam: `/firebreak/${stage}/slack-webhook-url`,
    pagerDutyRoutingKeyParam: `/firebreak/${stage}/pagerduty-routing-key`,
    slackBotTokenParam: `/firebreak/${stage}/slack-bot-token`,
    slackSigningSecretParam: `/firebreak/${stage}/slack-signing-secret`,
    killSwitchParam: `/firebreak/${stage}/kill-switch`,
  }) as const;

export interface PrerequisiteClients {
  readonly logs: CloudWatchLogsClient;
  readonly ssm: SSMClient;
  readonly eks: EKSClient;
  readonly autoScaling: AutoScalingClient;
}

export interface PrerequisiteOptions {
  readonly stage: string;
  readonly region: string;
  /** The SecureString parameters a deployed stage reads its secrets from; absent where the secrets are given directly (stage local). */
  readonly secrets?: {
    readonly slackWebhookUrl: string;
    readonly pagerDutyRoutingKey: string;
    /** The Slack app's bot token and signing secret (slackActions; notify in app mode). */
    readonly slackBotToken?: string;
    readonly slackSigningSecret?: string;
  };
}

/**
 * Creates the log groups, the secret parameters (when given), the kill switch (`off`), the EKS cluster with its
 * managed node group, and the node group's Auto Scaling group. Returns the Auto Scaling group's name.
 */
export async function prerequisites(clients: PrerequisiteClients, options: PrerequisiteOptions): Promise<string> {
  const w = REFERENCE_WORKLOAD;
  const params = stageParameters(options.stage);
  for (const logGroupName of [w.apiLogGroup, w.trainingLogGroup]) await clients.logs.send(new CreateLogGroupCommand({ logGroupName }));
  if (options.secrets) {
    await clients.ssm.send(new PutParameterCommand({ Name: params.slackWebhookParam, Type: 'SecureString', Value: options.secrets.slackWebhookUrl }));
    await clients.ssm.send(new PutParameterCommand({ Name: params.pagerDutyRoutingKeyParam, Type: 'SecureString', Value: options.secrets.pagerDutyRoutingKey }));
    const { slackBotToken, slackSigningSecret } = options.secrets;
    if (slackBotToken) await clients.ssm.send(new PutParameterCommand({ Name: params.slackBotTokenParam, Type: 'SecureString', Value: slackBotToken }));
    if (slackSigningSecret) await clients.ssm.send(new PutParameterCommand({ Name: params.slackSigningSecretParam, Type: 'SecureString', Value: slackSigningSecret }));
  }
  await clients.ssm.send(new PutParameterCommand({ Name: params.killSwitchParam, Type: 'String', Value: 'off' }));
  const role = `arn:aws:iam::${ACCOUNT_ID}:role/eks-cluster`;
  await clients.eks.send(new CreateClusterCommand({ name: w.cluster, roleArn: role, resourcesVpcConfig: { subnetIds: ['subnet-1a', 'subnet-1b'] } }));
  const c = w.nodegroupCapacity;
  await clients.eks.send(
    new CreateNodegroupCommand({
      clusterName: w.cluster,
      nodegroupName: w.nodegroup,
      nodeRole: `arn:aws:iam::${ACCOUNT_ID}:role/eks-nodes`,
      subnets: ['subnet-1a', 'subnet-1b'],
      scalingConfig: { minSize: c.min, maxSize: c.max, desiredSize: c.desired },
    }),
  );
  // EKS creates the managed node group's Auto Scaling group; the emulator only names it (moto_server.py, gap 10).
  const { nodegroup } = await clients.eks.send(new DescribeNodegroupCommand({ clusterName: w.cluster, nodegroupName: w.nodegroup }));
  const asgName = nodegroup?.resources?.autoScalingGroups?.[0]?.name;
  if (!asgName) throw new Error('the emulator gave the node group no Auto Scaling group name');
  await clients.autoScaling.send(new CreateLaunchConfigurationCommand({ LaunchConfigurationName: `${asgName}-lc`, ImageId: 'ami-12c6146b', InstanceType: 'm5.xlarge' }));
  await clients.autoScaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: asgName,
      LaunchConfigurationName: `${asgName}-lc`,
      MinSize: c.min,
      MaxSize: c.max,
      DesiredCapacity: c.desired,
      AvailabilityZones: [`${options.region}a`],
    }),
  );
  return asgName;
}
