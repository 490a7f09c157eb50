// System suite: one emulated account with the prod stack deployed, the reference workload's prerequisites in place,
// and loopback doubles for what lives outside AWS (Slack, PagerDuty, the log sink, the Kubernetes API).
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { EKSClient } from '@aws-sdk/client-eks';
import { SSMClient } from '@aws-sdk/client-ssm';
import { KubeApiDouble } from '../../integration/k8s/kube-api-double';
import { TestReceiver } from '../../support/receiver';
import { SlackApiDouble } from '../../support/slack-api';
import { SystemClock } from '../clock';
import { AlarmEvaluator } from '../cloudwatch/alarms';
import { prerequisites, REFERENCE_WORKLOAD, stageParameters } from './prerequisites';
import { ACCOUNT_ID, startEmulator, type Emulator } from '../emulator/moto';
import { LambdaService } from '../lambda/service';
import { adminClients, deployPackagedStage, type Clients, type DeployedStack } from '../stack/deploy';
import { packagedDirectory, packagedRegion, SYSTEM_STAGE } from '../stack/packaged';

/** The reference workload, as serverless.yml's params and the prod policy name it. */
export const WORKLOAD = {
  ...REFERENCE_WORKLOAD,
  ...stageParameters(SYSTEM_STAGE),
  pagerDutyRoutingKey: 'R0UTINGKEYSYSTEMSUITE00000000000',
  /** The Slack app's signing secret in the account's SSM: slackActions verifies every request with it. */
  slackSigningSecret: '8f742231b10e8888abcd99yyyzzz85a5',
} as const;

export interface World {
  readonly emulator: Emulator;
  readonly clock: SystemClock;
  readonly clients: Clients & { readonly ssm: SSMClient; readonly autoScaling: AutoScalingClient; readonly eks: EKSClient };
  readonly stack: DeployedStack;
  readonly lambda: LambdaService;
  readonly alarms: AlarmEvaluator;
  /** The incoming webhook notify posts to (the prod stage's Slack mode). */
  readonly slack: TestReceiver;
  /** Slack's Web API and interactions' response_urls, which slackActions answers clicks through. */
  readonly slackApp: SlackApiDouble;
  readonly pagerDuty: TestReceiver;
  readonly sink: TestReceiver;
  readonly kube: KubeApiDouble;
  readonly region: string;
  readonly asgName: string;
  /** The deployed stack's physical id of a logical resource. */
  physicalId(logicalId: string): string;
  close(): Promise<void>;
}

/** What an account deploys: the run's packaged prod stage unless a file packaged its own (another Slack mode). */
export interface WorldOptions {
  /** The directory `serverless package` wrote; the run's prod package unless given. */
  readonly packageDir?: () => string;
}

/** Starts the doubles and the emulator, deploys the packaged prod stage, and settles its alarms in OK. */
export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const clock = new SystemClock();
  const lambda = await LambdaService.start(clock);
  const slack = await TestReceiver.start({ status: 200, body: 'ok' });
  const slackApp = await SlackApiDouble.start();
  const pagerDuty = await TestReceiver.start({ status: 202, body: '{"status":"success","message":"Event processed"}' });
  const sink = await TestReceiver.start({ status: 200, body: '{}' });
  const kube = await KubeApiDouble.start();
  const emulator = await startEmulator(lambda.url);
  try {
    const region = packagedRegion();
    const config = { endpoint: emulator.endpoint, region, credentials: emulator.admin, maxAttempts: 1 };
    const clients = { ...adminClients(emulator, region), ssm: new SSMClient(config), autoScaling: new AutoScalingClient(config), eks: new EKSClient(config) };
    const asgName = await prerequisites(clients, {
      stage: SYSTEM_STAGE,
      region,
      secrets: {
        slackWebhookUrl: slack.url('/services/T000/B000/XXXX'),
        pagerDutyRoutingKey: WORKLOAD.pagerDutyRoutingKey,
        slackBotToken: SlackApiDouble.TOKEN,
        slackSigningSecret: WORKLOAD.slackSigningSecret,
      },
    });
    kube.seedDeployment({ namespace: WORKLOAD.deployment.namespace, name: WORKLOAD.deployment.name, replicas: WORKLOAD.deployment.replicas });
    const kubeconfig = kube.writeKubeconfig();
    const stack = await deployPackagedStage(clients, options.packageDir?.() ?? packagedDirectory(), SYSTEM_STAGE, region);
    const pagerDutyUrl = pagerDuty.url('/v2/enqueue');
    // Slack's Web API is used only by a stage packaged with notifySlackApp 'true' (and by slackActions).
    const slackApiUrl = slackApp.url();
    lambda.attach(emulator, stack, {
      notify: { PAGERDUTY_EVENTS_URL: pagerDutyUrl, SLACK_API_URL: slackApiUrl },
      scaleNodegroup: { PAGERDUTY_EVENTS_URL: pagerDutyUrl, SLACK_API_URL: slackApiUrl },
      scaleDeployment: { PAGERDUTY_EVENTS_URL: pagerDutyUrl, KUBECONFIG: kubeconfig, SLACK_API_URL: slackApiUrl },
      respond: { PAGERDUTY_EVENTS_URL: pagerDutyUrl, KUBECONFIG: kubeconfig, SLACK_API_URL: slackApiUrl },
      forwardLogs: { LOG_SINK_URL: sink.url('/ingest') },
      slackActions: { SLACK_API_URL: slackApiUrl, PAGERDUTY_EVENTS_URL: pagerDutyUrl },
    });
    const alarms = new AlarmEvaluator(clients.cloudWatch, clients.sns, region, ACCOUNT_ID);
    await alarms.settle();
    const physicalId = (logicalId: string) => {
      const id = stack.facts.physicalIds.get(logicalId);
      if (!id) throw new Error(`the stack has no ${logicalId}`);
      return id;
    };
    return {
      emulator,
      clock,
      clients,
      stack,
      lambda,
      alarms,
      slack,
      slackApp,
      pagerDuty,
      sink,
      kube,
      region,
      asgName,
      physicalId,
      async close() {
        const audit = process.env.FIREBREAK_SYSTEM_AUDIT_DIR;
        if (audit) writeFileSync(join(audit, `${randomUUID()}.json`), JSON.stringify(emulator.authorisations()));
        await emulator.stop();
        await lambda.stop();
        await Promise.all([slack.close(), slackApp.close(), pagerDuty.close(), sink.close(), kube.close()]);
      },
    };
  } catch (error) {
    const output = emulator.output();
    await emulator.stop();
    await lambda.stop();
    // Every double closed, or the test run cannot exit.
    await Promise.all([slack.close(), slackApp.close(), pagerDuty.close(), sink.close(), kube.close()]);
    throw new Error(`${(error as Error).message}\n--- emulator output ---\n${output.slice(-4000)}`, { cause: error });
  }
}

/** The ASG's desired capacity now. */
export async function desiredCapacity(world: World): Promise<number | undefined> {
  const { AutoScalingGroups } = await world.clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [world.asgName] }));
  return AutoScalingGroups?.[0]?.DesiredCapacity;
}

/**
 * One account for a test file: started before its first scenario, closed after its last, and after each
 * scenario no delivery the Lambda service refused and no internal error of the emulator.
 */
export function worldPerFile(options: WorldOptions = {}): () => World {
  let world: World | undefined;
  beforeAll(async () => {
    world = await startWorld(options);
  });
  afterAll(async () => {
    await world?.close();
  });
  afterEach(() => {
    expect(world?.lambda.problems()).toEqual([]);
    expect(world?.emulator.tracebacks()).toEqual([]);
  });
  return () => {
    if (!world) throw new Error('the account did not start (see the beforeAll failure)');
    return world;
  };
}

/** The reference deployment's replicas as the Kubernetes API double holds them. */
export const deploymentReplicas = (world: World): number | undefined =>
  (world.kube.deployment(WORKLOAD.deployment.namespace, WORKLOAD.deployment.name)?.spec as { replicas?: number } | undefined)?.replicas;
