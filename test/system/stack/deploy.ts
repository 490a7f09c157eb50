// System suite: deploys what `serverless package` generated into the emulator, as `serverless deploy` would, then creates what its CloudFormation skips.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
  type StackResource,
} from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, PutCompositeAlarmCommand, PutMetricAlarmCommand, type PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, PutMetricFilterCommand, PutSubscriptionFilterCommand, type MetricTransformation } from '@aws-sdk/client-cloudwatch-logs';
import { IAMClient, GetRoleCommand } from '@aws-sdk/client-iam';
import { LambdaClient, GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import type { Json, JsonObject, Resource, Template } from '../../packaging/serverless';
import { FUNCTION_NAMES, functionLogicalId, type FunctionName } from '../../packaging/serverless';
import { ACCOUNT_ID, type Emulator } from '../emulator/moto';
import { resolve, type StackFacts } from './intrinsics';

/** Resource types the emulator's CloudFormation accepts but does not create; the suite creates them from their definitions. */
const SKIPPED_BY_EMULATOR = new Set([
  'AWS::CloudWatch::Alarm',
  'AWS::CloudWatch::CompositeAlarm',
  'AWS::SNS::Subscription',
  'AWS::Logs::MetricFilter',
  'AWS::Logs::SubscriptionFilter',
  'AWS::Logs::Transformer',
]);

/**
 * Resource types the emulator's CloudFormation skips and the suite does not create: it reads them
 * from the template where it plays the service that would apply them.
 */
const READ_FROM_TEMPLATE = new Map([
  // The suite's Lambda service retries and routes failures by the function's EventInvokeConfig.
  ['AWS::Lambda::EventInvokeConfig', 'retries and on-failure destination, applied by the suite'],
  // Resource policies: the emulator does not evaluate them (what they allow is proved only in an account).
  ['AWS::S3::BucketPolicy', 'resource policy, not evaluated by the emulator'],
  ['AWS::SNS::TopicPolicy', 'resource policy, not evaluated by the emulator'],
  ['AWS::SQS::QueuePolicy', 'resource policy, not evaluated by the emulator'],
]);

/** A deployed function, as Lambda would run it. */
export interface DeployedFunction {
  readonly name: FunctionName;
  readonly functionName: string;
  readonly arn: string;
  readonly roleArn: string;
  readonly handler: string;
  readonly timeoutSeconds: number;
  /** The environment Lambda gives the function: the template's, as the emulator stored it. */
  readonly environment: Readonly<Record<string, string>>;
  readonly zipPath: string;
  /** Retries of an asynchronous event (EventInvokeConfig), then its on-failure destination. */
  readonly maximumRetryAttempts: number;
  readonly onFailureDestination?: string;
}

export interface DeployedStack {
  readonly stackName: string;
  readonly template: Template;
  readonly facts: StackFacts;
  readonly functions: ReadonlyMap<FunctionName, DeployedFunction>;
  /** Resolved definitions of the resources the suite created itself (the emulator's CloudFormation skipped them). */
  readonly created: ReadonlyMap<string, { type: string; properties: JsonObject }>;
}

export interface Clients {
  readonly cloudFormation: CloudFormationClient;
  readonly s3: S3Client;
  readonly cloudWatch: CloudWatchClient;
  readonly logs: CloudWatchLogsClient;
  readonly sns: SNSClient;
  readonly lambda: LambdaClient;
  readonly iam: IAMClient;
}

export function adminClients(emulator: Emulator, region: string): Clients {
  const config = { endpoint: emulator.endpoint, region, credentials: emulator.admin, maxAttempts: 1 };
  return {
    cloudFormation: new CloudFormationClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
    // moto cannot read the gzip bodies the SDK sends for large PutMetricData requests (the suite's own, not Firebreak's).
    cloudWatch: new CloudWatchClient({ ...config, disableRequestCompression: true }),
    logs: new CloudWatchLogsClient(config),
    sns: new SNSClient(config),
    lambda: new LambdaClient(config),
    iam: new IAMClient(config),
  };
}

async function waitForStack(cfn: CloudFormationClient, stackName: string, goal: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const status = Stacks?.[0]?.StackStatus ?? 'UNKNOWN';
    if (status === goal) return;
    if (status.endsWith('FAILED') || status.includes('ROLLBACK')) {
      throw new Error(`stack ${stackName} went to ${status}: ${Stacks?.[0]?.StackStatusReason ?? 'no reason given'}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`stack ${stackName} did not reach ${goal}`);
}

const s3KeyOf = (resource: Resource): string => {
  const code = resource.Properties.Code as JsonObject;
  return String(code.S3Key);
};

async function stackFacts(clients: Clients, stackName: string, region: string): Promise<{ facts: StackFacts; resources: StackResource[] }> {
  const { StackResources = [] } = await clients.cloudFormation.send(new DescribeStackResourcesCommand({ StackName: stackName }));
  const physicalIds = new Map<string, string>();
  const attributes = new Map<string, string>();
  for (const r of StackResources) {
    if (!r.LogicalResourceId || !r.PhysicalResourceId) continue;
    physicalIds.set(r.LogicalResourceId, r.PhysicalResourceId);
    if (r.ResourceType === 'AWS::Lambda::Function') {
      const config = await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: r.PhysicalResourceId }));
      attributes.set(`${r.LogicalResourceId}.Arn`, config.FunctionArn ?? '');
    } else if (r.ResourceType === 'AWS::IAM::Role') {
      const { Role } = await clients.iam.send(new GetRoleCommand({ RoleName: r.PhysicalResourceId }));
      attributes.set(`${r.LogicalResourceId}.Arn`, Role?.Arn ?? '');
    } else if (r.ResourceType === 'AWS::SQS::Queue') {
      const name = r.PhysicalResourceId.split('/').pop() ?? '';
      attributes.set(`${r.LogicalResourceId}.Arn`, `arn:aws:sqs:${region}:${ACCOUNT_ID}:${name}`);
      attributes.set(`${r.LogicalResourceId}.QueueName`, name);
    } else if (r.ResourceType === 'AWS::DynamoDB::Table') {
      attributes.set(`${r.LogicalResourceId}.Arn`, `arn:aws:dynamodb:${region}:${ACCOUNT_ID}:table/${r.PhysicalResourceId}`);
    }
  }
  return { facts: { region, accountId: ACCOUNT_ID, physicalIds, attributes }, resources: StackResources };
}

/** Creates one skipped resource from its resolved definition, through the API CloudFormation would have called. */
async function createSkipped(clients: Pick<Clients, 'cloudWatch' | 'logs' | 'sns'>, stackName: string, logicalId: string, type: string, p: JsonObject): Promise<void> {
  switch (type) {
    case 'AWS::CloudWatch::Alarm':
      // The template's properties are PutMetricAlarm's parameters, by CloudFormation's schema.
      await clients.cloudWatch.send(new PutMetricAlarmCommand(p as unknown as PutMetricAlarmCommandInput));
      return;
    case 'AWS::CloudWatch::CompositeAlarm':
      await clients.cloudWatch.send(
        new PutCompositeAlarmCommand({
          AlarmName: String(p.AlarmName),
          AlarmDescription: p.AlarmDescription as string | undefined,
          AlarmRule: String(p.AlarmRule),
          AlarmActions: p.AlarmActions as string[] | undefined,
          OKActions: p.OKActions as string[] | undefined,
        }),
      );
      return;
    case 'AWS::SNS::Subscription': {
      const attributes: Record<string, string> = {};
      for (const key of ['RedrivePolicy', 'FilterPolicy', 'FilterPolicyScope', 'RawMessageDelivery'] as const) {
        const value = p[key];
        if (value !== undefined) attributes[key] = typeof value === 'string' ? value : JSON.stringify(value);
      }
      await clients.sns.send(
        new SubscribeCommand({ TopicArn: String(p.TopicArn), Protocol: String(p.Protocol), Endpoint: String(p.Endpoint), Attributes: attributes, ReturnSubscriptionArn: true }),
      );
      return;
    }
    case 'AWS::Logs::MetricFilter': {
      const transformations = (p.MetricTransformations as JsonObject[]).map(
        (t): MetricTransformation => ({
          metricNamespace: String(t.MetricNamespace),
          metricName: String(t.MetricName),
          metricValue: String(t.MetricValue),
          defaultValue: t.DefaultValue === undefined ? undefined : Number(t.DefaultValue),
          unit: t.Unit as MetricTransformation['unit'],
        }),
      );
      await clients.logs.send(
        new PutMetricFilterCommand({
          logGroupName: String(p.LogGroupName),
          filterName: String(p.FilterName ?? `${stackName}-${logicalId}`),
          filterPattern: String(p.FilterPattern),
          metricTransformations: transformations,
        }),
      );
      return;
    }
    case 'AWS::Logs::SubscriptionFilter':
      await clients.logs.send(
        new PutSubscriptionFilterCommand({
          logGroupName: String(p.LogGroupName),
          filterName: String(p.FilterName ?? `${stackName}-${logicalId}`),
          filterPattern: String(p.FilterPattern),
          destinationArn: String(p.DestinationArn),
        }),
      );
      return;
    case 'AWS::Logs::Transformer':
      // The emulator has no transformer API: the suite's log pipeline applies this definition itself.
      return;
    default:
      throw new Error(`no way to create ${type} ${logicalId}`);
  }
}

/**
 * Whether a resource's CloudFormation condition holds (one without a condition always exists). The template's
 * conditions are `Fn::Equals` of two strings the framework resolved (serverless.yml: whether a function is
 * subscribed to the alarms topic); any other form fails loudly rather than be guessed.
 */
function conditionHolds(template: Template & { Conditions?: Record<string, JsonObject> }, resource: Resource): boolean {
  const name = (resource as Resource & { Condition?: string }).Condition;
  if (name === undefined) return true;
  const equals = template.Conditions?.[name]?.['Fn::Equals'];
  if (Array.isArray(equals) && equals.length === 2 && equals.every((v) => typeof v === 'string')) return equals[0] === equals[1];
  throw new Error(`condition ${name} is not Fn::Equals of two strings: the suite evaluates no other`);
}

function dependsOn(resource: Resource): string[] {
  return resource.DependsOn === undefined ? [] : Array.isArray(resource.DependsOn) ? resource.DependsOn : [resource.DependsOn];
}

/** The resource types `createFromDefinitions` creates, in the order it creates them. */
export const CREATED_FROM_DEFINITIONS = [
  'AWS::Logs::Transformer',
  'AWS::Logs::MetricFilter',
  'AWS::Logs::SubscriptionFilter',
  'AWS::SNS::Subscription',
  'AWS::CloudWatch::Alarm',
  'AWS::CloudWatch::CompositeAlarm',
] as const;

/**
 * Creates resources from their template definitions, resolved against `facts`, through the APIs CloudFormation
 * would have called: in dependency order (a metric filter after the transformer it reads, a composite after its
 * children). Each created alarm's name becomes its `Ref` in `facts`. Returns the resolved definitions by logical id.
 */
export async function createFromDefinitions(
  clients: Pick<Clients, 'cloudWatch' | 'logs' | 'sns'>,
  stackName: string,
  resources: readonly (readonly [string, Resource])[],
  facts: StackFacts,
): Promise<Map<string, { type: string; properties: JsonObject }>> {
  const created = new Map<string, { type: string; properties: JsonObject }>();
  const unknown = resources.filter(([, r]) => !(CREATED_FROM_DEFINITIONS as readonly string[]).includes(r.Type));
  if (unknown.length > 0) throw new Error(`no way to create ${unknown.map(([id, r]) => `${id} (${r.Type})`).join(', ')}`);
  const pending = new Map(resources);
  for (const type of CREATED_FROM_DEFINITIONS) {
    for (const [id, r] of [...pending]) {
      if (r.Type !== type) continue;
      const blocked = dependsOn(r).filter((d) => pending.has(d) && pending.get(d)!.Type !== type);
      if (blocked.length > 0) throw new Error(`${id} depends on ${blocked.join(', ')}, not yet created`);
      const properties = resolve(r.Properties as Json, facts) as JsonObject;
      await createSkipped(clients, stackName, id, r.Type, properties);
      // An alarm's Ref is its name (the composite alarm's rule refers to its children so).
      if (typeof properties.AlarmName === 'string') (facts.physicalIds as Map<string, string>).set(id, properties.AlarmName);
      created.set(id, { type: r.Type, properties });
      pending.delete(id);
    }
  }
  return created;
}

/**
 * Deploys a packaged stage: the create-stack template (the deployment bucket), the artifacts into it,
 * then the update-stack template, as `serverless deploy` does. Returns the deployed functions as
 * Lambda stores them, and the resources the suite had to create itself.
 */
export async function deployPackagedStage(clients: Clients, packageDir: string, stage: string, region: string): Promise<DeployedStack> {
  const stackName = `firebreak-${stage}`;
  const createBody = readFileSync(join(packageDir, 'cloudformation-template-create-stack.json'), 'utf8');
  const updateBody = readFileSync(join(packageDir, 'cloudformation-template-update-stack.json'), 'utf8');
  const template = JSON.parse(updateBody) as Template;
  await clients.cloudFormation.send(new CreateStackCommand({ StackName: stackName, TemplateBody: createBody, Capabilities: ['CAPABILITY_NAMED_IAM'] }));
  await waitForStack(clients.cloudFormation, stackName, 'CREATE_COMPLETE');
  const first = await stackFacts(clients, stackName, region);
  const bucket = first.facts.physicalIds.get('ServerlessDeploymentBucket');
  if (!bucket) throw new Error('the create-stack template made no ServerlessDeploymentBucket');
  for (const name of FUNCTION_NAMES) {
    const key = s3KeyOf(template.Resources[functionLogicalId(name)]!);
    await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(join(packageDir, `${name}.zip`)) }));
  }
  await clients.cloudFormation.send(new UpdateStackCommand({ StackName: stackName, TemplateBody: updateBody, Capabilities: ['CAPABILITY_NAMED_IAM'] }));
  await waitForStack(clients.cloudFormation, stackName, 'UPDATE_COMPLETE');
  const { facts, resources } = await stackFacts(clients, stackName, region);

  const present = new Set(resources.map((r) => r.LogicalResourceId));
  // A resource whose condition does not hold is created by neither CloudFormation nor the suite.
  const missing = Object.entries(template.Resources).filter(([id, r]) => !present.has(id) && conditionHolds(template, r));
  const unexpected = missing.filter(([, r]) => !SKIPPED_BY_EMULATOR.has(r.Type) && !READ_FROM_TEMPLATE.has(r.Type));
  if (unexpected.length > 0) {
    throw new Error(`the emulator's CloudFormation did not create ${unexpected.map(([id, r]) => `${id} (${r.Type})`).join(', ')}`);
  }
  const created = await createFromDefinitions(clients, stackName, missing.filter(([, r]) => SKIPPED_BY_EMULATOR.has(r.Type)), facts);

  const functions = new Map<FunctionName, DeployedFunction>();
  for (const name of FUNCTION_NAMES) {
    const logicalId = functionLogicalId(name);
    const functionName = facts.physicalIds.get(logicalId)!;
    const config = await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    const evConf = template.Resources[`${logicalId.replace(/LambdaFunction$/, '')}LambdaEvConf`];
    const destination = (evConf?.Properties.DestinationConfig as JsonObject | undefined)?.OnFailure as JsonObject | undefined;
    functions.set(name, {
      name,
      functionName,
      arn: config.FunctionArn!,
      roleArn: config.Role!,
      handler: config.Handler!,
      timeoutSeconds: config.Timeout ?? 3,
      environment: config.Environment?.Variables ?? {},
      zipPath: join(packageDir, `${name}.zip`),
      maximumRetryAttempts: Number(evConf?.Properties.MaximumRetryAttempts ?? 2),
      onFailureDestination: destination ? String(resolve(destination.Destination as Json, facts)) : undefined,
    });
  }
  return { stackName, template, facts, functions, created };
}
