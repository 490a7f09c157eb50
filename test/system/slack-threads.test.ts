// System: the prod stack packaged with notifySlackApp 'true' — notify posts as the Slack app, each function under its own
// role: an alarm's thread with its buttons and the graph of its own metric (GetMetricWidgetImage), the responder's decision
// as a reply in that thread with the graph of each query it read, a remediation the kill switch refused told there too, and
// an alarm storm on the grouped route as one thread.
// Packaged by this file (the run's package is the webhook's), so it pays one more `serverless package`.
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { packageStage, type PackagedStage } from '../packaging/serverless';
import type { PostedMessage } from '../support/slack-api';
import { apiTraffic, evaluateAlarms, expectNoFailures, mark, nextPhase, nodeLoad, publishAlarm, runsOf, runTick, since } from './account/drive';
import { WORKLOAD, worldPerFile, type World } from './account/world';

let packaged: PackagedStage | undefined;
beforeAll(() => {
  packaged = packageStage('prod', { notifySlackApp: 'true' });
}, 240_000);
afterAll(() => packaged?.cleanup());

const account = worldPerFile({ packageDir: () => packaged!.directory });
let world: World;
beforeEach(() => {
  world = account();
});

/** The prod policy's notify.slackApp.defaultChannel: no route of the reference alarms names its own. */
const CHANNEL = 'C0FIREBRK';

/** The parent message notify posted for an alarm (the thread's first message). */
function parentOf(alarm: string): PostedMessage {
  const parents = world.slackApp.messages().filter((m) => m.thread_ts === undefined && m.text.includes(alarm));
  expect(parents).toHaveLength(1);
  return parents[0]!;
}

/** Webhook posts that name one of the reference alarms: notify's, the remediations' or respond's, not forwardLogs' digest. */
const alarmsOnTheWebhook = (requests: readonly { body: string }[]) => requests.filter((r) => r.body.includes('RetailPrediction-')).map((r) => r.body);

/** The action ids of the buttons ending the parent's blocks (inside its colour attachment, as notify posts it). */
const buttonsOf = (message: PostedMessage): string[] => {
  const blocks = (message.attachments?.[0] as { blocks?: { type: string; elements?: { action_id?: string }[] }[] } | undefined)?.blocks ?? [];
  const last = blocks.at(-1);
  return last?.type === 'actions' ? (last.elements ?? []).map((e) => e.action_id ?? '') : [];
};

describe('the stack with notify as the Slack app', () => {
  it('is deployed with the bot token parameter for notify, the remediations and respond', () => {
    for (const name of ['notify', 'scaleNodegroup', 'scaleDeployment', 'respond'] as const) {
      expect({ name, token: world.stack.functions.get(name)!.environment.SLACK_BOT_TOKEN_PARAM }).toEqual({ name, token: WORKLOAD.slackBotTokenParam });
    }
  });
});

describe('RetailPrediction-HighErrorRate at an extreme error rate, in app mode', () => {
  it("opens a thread with the buttons and the graph of the alarm's own metric; respond's decision is a reply in it, with the graph of each query it read", async () => {
    const before = mark(world);
    await nodeLoad(world, 15, { cpuPercent: 50, memoryPercent: 55 });
    await apiTraffic(world, 4, { requests: 50, errorPercent: 60, latencyMs: 480 });
    await evaluateAlarms(world);
    const seen = since(world, before);
    expectNoFailures('HighErrorRate ALARM, app mode', seen.invocations);
    // No alarm through the webhook: Slack is the app (forwardLogs' error digest stays on the webhook).
    expect(alarmsOnTheWebhook(seen.slack)).toEqual([]);

    const parent = parentOf('RetailPrediction-HighErrorRate');
    expect(parent.channel).toBe(CHANNEL);
    expect(buttonsOf(parent)).toEqual(expect.arrayContaining(['acknowledge', 'silence-1h', 'silence-4h']));
    const thread = world.slackApp.uploads().filter((u) => u.thread_ts === parent.ts);
    // notify's graph of the alarm, drawn by CloudWatch from the widget of its metric math, under notify's role.
    expect(thread.map((u) => u.title)).toContain('RetailPrediction-HighErrorRate: last 3 h');
    const alarmWidget = world.lambda.widgets.find((w) => w.widget.title === 'RetailPrediction-HighErrorRate: last 3 h');
    expect(JSON.stringify(alarmWidget?.widget.metrics)).toContain('expression');

    // The responder's decision, in the same thread, then one graph per query of the prod responder policy.
    const replies = world.slackApp.threadOf(parent.ts).map((m) => m.text);
    expect(replies.some((t) => /circuit breaker/i.test(t))).toBe(true);
    const respondGraphs = thread.filter((u) => u.title !== 'RetailPrediction-HighErrorRate: last 3 h').map((u) => u.title);
    expect(respondGraphs).toHaveLength(5);
    for (const title of respondGraphs) expect(world.lambda.widgets.map((w) => w.widget.title)).toContain(title);
    expect(runsOf(seen.invocations, 'respond').length).toBeGreaterThan(0);
  });
});

describe('a remediation the kill switch refuses, in app mode', () => {
  it("is told as a reply in the alarm's thread", async () => {
    await world.clients.ssm.send(new PutParameterCommand({ Name: WORKLOAD.killSwitchParam, Type: 'String', Value: 'on', Overwrite: true }));
    nextPhase(world);
    const before = mark(world);
    await nodeLoad(world, 15, { cpuPercent: 95, memoryPercent: 60 });
    await evaluateAlarms(world);
    expectNoFailures('HighCPU ALARM with the kill switch on, app mode', since(world, before).invocations);

    const parent = parentOf('RetailPrediction-HighCPU');
    const replies = world.slackApp.threadOf(parent.ts).map((m) => m.text);
    expect(replies.filter((t) => /scale-nodegroup on retail-prediction-nodegroup for RetailPrediction-HighCPU \(ALARM\) was refused by the kill-switch guard/.test(t))).toHaveLength(1);
    expect(replies.filter((t) => /scale-deployment on retail-forecast-api for RetailPrediction-HighCPU \(ALARM\) was refused by the kill-switch guard/.test(t))).toHaveLength(1);
    expect(alarmsOnTheWebhook(world.slack.requests)).toEqual([]);
  });
});

describe('an alarm storm on the grouped route, in app mode', () => {
  const STORM = Array.from({ length: 20 }, (_, i) => `RetailPrediction-Model-${String(i + 1).padStart(2, '0')}-Drift`);

  it('is one thread: the first batch its parent, the recovery a reply in it that updates the parent to all OK', async () => {
    nextPhase(world);
    const before = mark(world);
    for (const name of STORM) {
      await publishAlarm(world, name, 'ALARM', 'Model endpoint drift');
      world.clock.advance(500);
    }
    await world.lambda.idle();
    world.clock.advance(25_000);
    await runTick(world);
    const parents = world.slackApp.messages().filter((m) => m.thread_ts === undefined && m.text.includes('20 alarms firing'));
    expect(parents).toHaveLength(1);
    const parent = parents[0]!;

    world.clock.advance(60_000);
    for (const name of STORM) await publishAlarm(world, name, 'OK', 'Model endpoint drift');
    await world.lambda.idle();
    world.clock.advance(5 * 60_000);
    await runTick(world);

    expectNoFailures('storm in app mode', since(world, before).invocations);
    expect(world.slackApp.threadOf(parent.ts).map((m) => m.text)).toEqual([expect.stringContaining('all 20 alarms OK')]);
    expect(world.slackApp.message(parent.channel, parent.ts)?.text).toContain('all 20 alarms OK');
    expect(world.slackApp.messages().filter((m) => m.thread_ts === undefined && m.text.includes('RetailPrediction-Model-'))).toEqual([parent]);
  });
});
