// System: the alarms topic's subscription filters in the emulator — an alarm reaches notify and only the functions whose policy names it, in the states they act on.
import { PublishCommand } from '@aws-sdk/client-sns';
import type { AlarmState } from '../../shared/alarm/model';
import type { FunctionName } from '../packaging/serverless';
import { alarmBody, type AlarmShape } from '../support/sns-filter-policy';
import { deploymentReplicas, desiredCapacity, worldPerFile, type World } from './account/world';
import { evaluateAlarms, expectNoFailures, mark, nextPhase, nodeLoad, since } from './account/drive';
import type { Invocation } from './lambda/service';

const account = worldPerFile();
let world: World;
beforeEach(() => {
  world = account();
});

/** Publishes one message to the alarms topic, as CloudWatch or an EventBridge rule would, and waits for every function it reached. */
async function publish(message: string, subject?: string): Promise<void> {
  await world.clients.sns.send(new PublishCommand({ TopicArn: world.physicalId('AlarmsTopic'), Message: message, Subject: subject }));
  await world.lambda.idle();
}

const publishAlarm = (shape: AlarmShape, name: string, state: AlarmState) => publish(alarmBody(shape, name, state), shape === 'cloudwatch' ? `${state}: "${name}" in EU (Ireland)` : undefined);

/** The functions SNS invoked, each once per message. */
const reached = (invocations: readonly Invocation[]): string[] => invocations.filter((i) => i.source === 'sns').map((i) => i.function).sort();
const each = (...fns: FunctionName[]) => [...fns].sort();

describe('an alarm no rule names', () => {
  it.each(['cloudwatch', 'eventbridge'] as const)('invokes notify alone (%s shape), which tells Slack of it', async (shape) => {
    const before = mark(world);

    await publishAlarm(shape, 'SomeOther-Alarm', 'ALARM');

    const seen = since(world, before);
    expectNoFailures(`SomeOther-Alarm ${shape}`, seen.invocations);
    expect(reached(seen.invocations)).toEqual(each('notify'));
    expect(seen.slack.map((r) => r.body).join('\n')).toContain('SomeOther-Alarm');
  });
});

it('a message that is not an alarm invokes notify alone', async () => {
  const before = mark(world);

  await publish('Disk full on build-agent-3', 'build-agent-3');

  const seen = since(world, before);
  expectNoFailures('plain-text message', seen.invocations);
  expect(reached(seen.invocations)).toEqual(each('notify'));
});

describe('RetailPrediction-HighCPU, which the remediation rules name', () => {
  it('ALARM invokes notify and both scale functions (each rule’s function acts), not respond', async () => {
    const before = mark(world);
    const capacity = await desiredCapacity(world);
    await nodeLoad(world, 15, { cpuPercent: 93, memoryPercent: 60 });

    const transitions = await evaluateAlarms(world);

    const seen = since(world, before);
    expect(transitions.map((t) => `${t.alarm}:${t.to}`)).toEqual(['RetailPrediction-HighCPU:ALARM']);
    expectNoFailures('HighCPU ALARM', seen.invocations);
    expect(reached(seen.invocations)).toEqual(each('notify', 'scaleNodegroup', 'scaleDeployment'));
    expect(await desiredCapacity(world)).toBe((capacity ?? 0) + 1);
    expect(deploymentReplicas(world)).toBe(6);
  });

  it('OK invokes scaleDeployment, whose rule scales back, and not scaleNodegroup, which has no rule for OK', async () => {
    nextPhase(world);
    const before = mark(world);
    await nodeLoad(world, 15, { cpuPercent: 40, memoryPercent: 55 });

    const transitions = await evaluateAlarms(world);

    const seen = since(world, before);
    expect(transitions.map((t) => `${t.alarm}:${t.to}`)).toEqual(['RetailPrediction-HighCPU:OK']);
    expectNoFailures('HighCPU OK', seen.invocations);
    expect(reached(seen.invocations)).toEqual(each('notify', 'scaleDeployment'));
    expect(deploymentReplicas(world)).toBe(3);
  });

  it('INSUFFICIENT_DATA, which no rule names, invokes notify alone (EventBridge shape)', async () => {
    const before = mark(world);

    await publishAlarm('eventbridge', 'RetailPrediction-HighCPU', 'INSUFFICIENT_DATA');

    const seen = since(world, before);
    expectNoFailures('HighCPU INSUFFICIENT_DATA', seen.invocations);
    expect(reached(seen.invocations)).toEqual(each('notify'));
  });
});

it('RetailPrediction-HighErrorRate, which the responder’s service names, invokes respond in every state and neither scale function (EventBridge shape)', async () => {
  const before = mark(world);

  await publishAlarm('eventbridge', 'RetailPrediction-HighErrorRate', 'INSUFFICIENT_DATA');

  const seen = since(world, before);
  expectNoFailures('HighErrorRate INSUFFICIENT_DATA', seen.invocations);
  expect(reached(seen.invocations)).toEqual(each('notify', 'respond'));
});
