// Unit tests: cooldowns, budgets and seen messages kept with DynamoDB conditional writes, including under concurrency.
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { executeRemediation } from '../../../shared/remediation/execute';
import { dynamoActionLedger, ledgerKeys, TRANSACTION_CONFLICT_ATTEMPTS, windowStartOf } from '../../../shared/remediation/ledger';
import type { LedgerClaim } from '../../../shared/remediation/types';
import { installDynamoDouble, evaluateCondition } from '../../support/dynamodb-double';
import { fakeDeps, nodegroupRequest, NOW, samplePolicy } from './support/fixtures';

const TABLE = 'firebreak-test-state';

const claimFor = (overrides: Partial<LedgerClaim> = {}): LedgerClaim => ({
  targetId: 'retail-prediction-nodegroup',
  cooldownSeconds: 600,
  targetBudget: 3,
  globalBudget: 10,
  windowSeconds: 3600,
  now: NOW,
  ...overrides,
});

let db: ReturnType<typeof installDynamoDouble>;
beforeEach(() => {
  db = installDynamoDouble();
});
afterEach(() => db.mock.restore());

describe('the DynamoDB double evaluates conditions as DynamoDB does', () => {
  it('treats a comparison with a missing attribute as false and honours OR/AND/parentheses', () => {
    const names = { '#u': 'until' };
    expect(evaluateCondition('attribute_not_exists(#u) OR #u <= :now', undefined, names, { ':now': 5 })).toBe(true);
    expect(evaluateCondition('attribute_not_exists(#u) OR #u <= :now', { until: 9 }, names, { ':now': 5 })).toBe(false);
    expect(evaluateCondition('#u < :x', {}, names, { ':x': 1 })).toBe(false);
    expect(evaluateCondition('attribute_not_exists(pk) OR (#u = :a AND #u < :b)', { pk: 'p', until: 1 }, names, { ':a': 1, ':b': 2 })).toBe(true);
  });
});

describe('dynamoActionLedger', () => {
  it('claims cooldown and both budgets in one transaction, under prefixed keys', async () => {
    const ledger = dynamoActionLedger(db.client, TABLE);

    const verdict = await ledger.claim(claimFor());

    expect(verdict.ok).toBe(true);
    expect(db.mock).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    const windowStart = windowStartOf(NOW, 3600);
    expect(db.item('cooldown#retail-prediction-nodegroup', 'lock')).toMatchObject({ until: NOW.getTime() / 1000 + 600 });
    expect(db.item(`budget#retail-prediction-nodegroup`, `window#${windowStart}`)).toMatchObject({ used: 1 });
    expect(db.item('budget#global', `window#${windowStart}`)).toMatchObject({ used: 1 });
  });

  it('refuses by cooldown, saying until when, and takes no budget', async () => {
    const ledger = dynamoActionLedger(db.client, TABLE);
    await ledger.claim(claimFor());

    const second = await ledger.claim(claimFor({ now: new Date(NOW.getTime() + 60_000) }));

    expect(second).toEqual({ ok: false, guard: 'cooldown', reason: expect.stringContaining(`until ${new Date(NOW.getTime() + 600_000).toISOString()}`) });
    expect(db.item('budget#global', `window#${windowStartOf(NOW, 3600)}`)).toMatchObject({ used: 1 });
  });

  it('refuses by the per-target budget, then the global one; a new window starts afresh', async () => {
    const ledger = dynamoActionLedger(db.client, TABLE);
    const at = (s: number) => new Date(NOW.getTime() + s * 1000);
    const noCooldown = { cooldownSeconds: 0, targetBudget: 2, globalBudget: 3 };

    expect((await ledger.claim(claimFor({ ...noCooldown, now: at(1) }))).ok).toBe(true);
    expect((await ledger.claim(claimFor({ ...noCooldown, now: at(2) }))).ok).toBe(true);
    expect(await ledger.claim(claimFor({ ...noCooldown, now: at(3) }))).toMatchObject({ ok: false, guard: 'budget', reason: expect.stringContaining('target retail-prediction-nodegroup') });
    expect((await ledger.claim(claimFor({ ...noCooldown, targetId: 'other', now: at(4) }))).ok).toBe(true);
    expect(await ledger.claim(claimFor({ ...noCooldown, targetId: 'third', now: at(5) }))).toMatchObject({ ok: false, guard: 'budget', reason: expect.stringContaining('global') });

    const nextWindow = new Date((windowStartOf(NOW, 3600) + 3600) * 1000);
    expect((await ledger.claim(claimFor({ ...noCooldown, now: nextWindow }))).ok).toBe(true);
  });

  it('a zero budget refuses without writing', async () => {
    const ledger = dynamoActionLedger(db.client, TABLE);
    expect(await ledger.claim(claimFor({ targetBudget: 0 }))).toMatchObject({ ok: false, guard: 'budget' });
    expect(db.mock).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it('peek gives the same verdicts without writing', async () => {
    const ledger = dynamoActionLedger(db.client, TABLE);
    expect(await ledger.peek(claimFor())).toMatchObject({ ok: true });
    expect(db.items.size).toBe(0);
    await ledger.claim(claimFor());
    expect(await ledger.peek(claimFor())).toMatchObject({ ok: false, guard: 'cooldown' });
  });

  it('release gives back the cooldown it took and one unit of each budget', async () => {
    const ledger = dynamoActionLedger(db.client, TABLE);
    const verdict = await ledger.claim(claimFor());
    if (!verdict.ok) throw new Error('expected a claim');

    await ledger.release(claimFor(), verdict.claimId);

    expect(db.item('cooldown#retail-prediction-nodegroup', 'lock')).toBeUndefined();
    expect(db.item('budget#global', `window#${windowStartOf(NOW, 3600)}`)).toMatchObject({ used: 0 });
    expect((await ledger.claim(claimFor())).ok).toBe(true);
  });

  it('retries a transaction that collided with another, then gives up with the error', async () => {
    db.mock.restore();
    db = installDynamoDouble({ conflictRate: 1 });
    const ledger = dynamoActionLedger(db.client, TABLE);

    await expect(ledger.claim(claimFor())).rejects.toThrow(/TransactionConflict/);
    expect(db.stats.transactions).toBe(TRANSACTION_CONFLICT_ATTEMPTS);
  });

  it('recognises a seen message, takes over one left "started" by a dead invocation, and forgets on request', async () => {
    const ledger = dynamoActionLedger(db.client, TABLE);

    expect(await ledger.startMessage('m-1', 'scale-nodegroup#ng', NOW)).toBe(true);
    expect(await ledger.startMessage('m-1', 'scale-nodegroup#ng', NOW)).toBe(false);
    // Another action for the same message is separate.
    expect(await ledger.startMessage('m-1', 'scale-deployment#api', NOW)).toBe(true);
    // Sixteen minutes later a still-'started' record belonged to an invocation that died.
    expect(await ledger.startMessage('m-1', 'scale-nodegroup#ng', new Date(NOW.getTime() + 16 * 60_000))).toBe(true);

    const outcome = { status: 'done', action: 'scale-nodegroup', target: 'ng', before: 3, after: 4 } as const;
    await ledger.finishMessage('m-1', 'scale-nodegroup#ng', outcome, NOW);
    expect(db.item(ledgerKeys.message('m-1', 'scale-nodegroup#ng').pk, 'scale-nodegroup#ng')).toMatchObject({ status: 'done', outcome });
    expect(await ledger.startMessage('m-1', 'scale-nodegroup#ng', new Date(NOW.getTime() + 60 * 60_000))).toBe(false);
    // Reported fine: nothing pending. After a failed report, exactly one caller takes the outcome.
    expect(await ledger.takePendingReport('m-1', 'scale-nodegroup#ng')).toBeUndefined();
    await ledger.reportFailed('m-1', 'scale-nodegroup#ng');
    const taken = await Promise.all([1, 2, 3].map(() => ledger.takePendingReport('m-1', 'scale-nodegroup#ng')));
    expect(taken.filter(Boolean)).toEqual([{ outcome, at: NOW }]);
    // Still running elsewhere ('started'): nothing to report.
    expect(await ledger.takePendingReport('m-1', 'scale-deployment#api')).toBeUndefined();

    await ledger.forgetMessage('m-1', 'scale-deployment#api');
    expect(await ledger.startMessage('m-1', 'scale-deployment#api', NOW)).toBe(true);
  });
});

describe('concurrency', () => {
  it('10 concurrent alarms for one target produce at most the per-target budget of actions', async () => {
    const policy = samplePolicy((s) => {
      s.nodegroups[0]!.cooldownSeconds = 0;
      s.budget.perTarget = 3;
    });
    const { deps, nodegroups } = fakeDeps({ policy, ledger: dynamoActionLedger(db.client, TABLE) });
    nodegroups.capacity = { desired: 2, min: 2, max: 50 };

    const outcomes = await Promise.all(Array.from({ length: 10 }, () => executeRemediation(nodegroupRequest(), deps)));

    const statuses = outcomes.map((o) => (o.status === 'refused' ? `refused:${o.guard}` : o.status));
    expect(statuses.filter((s) => s === 'done')).toHaveLength(3);
    expect(statuses.filter((s) => s === 'refused:budget')).toHaveLength(7);
    expect(nodegroups.calls).toHaveLength(3);
    expect(db.item('budget#retail-prediction-nodegroup', `window#${windowStartOf(NOW, 3600)}`)).toMatchObject({ used: 3 });
  });

  it('10 concurrent alarms for one target in cooldown terms act exactly once', async () => {
    const { deps, nodegroups } = fakeDeps({ ledger: dynamoActionLedger(db.client, TABLE) });

    const outcomes = await Promise.all(Array.from({ length: 10 }, () => executeRemediation(nodegroupRequest(), deps)));

    expect(outcomes.filter((o) => o.status === 'done')).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'refused' && o.guard === 'cooldown')).toHaveLength(9);
    expect(nodegroups.calls).toHaveLength(1);
  });

  it('the same message delivered 10 times at once acts once', async () => {
    const policy = samplePolicy((s) => { s.nodegroups[0]!.cooldownSeconds = 0; });
    const { deps, nodegroups } = fakeDeps({ policy, ledger: dynamoActionLedger(db.client, TABLE) });
    const request = nodegroupRequest({ messageId: 'redelivered' });

    const outcomes = await Promise.all(Array.from({ length: 10 }, () => executeRemediation(structuredClone(request), deps)));

    expect(outcomes.filter((o) => o.status === 'duplicate')).toHaveLength(9);
    expect(nodegroups.calls).toHaveLength(1);
  });

  it('concurrent alarms across targets never exceed the global budget, even with transaction conflicts', async () => {
    db.mock.restore();
    db = installDynamoDouble({ conflictRate: 0.2 });
    const policy = samplePolicy((s) => {
      s.budget.global = 4;
      s.budget.perTarget = 10;
      s.deployments[0]!.cooldownSeconds = 0;
      s.nodegroups[0]!.cooldownSeconds = 0;
    });
    const { deps, nodegroups, deployments } = fakeDeps({ policy, ledger: dynamoActionLedger(db.client, TABLE) });
    nodegroups.capacity = { desired: 2, min: 2, max: 50 };

    const requests = Array.from({ length: 10 }, (_, i) =>
      i % 2 === 0 ? nodegroupRequest() : { ...nodegroupRequest(), requestedBy: 'scaleDeployment', action: { kind: 'restart-deployment' as const, target: 'retail-forecast-api' } },
    );
    const settled = await Promise.allSettled(requests.map((r) => executeRemediation(r, deps)));

    const done = settled.filter((s) => s.status === 'fulfilled' && s.value.status === 'done');
    expect(done.length).toBeLessThanOrEqual(4);
    expect(nodegroups.calls.length + deployments.calls.length).toBe(done.length);
    expect(db.item('budget#global', `window#${windowStartOf(NOW, 3600)}`)?.used ?? 0).toBe(done.length);
  });
});
