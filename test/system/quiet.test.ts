// System: quiet when it should be, loud when it matters — silences added and expired with the operator CLI, what they
// withhold and what still goes (a resolve for a page that went out), remediation paused by one, and an alarm storm on the
// reference policy's grouped route delivered as one Slack message and one PagerDuty incident by notify's schedule.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AlarmState } from '../../shared/alarm/model';
import type { CliIo } from '../../shared/cli/command';
import { runSilenceCli } from '../../shared/silence/cli';
import { DynamoDbSilenceStore } from '../../shared/silence/store';
import { auditTrail, expectNoFailures, mark, publishAlarm, runsOf, runTick, since } from './account/drive';
import { desiredCapacity, worldPerFile, type World } from './account/world';

const account = worldPerFile();
let world: World;
beforeEach(() => {
  world = account();
});

/** Publishes an alarm's state change (paging, `[P1]`, unless told otherwise) and waits for every function it reached. */
async function publish(name: string, state: AlarmState, description = '[P1] Feature store lookups failing'): Promise<void> {
  await publishAlarm(world, name, state, description);
  await world.lambda.idle();
}

/** `npm run silence -- <argv> --stage prod` against the deployed stack's STATE_TABLE, on the account's clock; its exit code and output. */
async function silence(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const table = world.stack.functions.get('notify')!.environment.STATE_TABLE!;
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { print: (l) => out.push(l), error: (l) => err.push(l), env: { STATE_TABLE: table } };
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: world.emulator.endpoint, region: world.region, credentials: world.emulator.admin, maxAttempts: 1 }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const code = await runSilenceCli([...argv, '--stage', 'prod', '--region', world.region], {
    io,
    store: (name) => new DynamoDbSilenceStore(client, name),
    now: () => world.clock.now(),
    operator: 'oncall',
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const idOf = (output: string): string => {
  const id = /sil-[0-9a-z]{10}/.exec(output)?.[0];
  if (!id) throw new Error(`no silence id in:\n${output}`);
  return id;
};

const pagesFor = (pages: readonly Record<string, unknown>[], alarm: string) => pages.filter((p) => String(p.dedup_key).endsWith(`:alarm:${alarm}`));
const slackMentioning = (requests: readonly { body: string }[], text: string) => requests.filter((r) => r.body.includes(text));

describe('a silence', () => {
  const ALARM = 'RetailPrediction-FeatureStore-Unavailable';

  it('withholds what it covers, yet resolves the page that went out before it began; its OK reaches nobody else', async () => {
    const before = mark(world);
    await publish(ALARM, 'ALARM');
    const paged = since(world, before);
    expectNoFailures('page before the silence', paged.invocations);
    expect(pagesFor(paged.pagerDuty, ALARM).map((p) => p.event_action)).toEqual(['trigger']);

    const added = await silence('add', '--alarm', 'RetailPrediction-FeatureStore-*', '--for', '1h', '--reason', 'migrating the feature store', '--by', 'alice@example.com');
    expect(added).toMatchObject({ code: 0 });
    const id = idOf(added.out);
    world.clock.advance(60_000);
    const quietStart = mark(world);
    await publish(ALARM, 'ALARM');
    world.clock.advance(60_000);
    await publish(ALARM, 'OK');

    const held = since(world, quietStart);
    expectNoFailures('silenced alarm', held.invocations);
    // The flap's ALARM reaches nobody; its OK resolves the incident the first ALARM opened, and tells nobody else.
    expect(pagesFor(held.pagerDuty, ALARM).map((p) => p.event_action)).toEqual(['resolve']);
    expect(pagesFor(held.pagerDuty, ALARM)[0]!.dedup_key).toBe(pagesFor(paged.pagerDuty, ALARM)[0]!.dedup_key);
    expect(slackMentioning(held.slack, ALARM)).toEqual([]);
    expect(held.mail).toEqual([]);

    const listed = await silence('list', '--json');
    const [entry] = (JSON.parse(listed.out) as { silences: { id: string; held: { count: number; byChannel: Record<string, number> } }[] }).silences.filter((s) => s.id === id);
    // ALARM: pagerduty, slack, email; OK: slack, email (its resolve went out).
    expect(entry?.held).toMatchObject({ count: 5, byChannel: { pagerduty: 1, slack: 2, email: 2 } });
    expect((await auditTrail(world, `silence:${id}`)).map((a) => a.change)).toEqual(['added']);
  });

  it('sends no resolve for a page it withheld, and once expired lets the next alarm through; Slack hears of it added, and ended', async () => {
    const name = 'RetailPrediction-ReplicaLag';
    const added = await silence('add', '--alarm', name, '--for', '30m', '--reason', 'replica rebuild', '--by', 'bob@example.com');
    const id = idOf(added.out);
    const before = mark(world);
    await publish(name, 'ALARM');
    world.clock.advance(60_000);
    await publish(name, 'OK');
    await runTick(world);

    const quietly = since(world, before);
    expectNoFailures('withheld page', quietly.invocations);
    expect(pagesFor(quietly.pagerDuty, name)).toEqual([]);
    expect(slackMentioning(quietly.slack, `Silence ${id} added by bob@example.com`)).toHaveLength(1);

    world.clock.advance(60_000);
    expect(await silence('expire', id, '--by', 'bob@example.com')).toMatchObject({ code: 0 });
    world.clock.advance(60_000);
    const after = mark(world);
    await publish(name, 'ALARM');
    await runTick(world);
    await runTick(world);

    const loud = since(world, after);
    expectNoFailures('after the silence', loud.invocations);
    expect(pagesFor(loud.pagerDuty, name).map((p) => p.event_action)).toEqual(['trigger']);
    expect(slackMentioning(loud.slack, `ALARM: ${name}`)).toHaveLength(1);
    expect(loud.mail.filter((m) => (m.subject ?? '').includes(name))).toHaveLength(2);
    // Announced once, however often the schedule runs; the end says what it held back.
    const ended = slackMentioning(loud.slack, `Silence ${id} (replica rebuild) was expired by bob@example.com`);
    expect(ended).toHaveLength(1);
    expect(ended[0]!.body).toContain('It held back 6 notifications');
    expect((await auditTrail(world, `silence:${id}`)).map((a) => [a.change, a.by])).toEqual([
      ['added', 'bob@example.com'],
      ['expired', 'bob@example.com'],
    ]);
  });

  it('with --pause-remediation refuses the node group scaling of the alarms it covers, and says so in the audit trail', async () => {
    const added = await silence('add', '--alarm', 'RetailPrediction-HighCPU', '--for', '2h', '--reason', 'node pool migration', '--by', 'carol@example.com', '--pause-remediation');
    const id = idOf(added.out);
    const capacity = await desiredCapacity(world);
    const before = mark(world);

    await publish('RetailPrediction-HighCPU', 'ALARM', 'Node CPU above 85 %');

    const seen = since(world, before);
    expectNoFailures('paused remediation', seen.invocations);
    expect(runsOf(seen.invocations, 'scaleNodegroup')).toHaveLength(1);
    expect(await desiredCapacity(world)).toBe(capacity);
    const refusal = (await auditTrail(world, 'retail-prediction-nodegroup')).at(-1);
    expect(refusal).toMatchObject({ status: 'refused', guard: 'silence', alarm: 'RetailPrediction-HighCPU' });
    expect(String(refusal?.reason)).toContain(`silence ${id} (node pool migration, by carol@example.com`);
    // The operator paused it: nobody is paged for the refusal.
    expect(seen.pagerDuty).toEqual([]);
    expect(await silence('expire', id)).toMatchObject({ code: 0 });
  });

  it('cannot be added without an end or a reason: the CLI names the missing flag and stores nothing', async () => {
    const noEnd = await silence('add', '--alarm', 'RetailPrediction-*', '--reason', 'x', '--by', 'dave@example.com');
    const noReason = await silence('add', '--alarm', 'RetailPrediction-*', '--for', '1h', '--by', 'dave@example.com');

    expect(noEnd).toMatchObject({ code: 2 });
    expect(noEnd.err).toContain('--for');
    expect(noReason).toMatchObject({ code: 2 });
    expect(noReason.err).toContain('--reason');
    const listed = JSON.parse((await silence('list', '--json', '--all')).out) as { silences: { createdBy: string }[] };
    expect(listed.silences.filter((s) => s.createdBy === 'dave@example.com')).toEqual([]);
  });
});

describe('an alarm storm on a grouped route', () => {
  const STORM = Array.from({ length: 20 }, (_, i) => `RetailPrediction-Model-${String(i + 1).padStart(2, '0')}-HighLatency`);

  it('20 alarms in 10 seconds: one Slack message and one PagerDuty incident after the wait; their recovery, one more of each', async () => {
    const before = mark(world);
    for (const name of STORM) {
      await publishAlarm(world, name, 'ALARM', 'Model endpoint p95 latency');
      world.clock.advance(500);
    }
    await world.lambda.idle();
    const joined = since(world, before);
    expectNoFailures('storm', joined.invocations);
    expect(runsOf(joined.invocations, 'notify')).toHaveLength(20);
    expect(slackMentioning(joined.slack, 'RetailPrediction-Model-')).toEqual([]);
    expect(joined.pagerDuty).toEqual([]);

    // Ten seconds after the first: the group's wait (30 s) is not over.
    await runTick(world);
    expect(slackMentioning(since(world, before).slack, 'RetailPrediction-Model-')).toEqual([]);
    world.clock.advance(25_000);
    await runTick(world);
    await runTick(world);

    const firing = since(world, before);
    expectNoFailures('storm batch', firing.invocations);
    const slack = slackMentioning(firing.slack, 'RetailPrediction-Model-');
    expect(slack).toHaveLength(1);
    for (const name of STORM) expect(slack[0]!.body).toContain(name);
    expect(firing.pagerDuty).toHaveLength(1);
    expect(firing.pagerDuty[0]).toMatchObject({ event_action: 'trigger', dedup_key: expect.stringContaining('firebreak:group:prod:model-endpoints/service=RetailPrediction') });
    const details = (firing.pagerDuty[0]!.payload as { custom_details: { members: { alarm_name: string; state: string }[] } }).custom_details;
    expect(details.members.map((m) => m.alarm_name).sort()).toEqual(STORM);

    const recovering = mark(world);
    world.clock.advance(60_000);
    for (const name of STORM) await publishAlarm(world, name, 'OK', 'Model endpoint p95 latency');
    await world.lambda.idle();
    await runTick(world);
    // The next batch waits out the group's interval (5 minutes after the first batch).
    expect(slackMentioning(since(world, recovering).slack, 'RetailPrediction-Model-')).toEqual([]);
    world.clock.advance(5 * 60_000);
    await runTick(world);

    const recovered = since(world, recovering);
    expectNoFailures('storm recovery', recovered.invocations);
    expect(slackMentioning(recovered.slack, 'RetailPrediction-Model-')).toHaveLength(1);
    expect(recovered.pagerDuty).toEqual([expect.objectContaining({ event_action: 'resolve', dedup_key: firing.pagerDuty[0]!.dedup_key })]);
    const all = since(world, before);
    process.stdout.write(
      `storm: ${STORM.length * 2} alarm messages in; out: slack ${slackMentioning(all.slack, 'RetailPrediction-Model-').length}, pagerduty ${all.pagerDuty.length} (${all.pagerDuty.map((p) => p.event_action).join(', ')}), email ${all.mail.length}\n`,
    );
  });
});
