// System: `firebreak replay` against the emulated account — an alarm that failed into the dead-letter queue is listed with
// its function and error; once the fault is fixed, --yes re-invokes each function, the invocations run under their roles,
// send only what was missing, and the messages are gone.
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { CliIo } from '../../shared/cli/command';
import { createReplayCommand } from '../../shared/cli/replay';
import { apiTraffic, evaluateAlarms, expectNoFailures, mark, nextPhase, nodeLoad, since } from './account/drive';
import { worldPerFile, type World } from './account/world';

const account = worldPerFile();

/** The operator's `firebreak replay`, with the operator's (administrator) credentials for the emulated account. */
function operatorReplay(world: World) {
  const regions: string[] = [];
  const command = createReplayCommand({
    clients: (region) => {
      regions.push(region);
      const config = { endpoint: world.emulator.endpoint, region, credentials: world.emulator.admin, maxAttempts: 1 };
      return { sqs: new SQSClient(config), lambda: new LambdaClient(config), sns: new SNSClient(config) };
    },
  });
  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { print: (line) => out.push(line), error: (line) => err.push(line), env: {} };
    const code = await command.run(argv, io);
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  return { regions, run };
}

/** Messages in the dead-letter queue: visible, and received but not yet visible again. */
async function queueDepth(world: World): Promise<{ visible: number; hidden: number }> {
  const sqs = new SQSClient({ endpoint: world.emulator.endpoint, region: world.region, credentials: world.emulator.admin, maxAttempts: 1 });
  const queueUrl = `${world.emulator.endpoint}/${world.stack.facts.accountId}/${world.physicalId('DeadLetterQueue').split('/').pop()}`;
  const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  return { visible: Number(Attributes.ApproximateNumberOfMessages), hidden: Number(Attributes.ApproximateNumberOfMessagesNotVisible) };
}

const PAGERDUTY_UP = { status: 202, body: '{"status":"success","message":"Event processed"}' };

describe('firebreak replay', () => {
  it('lists the alarm notify and respond failed on, with their errors; once PagerDuty is back, --yes replays it once and the queue is empty', async () => {
    // Prepare: PagerDuty stays down through every retry, so notify and respond each keep the alarm in the queue.
    const world = account();
    const operator = operatorReplay(world);
    world.pagerDuty.setFallback({ status: 503, body: 'unavailable' });
    nextPhase(world);
    const failing = mark(world);
    await nodeLoad(world, 15, { cpuPercent: 40, memoryPercent: 50 });
    await apiTraffic(world, 4, { requests: 40, errorPercent: 30, latencyMs: 60 });
    const transitions = await evaluateAlarms(world);
    expect(transitions.map((t) => `${t.alarm}:${t.to}`)).toEqual(['RetailPrediction-HighErrorRate:ALARM']);
    const lastAttempts = since(world, failing).invocations.filter((i) => !i.ok && i.attempt === 3);
    expect(lastAttempts.map((i) => i.function).sort()).toEqual(['notify', 'respond']);
    const delivered = since(world, failing);

    // Act: the operator looks.
    const listed = mark(world);
    const listing = await operator.run('--stage', 'prod');

    // Assess: each kept alarm with its function, error and alarm; nothing run, nothing taken out of the queue.
    expect(listing).toMatchObject({ code: 0, err: '' });
    expect(operator.regions).toEqual([world.region]);
    expect(listing.out).toContain(`dead-letter queue firebreak-prod-dead-letters (stage prod, ${world.region}): 2 messages`);
    for (const failed of lastAttempts) {
      const fn = `firebreak-prod-${failed.function}`;
      expect(listing.out).toContain(`] ${fn} failed (SQS message `);
      expect(listing.out).toContain(`    function:     arn:aws:lambda:${world.region}:${world.stack.facts.accountId}:function:${fn}:$LATEST`);
      expect(listing.out).toContain(`    error:        ${failed.errorType}: ${String(failed.errorMessage).slice(0, 60)}`);
      expect(listing.out).toContain(`    replay:       would re-invoke ${fn} (${failed.function}) asynchronously with the original event; give --yes to do it`);
    }
    expect(listing.out).toMatch(/ {4}when: {9}\S+ after 3 attempts \(RetriesExhausted\)/);
    expect(listing.out.match(/ {4}alarm: {8}RetailPrediction-HighErrorRate OK -> ALARM \(SNS message /g)).toHaveLength(2);
    expect(listing.out).toContain('2 listed: 2 would be replayed with --yes, 0 would stay in the queue. Nothing was changed.');
    expect(since(world, listed).invocations).toEqual([]);
    expect(await queueDepth(world)).toEqual({ visible: 2, hidden: 0 });

    // Act: the fault is fixed, and the operator replays.
    world.pagerDuty.setFallback(PAGERDUTY_UP);
    const replaying = mark(world);
    const replayed = await operator.run('--stage', 'prod', '--yes');
    await world.lambda.idle();

    // Assess: each function ran once more, on its original event, and sent only what it had not sent.
    expect(replayed).toMatchObject({ code: 0, err: '' });
    for (const fn of ['notify', 'respond']) expect(replayed.out).toContain(`    replayed:     firebreak-prod-${fn} accepted the event (202); the message is deleted`);
    expect(replayed.out).toContain('2 replayed and deleted, 0 still in the queue.');
    const seen = since(world, replaying);
    expectNoFailures('replay', seen.invocations);
    expect(seen.invocations.map((i) => `${i.function} ${i.source} ${i.attempt}`).sort()).toEqual(['notify invoke 1', 'respond invoke 1']);
    for (const invocation of seen.invocations) expect(invocation.event).toEqual(lastAttempts.find((f) => f.function === invocation.function)?.event);
    // notify's page of the alarm goes out now; Slack and email had it on the first attempt and are not sent it again.
    const alarmPages = seen.pagerDuty.filter((p) => String(p.dedup_key).includes(':alarm:RetailPrediction-HighErrorRate') && p.event_action === 'trigger');
    expect(alarmPages).toHaveLength(1);
    // respond's page, which could not go out either, goes out once.
    expect(seen.pagerDuty.filter((p) => !String(p.dedup_key).includes(':alarm:'))).toHaveLength(1);
    expect(delivered.slack.filter((r) => r.body.includes('ALARM: RetailPrediction-HighErrorRate'))).toHaveLength(1);
    expect(seen.slack.filter((r) => r.body.includes('ALARM: RetailPrediction-HighErrorRate'))).toEqual([]);
    expect(seen.mail).toEqual([]);
    // The messages are gone.
    expect(await queueDepth(world)).toEqual({ visible: 0, hidden: 0 });
    expect((await operator.run('--stage', 'prod')).out).toBe(`the dead-letter queue firebreak-prod-dead-letters (stage prod, ${world.region}) is empty`);
  });
});
