// Unit tests: opening and closing a circuit breaker are remediation actions like any other — guards, budgets, dry run, audit trail.
import { InvalidInputError } from '../../../shared/errors';
import { executeRemediation } from '../../../shared/remediation/execute';
import type { RemediationRequest } from '../../../shared/remediation/types';
import { fakeDeps, NOW, SAMPLE_BREAKER, samplePolicy } from './support/fixtures';

let counter = 0;
const open = (target = SAMPLE_BREAKER): RemediationRequest => ({
  messageId: `respond:m-${++counter}`,
  alarm: { name: 'RetailPrediction-HighErrorRate', state: 'ALARM' },
  action: { kind: 'open-breaker', target, reason: 'Error rate 62.50% is over the extreme line of 50%' },
  requestedBy: 'respond',
});
const close = (): RemediationRequest => ({
  messageId: `respond:m-${++counter}`,
  alarm: { name: 'RetailPrediction-HighErrorRate', state: 'OK' },
  action: { kind: 'close-breaker', target: SAMPLE_BREAKER, reason: 'alarm OK and metrics healthy' },
  requestedBy: 'respond',
});
const inThirtyMinutes = new Date(NOW.getTime() + 30 * 60_000).toISOString();

describe('executeRemediation — breakers', () => {
  it('opens a breaker for its ttl, takes a unit of the budgets (no cooldown), and audits it like any action', async () => {
    const { deps, flags, ledger, audit, notices } = fakeDeps();
    const request = open();

    const outcome = await executeRemediation(request, deps);

    expect(outcome).toEqual({ status: 'done', action: 'open-breaker', target: SAMPLE_BREAKER, before: 'none', after: 'open', detail: `opened, re-evaluated at ${inThirtyMinutes}` });
    expect(flags.flags.get(SAMPLE_BREAKER)).toEqual({
      state: 'open',
      reason: 'Error rate 62.50% is over the extreme line of 50%',
      alarm: 'RetailPrediction-HighErrorRate',
      openedAt: NOW.toISOString(),
      expiresAt: inThirtyMinutes,
    });
    expect(ledger.used.get(`breaker-${SAMPLE_BREAKER}`)).toBe(1);
    expect(ledger.used.get('global')).toBe(1);
    expect(ledger.cooldownUntil.get(`breaker-${SAMPLE_BREAKER}`)).toBe(NOW.getTime());
    expect(audit).toEqual([
      expect.objectContaining({ action: 'open-breaker', target: SAMPLE_BREAKER, status: 'done', before: 'none', after: 'open', messageId: request.messageId, requestedBy: 'respond', dryRun: false }),
    ]);
    expect(notices).toEqual([]);
  });

  it('an open flag not yet due is unchanged: nothing written, nothing spent, and audited as such', async () => {
    const { deps, flags, ledger, audit } = fakeDeps();
    await executeRemediation(open(), deps);
    const writes = flags.writes;

    const again = await executeRemediation(open(), deps);

    expect(again).toMatchObject({ status: 'unchanged', before: 'open', after: 'open', reason: `unchanged, re-evaluated at ${inThirtyMinutes}` });
    expect(flags.writes).toBe(writes);
    expect(ledger.used.get('global')).toBe(1);
    expect(audit.map((e) => e.status)).toEqual(['done', 'unchanged']);
  });

  it('an open flag past its due time is extended, keeping when it opened, and spends a unit', async () => {
    const { deps, flags, ledger } = fakeDeps();
    flags.flags.set(SAMPLE_BREAKER, { state: 'open', reason: 'earlier', alarm: 'RetailPrediction-HighErrorRate', openedAt: '2026-11-21T04:00:00.000Z', expiresAt: '2026-11-21T04:30:00.000Z' });

    expect(await executeRemediation(open(), deps)).toMatchObject({ status: 'done', before: 'open', after: 'open', detail: `extended, re-evaluated at ${inThirtyMinutes}` });
    expect(flags.flags.get(SAMPLE_BREAKER)).toMatchObject({ openedAt: '2026-11-21T04:00:00.000Z', expiresAt: inThirtyMinutes });
    expect(ledger.used.get('global')).toBe(1);
  });

  it('the kill switch (the operator’s or the policy’s) refuses opening and closing, and the refusal is audited and told', async () => {
    const engaged = fakeDeps();
    engaged.killSwitch.engaged = true;
    engaged.killSwitch.reason = 'game day';
    expect(await executeRemediation(open(), engaged.deps)).toMatchObject({ status: 'refused', guard: 'kill-switch', reason: 'the kill switch is on: game day' });
    expect(await executeRemediation(close(), engaged.deps)).toMatchObject({ status: 'refused', guard: 'kill-switch' });
    expect(engaged.flags.writes).toBe(0);
    expect(engaged.audit.map((e) => `${e.action} ${e.status} ${e.guard}`)).toEqual(['open-breaker refused kill-switch', 'close-breaker refused kill-switch']);
    expect(engaged.notices.map((n) => n.guard)).toEqual(['kill-switch', 'kill-switch']);

    const disabled = fakeDeps({ policy: samplePolicy((s) => void (s.enabled = false)) });
    expect(await executeRemediation(open(), disabled.deps)).toMatchObject({ status: 'refused', guard: 'kill-switch', reason: expect.stringContaining('remediation.enabled is false') });
  });

  it('a flag no responder service owns is refused by the allow-list', async () => {
    const { deps, flags } = fakeDeps();
    expect(await executeRemediation(open('checkout'), deps)).toMatchObject({ status: 'refused', guard: 'allow-list', reason: 'breaker checkout is not owned by any responder service in the policy' });
    expect(flags.writes).toBe(0);
  });

  it.each([false, true])('a parameter that is not a valid flag is refused by target-state and never overwritten (dry run: %s)', async (dryRun) => {
    const { deps, flags, ledger } = fakeDeps({ dryRun });
    flags.read = async () => Promise.reject(new InvalidInputError(`Breaker flag ${SAMPLE_BREAKER} is not JSON`));

    expect(await executeRemediation(open(), deps)).toMatchObject({ status: 'refused', guard: 'target-state', reason: expect.stringContaining('is not JSON; not overwritten') });
    expect(flags.writes).toBe(0);
    expect(ledger.used.size).toBe(0);
  });

  it('a spent budget refuses an opening; a closing spends nothing, so a spent budget cannot hold a breaker open', async () => {
    const { deps, flags, ledger } = fakeDeps();
    flags.flags.set(SAMPLE_BREAKER, { state: 'open', reason: 'earlier', alarm: null, openedAt: '2026-11-21T04:00:00.000Z', expiresAt: '2026-11-21T04:30:00.000Z' });
    ledger.used.set('global', 10);

    expect(await executeRemediation(open(), deps)).toMatchObject({ status: 'refused', guard: 'budget' });
    expect(await executeRemediation(close(), deps)).toMatchObject({ status: 'done', action: 'close-breaker', before: 'open', after: 'closed', detail: 'closed' });
    expect(flags.flags.get(SAMPLE_BREAKER)).toMatchObject({ state: 'closed', reason: 'alarm OK and metrics healthy', openedAt: '2026-11-21T04:00:00.000Z', expiresAt: null });
    expect(ledger.used.get('global')).toBe(10);
  });

  it('closing a closed or missing flag is unchanged', async () => {
    const { deps, flags } = fakeDeps();
    expect(await executeRemediation(close(), deps)).toMatchObject({ status: 'unchanged', before: 'none' });
    expect(flags.writes).toBe(0);
  });

  it('a write that fails gives the budget unit back and throws, so Lambda retries', async () => {
    const { deps, flags, ledger, audit } = fakeDeps();
    flags.write = async () => Promise.reject(new Error('ThrottlingException: Rate exceeded'));

    await expect(executeRemediation(open(), deps)).rejects.toThrow('Rate exceeded');
    expect(ledger.released).toEqual([`claim-breaker-${SAMPLE_BREAKER}`]);
    expect(ledger.used.get('global')).toBe(0);
    expect(audit).toEqual([]);
  });

  it('DRY_RUN: plans the opening, writes nothing and takes nothing; an unreadable flag is planned as none and said', async () => {
    const { deps, flags, ledger } = fakeDeps({ dryRun: true });
    flags.read = async () => Promise.reject(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));

    const outcome = await executeRemediation(open(), deps);

    expect(outcome).toMatchObject({
      status: 'dry-run',
      before: 'none',
      after: 'open',
      plan: expect.stringContaining(`DRY_RUN plan: opened, re-evaluated at ${inThirtyMinutes} (as if there were no flag: its state could not be read)`),
      unknown: [`breaker ${SAMPLE_BREAKER}: unknown (could not read breaker flag ${SAMPLE_BREAKER}: no AWS credentials)`],
    });
    expect(flags.writes).toBe(0);
    expect(ledger.used.size).toBe(0);
  });

  it('a live run never opens over a flag it could not read', async () => {
    const { deps, flags, ledger } = fakeDeps();
    flags.read = async () => Promise.reject(new Error('ThrottlingException: Rate exceeded'));

    await expect(executeRemediation(open(), deps)).rejects.toThrow('Rate exceeded');
    expect(flags.writes).toBe(0);
    expect(ledger.used.size).toBe(0);
  });
});
