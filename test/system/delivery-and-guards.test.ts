// System: what reaches people and the world is exact — log batches from both subscribed groups, a redelivered SNS
// message that changes nothing, and the kill switch stopping every action with one page per stopped action.
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { ingest } from './workload/api-logs';
import { apiTraffic, breakerFlag, evaluateAlarms, expectNoFailures, mark, nextPhase, nodeLoad, quiet, runsOf, since } from './account/drive';
import { deploymentReplicas, desiredCapacity, WORKLOAD, worldPerFile, type World } from './account/world';

const account = worldPerFile();
let world: World;
beforeEach(() => {
  world = account();
});

const replicas = () => deploymentReplicas(world);
const sinkLines = (requests: { body: string }[]) => requests.flatMap((r) => r.body.split('\n').filter((l) => l.trim().length > 0).map((l) => JSON.parse(l) as Record<string, unknown>));

describe('forwardLogs', () => {
  it('forwards batches from both subscribed log groups to the sink, each event once, tagged with its service', async () => {
    const before = mark(world);
    await apiTraffic(world, 2, { requests: 20, errorPercent: 10, latencyMs: 70 });
    const start = world.clock.now().getTime() - 30_000;
    const training = ['Starting training job retail-demand-2026-12-03 with 12 epochs', 'epoch 1 loss: 0.9000, accuracy: 0.6000, validation accuracy: 0.5800, f1 score: 0.5600'];
    await ingest(world.clients, WORKLOAD.trainingLogGroup, 'retail-demand-2026-12-03/algo-1', training.map((message, i) => ({ timestamp: start + i * 1000, message })));
    await world.lambda.idle();

    const seen = since(world, before);
    expectNoFailures('forwardLogs', seen.invocations);
    const runs = runsOf(seen.invocations, 'forwardLogs');
    expect(runs.length).toBeGreaterThanOrEqual(2);
    // NDJSON to the sink's URL as configured (not an OpenSearch `_bulk` body).
    expect(new Set(seen.sink.map((r) => r.path))).toEqual(new Set(['/ingest']));
    const lines = sinkLines(seen.sink);
    expect(lines.filter((l) => 'index' in l)).toEqual([]);
    const messages = lines.map((l) => String(l.message ?? ''));
    // Every API line and every training line arrives (the API's 20 requests a minute, each with its outcome line).
    expect(messages.filter((m) => m.includes('API Request'))).toHaveLength(40);
    expect(messages).toEqual(expect.arrayContaining(training));
    expect(new Set(lines.map((l) => `${l.logGroup} ${l.service}`))).toEqual(new Set([`${WORKLOAD.apiLogGroup} retail-prediction-api`, `${WORKLOAD.trainingLogGroup} retail-training`]));
    const ids = lines.map((l) => String(l.id));
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('a duplicate SNS delivery', () => {
  it('sends nothing twice and acts once: Slack, PagerDuty, email, the ASG and the deployment hear of it one time', async () => {
    nextPhase(world);
    await nodeLoad(world, 15, { cpuPercent: 94, memoryPercent: 60 });
    const first = mark(world);
    const capacity = await desiredCapacity(world);
    await evaluateAlarms(world);
    const once = since(world, first);
    expectNoFailures('first delivery', once.invocations);
    expect(await desiredCapacity(world)).toBe((capacity ?? 0) + 1);
    expect(replicas()).toBe(6);

    // SNS delivers at least once: the same record (same MessageId) reaches every subscriber again.
    const again = mark(world);
    for (const invocation of once.invocations.filter((i) => i.source === 'sns')) world.lambda.invokeAsync(invocation.function, 'sns', invocation.event);
    await world.lambda.idle();

    const twice = since(world, again);
    expectNoFailures('redelivery', twice.invocations);
    expect(runsOf(twice.invocations, 'notify')).toHaveLength(1);
    expect(twice.slack).toEqual([]);
    expect(twice.pagerDuty).toEqual([]);
    expect(twice.mail).toEqual([]);
    expect(twice.kubeWrites).toEqual([]);
    expect(await desiredCapacity(world)).toBe((capacity ?? 0) + 1);
  });
});

describe('a channel that stays down', () => {
  it('fails notify and respond through their retries into the dead-letter queue, with the channels that worked sent once', async () => {
    const { ReceiveMessageCommand, SQSClient } = await import('@aws-sdk/client-sqs');
    world.pagerDuty.setFallback({ status: 503, body: 'unavailable' });
    try {
      await quiet(world);
      nextPhase(world);
      const before = mark(world);
      await nodeLoad(world, 15, { cpuPercent: 40, memoryPercent: 50 });
      await apiTraffic(world, 4, { requests: 40, errorPercent: 30, latencyMs: 60 });
      const transitions = await evaluateAlarms(world);
      expect(transitions.map((t) => `${t.alarm}:${t.to}`)).toEqual(['RetailPrediction-HighErrorRate:ALARM']);

      const seen = since(world, before);
      const notify = runsOf(seen.invocations, 'notify');
      expect(notify.map((i) => `${i.attempt}:${i.ok}`)).toEqual(['1:false', '2:false', '3:false']);
      // Slack and email went out on the first attempt; the retries only tried PagerDuty again.
      expect(seen.slack.filter((r) => r.body.includes('ALARM: RetailPrediction-HighErrorRate'))).toHaveLength(1);
      expect(seen.mail.filter((m) => (m.subject ?? '').includes('RetailPrediction-HighErrorRate')).map((m) => m.endpoint).sort()).toEqual(['ml-platform@example.com', 'mlops-oncall@example.com']);
      const sqs = new SQSClient({ endpoint: world.emulator.endpoint, region: world.region, credentials: world.emulator.admin });
      const queueUrl = `${world.emulator.endpoint}/${world.stack.facts.accountId}/${world.physicalId('DeadLetterQueue').split('/').pop()}`;
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
      const kept = Messages.map((m) => JSON.parse(m.Body ?? '{}') as { requestContext: { functionArn: string; condition: string }; requestPayload: unknown });
      // notify, and respond (whose page could not go out either), each kept the alarm after three attempts.
      expect(kept.map((k) => `${k.requestContext.functionArn.split(':function:')[1]} ${k.requestContext.condition}`).sort()).toEqual([
        'firebreak-prod-notify:$LATEST RetriesExhausted',
        'firebreak-prod-respond:$LATEST RetriesExhausted',
      ]);
      for (const k of kept) expect(JSON.stringify(k.requestPayload)).toContain('RetailPrediction-HighErrorRate');
    } finally {
      world.pagerDuty.setFallback({ status: 202, body: '{"status":"success","message":"Event processed"}' });
    }
    await quiet(world);
  });
});

describe('a remediation that fails midway', () => {
  it('is retried by Lambda and done once: the message claim is given back, the deployment ends at 6', async () => {
    nextPhase(world);
    const before = mark(world);
    world.kube.failNext(500, 'InternalError', 'etcdserver: request timed out');
    await nodeLoad(world, 15, { cpuPercent: 94, memoryPercent: 60 });
    const transitions = await evaluateAlarms(world);

    const seen = since(world, before);
    expect(transitions.map((t) => `${t.alarm}:${t.to}`)).toEqual(['RetailPrediction-HighCPU:ALARM']);
    expect(runsOf(seen.invocations, 'scaleDeployment').map((i) => `${i.attempt}:${i.ok}`)).toEqual(['1:false', '2:true']);
    expectNoFailures('other functions', seen.invocations.filter((i) => i.function !== 'scaleDeployment'));
    expect(replicas()).toBe(6);
    expect(seen.kubeWrites.filter((r) => r.method === 'PATCH')).toHaveLength(1);
    await quiet(world);
  });
});

describe('the kill switch', () => {
  it('stops every action (node group, deployment, breaker), tells Slack of each, and pages once', async () => {
    await world.clients.ssm.send(new PutParameterCommand({ Name: WORKLOAD.killSwitchParam, Type: 'String', Value: 'on', Overwrite: true }));
    const capacity = await desiredCapacity(world);
    const replicasBefore = replicas();

    nextPhase(world);
    const before = mark(world);
    await nodeLoad(world, 15, { cpuPercent: 95, memoryPercent: 60 });
    await apiTraffic(world, 4, { requests: 50, errorPercent: 70, latencyMs: 60 });
    const transitions = await evaluateAlarms(world);

    const seen = since(world, before);
    expect(transitions.map((t) => `${t.alarm}:${t.to}`).sort()).toEqual(['RetailPrediction-HighCPU:ALARM', 'RetailPrediction-HighErrorRate:ALARM']);
    expectNoFailures('kill switch', seen.invocations);
    expect(await desiredCapacity(world)).toBe(capacity);
    expect(replicas()).toBe(replicasBefore);
    expect(seen.kubeWrites).toEqual([]);
    expect((await breakerFlag(world, 'retail-prediction-api'))?.state).not.toBe('open');
    // HighCPU's rules are warnings: each stopped action is told to Slack. The responder's page is the one page.
    const slackText = seen.slack.map((r) => r.body).join('\n');
    expect(slackText).toMatch(/scale-nodegroup on retail-prediction-nodegroup for RetailPrediction-HighCPU \(ALARM\) was refused by the kill-switch guard/);
    expect(slackText).toMatch(/scale-deployment on retail-forecast-api for RetailPrediction-HighCPU \(ALARM\) was refused by the kill-switch guard/);
    const stopped = seen.pagerDuty.filter((p) => !String(p.dedup_key).includes(':alarm:'));
    expect(stopped).toHaveLength(1);
    expect(JSON.stringify(stopped[0])).toMatch(/kill switch is on/);

    // A redelivery of the same notifications pages no one again.
    const again = mark(world);
    for (const invocation of seen.invocations.filter((i) => i.source === 'sns' && i.attempt === 1)) world.lambda.invokeAsync(invocation.function, 'sns', invocation.event);
    await world.lambda.idle();
    expectNoFailures('kill switch redelivery', since(world, again).invocations);
    expect(since(world, again).pagerDuty).toEqual([]);
    expect(await desiredCapacity(world)).toBe(capacity);
  });
});
