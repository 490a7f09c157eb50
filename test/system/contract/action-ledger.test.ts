// Contract: cooldowns, action budgets and seen messages as DynamoDB transactions and conditional writes, against the emulator.
import { executeRemediation } from '../../../shared/remediation/execute';
import { dynamoActionLedger, ledgerKeys, MESSAGE_RECORD_DAYS, STALE_START_SECONDS, windowStartOf } from '../../../shared/remediation/ledger';
import type { ActionLedger, LedgerClaim } from '../../../shared/remediation/types';
import { fakeDeps, nodegroupRequest, samplePolicy } from '../../unit/remediation/support/fixtures';
import { epochSeconds, expectTtlSeconds, stateTablePerFile, type StateTable } from './state-table';

const WINDOW_SECONDS = 3600;
/** The sample policy's node group, which executeRemediation acts on. */
const SAMPLE_TARGET = 'retail-prediction-nodegroup';

let table: StateTable;
let ledger: ActionLedger;
let dayCounter = 0;
/** The start of a budget window no other test has used: the global budget is one item per window for every target. */
let start: Date;
/** A target no other test has used: its cooldown item is one per target, across windows. */
let target: string;
const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);

const claimFor = (overrides: Partial<LedgerClaim> = {}): LedgerClaim => ({
  targetId: target,
  cooldownSeconds: 600,
  targetBudget: 3,
  globalBudget: 10,
  windowSeconds: WINDOW_SECONDS,
  now: start,
  ...overrides,
});

const cooldownItem = (targetId = target) => table.item(ledgerKeys.cooldown(targetId).pk, 'lock');
const targetUsed = async (targetId = target, now = start) =>
  (await table.item(`budget#${targetId}`, `window#${windowStartOf(now, WINDOW_SECONDS)}`))?.used;
const globalUsed = async (now = start) => (await table.item('budget#global', `window#${windowStartOf(now, WINDOW_SECONDS)}`))?.used;

const stateTable = stateTablePerFile();
beforeAll(() => {
  table = stateTable();
  ledger = dynamoActionLedger(table.client, table.tableName);
});
beforeEach(() => {
  start = new Date(Date.parse('2026-11-21T05:00:00.000Z') + ++dayCounter * 86_400_000);
  target = `ng-${dayCounter}`;
});

describe('claim: cooldown and both budgets in one transaction', () => {
  it('takes the cooldown and one unit of each budget under prefixed keys, each item expiring in epoch seconds', async () => {
    const verdict = await ledger.claim(claimFor());

    expect(verdict).toEqual({ ok: true, claimId: expect.any(String) });
    const now = epochSeconds(start.getTime());
    const windowStart = windowStartOf(start, WINDOW_SECONDS);
    expect(await cooldownItem()).toMatchObject({ until: now + 600, claimId: verdict.ok ? verdict.claimId : '' });
    expect(await targetUsed()).toBe(1);
    expect(await globalUsed()).toBe(1);
    expectTtlSeconds(await table.rawItem(`cooldown#${target}`, 'lock'), now + 600 + 86_400);
    expectTtlSeconds(await table.rawItem(`budget#${target}`, `window#${windowStart}`), windowStart + WINDOW_SECONDS + 86_400);
    expectTtlSeconds(await table.rawItem('budget#global', `window#${windowStart}`), windowStart + WINDOW_SECONDS + 86_400);
  });

  it('a second claim inside the cooldown loses, says until when, and the cancelled transaction takes no budget', async () => {
    await ledger.claim(claimFor());

    const second = await ledger.claim(claimFor({ now: at(60) }));

    expect(second).toEqual({ ok: false, guard: 'cooldown', reason: expect.stringContaining(`until ${at(600).toISOString()}`) });
    expect(await targetUsed()).toBe(1);
    expect(await globalUsed()).toBe(1);
  });

  it('an expired cooldown can be taken again, from the second it ends (until <= now)', async () => {
    await ledger.claim(claimFor());

    expect(await ledger.claim(claimFor({ now: at(599) }))).toMatchObject({ ok: false, guard: 'cooldown' });
    expect(await ledger.claim(claimFor({ now: at(600) }))).toMatchObject({ ok: true });
    expect(await cooldownItem()).toMatchObject({ until: epochSeconds(at(1200).getTime()) });
    expect(await targetUsed()).toBe(2);
  });

  it('refuses by the per-target budget, then the global one; a new window starts afresh', async () => {
    const noCooldown = { cooldownSeconds: 0, targetBudget: 2, globalBudget: 3 };

    expect(await ledger.claim(claimFor({ ...noCooldown, now: at(1) }))).toMatchObject({ ok: true });
    expect(await ledger.claim(claimFor({ ...noCooldown, now: at(2) }))).toMatchObject({ ok: true });
    expect(await ledger.claim(claimFor({ ...noCooldown, now: at(3) }))).toMatchObject({ ok: false, guard: 'budget', reason: expect.stringContaining(`target ${target}`) });
    expect(await ledger.claim(claimFor({ ...noCooldown, targetId: 'other', now: at(4) }))).toMatchObject({ ok: true });
    expect(await ledger.claim(claimFor({ ...noCooldown, targetId: 'third', now: at(5) }))).toMatchObject({ ok: false, guard: 'budget', reason: expect.stringContaining('global') });
    expect(await targetUsed()).toBe(2);
    expect(await globalUsed()).toBe(3);
    expect(await targetUsed('third')).toBeUndefined();

    expect(await ledger.claim(claimFor({ ...noCooldown, now: at(WINDOW_SECONDS) }))).toMatchObject({ ok: true });
    expect(await globalUsed(at(WINDOW_SECONDS))).toBe(1);
  });

  it('a budget refusal cancels the whole transaction: the cooldown it would have taken is not written', async () => {
    await ledger.claim(claimFor({ cooldownSeconds: 0, targetBudget: 1 }));

    const refused = await ledger.claim(claimFor({ cooldownSeconds: 600, targetBudget: 1, now: at(5) }));

    expect(refused).toMatchObject({ ok: false, guard: 'budget' });
    // The first claim's zero-second cooldown, not the refused claim's ten minutes.
    expect(await cooldownItem()).toMatchObject({ until: epochSeconds(start.getTime()) });
    expect(await globalUsed()).toBe(1);
  });

  it('a zero budget refuses without writing anything', async () => {
    expect(await ledger.claim(claimFor({ targetBudget: 0 }))).toMatchObject({ ok: false, guard: 'budget' });
    expect(await ledger.claim(claimFor({ globalBudget: 0 }))).toMatchObject({ ok: false, guard: 'budget', reason: expect.stringContaining('global') });
    expect(await cooldownItem()).toBeUndefined();
    expect(await globalUsed()).toBeUndefined();
  });

  it('10 concurrent claims on one budget whose limit is 3: exactly 3 win and the stored counter is 3', async () => {
    const claim = claimFor({ cooldownSeconds: 0, targetBudget: 3 });

    const verdicts = await Promise.all(Array.from({ length: 10 }, () => ledger.claim(claim)));

    expect(verdicts.filter((v) => v.ok)).toHaveLength(3);
    expect(verdicts.filter((v) => !v.ok && v.guard === 'budget')).toHaveLength(7);
    expect(await targetUsed()).toBe(3);
    expect(await globalUsed()).toBe(3);
  });

  it('10 concurrent claims on one target in its cooldown terms: exactly one wins', async () => {
    const verdicts = await Promise.all(Array.from({ length: 10 }, () => ledger.claim(claimFor())));

    expect(verdicts.filter((v) => v.ok)).toHaveLength(1);
    expect(verdicts.filter((v) => !v.ok && v.guard === 'cooldown')).toHaveLength(9);
    expect(await targetUsed()).toBe(1);
  });

  it('10 concurrent claims across ten targets never exceed the global budget of 4', async () => {
    const verdicts = await Promise.all(
      Array.from({ length: 10 }, (_, i) => ledger.claim(claimFor({ targetId: `target-${i}`, cooldownSeconds: 0, targetBudget: 10, globalBudget: 4 }))),
    );

    expect(verdicts.filter((v) => v.ok)).toHaveLength(4);
    expect(await globalUsed()).toBe(4);
    const perTarget = await Promise.all(Array.from({ length: 10 }, (_, i) => targetUsed(`target-${i}`)));
    expect(perTarget.reduce<number>((sum, used) => sum + Number(used ?? 0), 0)).toBe(4);
  });
});

describe('peek and release', () => {
  it('peek gives the same verdicts as claim without writing', async () => {
    expect(await ledger.peek(claimFor())).toEqual({ ok: true, claimId: 'peek' });
    expect(await cooldownItem()).toBeUndefined();
    expect(await globalUsed()).toBeUndefined();

    await ledger.claim(claimFor());
    expect(await ledger.peek(claimFor({ now: at(60) }))).toMatchObject({ ok: false, guard: 'cooldown', reason: expect.stringContaining(at(600).toISOString()) });
    expect(await ledger.peek(claimFor({ now: at(600), targetBudget: 1 }))).toMatchObject({ ok: false, guard: 'budget' });
    expect(await ledger.peek(claimFor({ now: at(600), globalBudget: 1 }))).toMatchObject({ ok: false, guard: 'budget', reason: expect.stringContaining('global') });
    expect(await globalUsed()).toBe(1);
  });

  it('release gives back the cooldown it took and one unit of each budget, so the retry can claim', async () => {
    const verdict = await ledger.claim(claimFor());
    if (!verdict.ok) throw new Error('expected the claim to win');

    await ledger.release(claimFor(), verdict.claimId);

    expect(await cooldownItem()).toBeUndefined();
    expect(await targetUsed()).toBe(0);
    expect(await globalUsed()).toBe(0);
    expect(await ledger.claim(claimFor())).toMatchObject({ ok: true });
  });

  it('release with another claim’s id is cancelled as a whole: the cooldown and both budgets stay taken', async () => {
    const verdict = await ledger.claim(claimFor());
    if (!verdict.ok) throw new Error('expected the claim to win');

    await expect(ledger.release(claimFor(), 'not-this-claim')).rejects.toMatchObject({ name: 'TransactionCanceledException' });

    expect(await cooldownItem()).toMatchObject({ claimId: verdict.claimId });
    expect(await targetUsed()).toBe(1);
    expect(await globalUsed()).toBe(1);
  });
});

describe('seen messages', () => {
  const outcome = { status: 'done', action: 'scale-nodegroup', target: 'ng', before: 3, after: 4 } as const;

  it('the first start of a message+action wins; a redelivery loses; another action of the message is separate', async () => {
    const id = `m-${dayCounter}`;
    expect(await ledger.startMessage(id, 'scale-nodegroup#ng', start)).toBe(true);
    expect(await ledger.startMessage(id, 'scale-nodegroup#ng', at(1))).toBe(false);
    expect(await ledger.startMessage(id, 'scale-deployment#api', start)).toBe(true);

    const key = ledgerKeys.message(id, 'scale-nodegroup#ng');
    expect(await table.item(key.pk, key.sk)).toMatchObject({ status: 'started', startedAt: epochSeconds(start.getTime()) });
    expectTtlSeconds(await table.rawItem(key.pk, key.sk), epochSeconds(start.getTime()) + MESSAGE_RECORD_DAYS * 86_400);
  });

  it('a record left "started" by an invocation that died is taken over only after STALE_START_SECONDS', async () => {
    const id = `m-${dayCounter}`;
    await ledger.startMessage(id, 'scale-nodegroup#ng', start);

    expect(await ledger.startMessage(id, 'scale-nodegroup#ng', at(STALE_START_SECONDS))).toBe(false);
    expect(await ledger.startMessage(id, 'scale-nodegroup#ng', at(STALE_START_SECONDS + 1))).toBe(true);
  });

  it('a finished message keeps its outcome and is never started again', async () => {
    const id = `m-${dayCounter}`;
    await ledger.startMessage(id, 'scale-nodegroup#ng', start);

    await ledger.finishMessage(id, 'scale-nodegroup#ng', outcome, start);

    const key = ledgerKeys.message(id, 'scale-nodegroup#ng');
    expect(await table.item(key.pk, key.sk)).toMatchObject({ status: 'done', outcome, finishedAt: start.toISOString() });
    expect(await ledger.startMessage(id, 'scale-nodegroup#ng', at(3600))).toBe(false);
  });

  it('after a failed report exactly one of three concurrent redeliveries takes the outcome', async () => {
    const id = `m-${dayCounter}`;
    await ledger.startMessage(id, 'scale-nodegroup#ng', start);
    await ledger.finishMessage(id, 'scale-nodegroup#ng', outcome, start);
    expect(await ledger.takePendingReport(id, 'scale-nodegroup#ng')).toBeUndefined();

    await ledger.reportFailed(id, 'scale-nodegroup#ng');
    const taken = await Promise.all([1, 2, 3].map(() => ledger.takePendingReport(id, 'scale-nodegroup#ng')));

    expect(taken.filter(Boolean)).toEqual([{ outcome, at: start }]);
    expect(await ledger.takePendingReport(id, 'scale-nodegroup#ng')).toBeUndefined();
  });

  it('a message still running elsewhere has nothing to report, and cannot be marked as a failed report', async () => {
    const id = `m-${dayCounter}`;
    await ledger.startMessage(id, 'scale-deployment#api', start);

    expect(await ledger.takePendingReport(id, 'scale-deployment#api')).toBeUndefined();
    await expect(ledger.reportFailed(id, 'scale-deployment#api')).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
  });

  it('a forgotten message can be started again', async () => {
    const id = `m-${dayCounter}`;
    await ledger.startMessage(id, 'scale-deployment#api', start);

    await ledger.forgetMessage(id, 'scale-deployment#api');

    expect(await table.item(ledgerKeys.message(id, 'scale-deployment#api').pk, 'scale-deployment#api')).toBeUndefined();
    expect(await ledger.startMessage(id, 'scale-deployment#api', start)).toBe(true);
  });
});

describe('executeRemediation on the DynamoDB ledger under concurrency', () => {
  it('10 concurrent alarms for one target act exactly its per-target budget of 3 times', async () => {
    const policy = samplePolicy((s) => {
      s.nodegroups[0]!.cooldownSeconds = 0;
      s.budget.perTarget = 3;
    });
    const { deps, nodegroups } = fakeDeps({ policy, ledger, now: () => start });
    nodegroups.capacity = { desired: 2, min: 2, max: 50 };

    const outcomes = await Promise.all(Array.from({ length: 10 }, () => executeRemediation(nodegroupRequest(), deps)));

    const statuses = outcomes.map((o) => (o.status === 'refused' ? `refused:${o.guard}` : o.status));
    expect(statuses.filter((s) => s === 'done')).toHaveLength(3);
    expect(statuses.filter((s) => s === 'refused:budget')).toHaveLength(7);
    expect(nodegroups.calls).toHaveLength(3);
    expect(await targetUsed(SAMPLE_TARGET)).toBe(3);
  });

  it('10 concurrent alarms for one target in its cooldown act once', async () => {
    const { deps, nodegroups } = fakeDeps({ ledger, now: () => start });

    const outcomes = await Promise.all(Array.from({ length: 10 }, () => executeRemediation(nodegroupRequest(), deps)));

    expect(outcomes.filter((o) => o.status === 'done')).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'refused' && o.guard === 'cooldown')).toHaveLength(9);
    expect(nodegroups.calls).toHaveLength(1);
  });

  it('the same message delivered 10 times at once acts once', async () => {
    const policy = samplePolicy((s) => {
      s.nodegroups[0]!.cooldownSeconds = 0;
    });
    const { deps, nodegroups } = fakeDeps({ policy, ledger, now: () => start });
    const request = nodegroupRequest({ messageId: `redelivered-${dayCounter}` });

    const outcomes = await Promise.all(Array.from({ length: 10 }, () => executeRemediation(structuredClone(request), deps)));

    expect(outcomes.filter((o) => o.status === 'duplicate')).toHaveLength(9);
    expect(nodegroups.calls).toHaveLength(1);
  });
});
