// Unit tests: flags in SSM through aws-sdk-client-mock, the open/close use cases, and the cached reader for applications.
import { GetParameterCommand, GetParametersByPathCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { breakerStatus, closeBreaker, openBreaker } from '../../../shared/breaker/breaker';
import { serialiseFlag, type BreakerFlag } from '../../../shared/breaker/flag';
import { createBreakerReader } from '../../../shared/breaker/reader';
import { ssmFlagStore } from '../../../shared/breaker/store';

const ssm = mockClient(SSMClient);
const PREFIX = '/firebreak/dev/breakers';
const NAME = '/firebreak/dev/breakers/retail-prediction-api';
const t0 = new Date('2026-11-21T03:14:00.000Z');
const request = { reason: 'error rate 62% over 50%', alarm: 'RetailPrediction-HighErrorRate', ttlMinutes: 30 };
const notFound = () => new ParameterNotFound({ message: 'not found', $metadata: {} });
const store = () => ssmFlagStore(PREFIX, new SSMClient({ region: 'us-east-1' }));
const stored = (flag: BreakerFlag) => ({ Parameter: { Name: NAME, Type: 'String' as const, Value: serialiseFlag(flag) } });
const openFlag: BreakerFlag = { state: 'open', reason: 'r', alarm: request.alarm, openedAt: t0.toISOString(), expiresAt: '2026-11-21T03:44:00.000Z' };

beforeEach(() => ssm.reset());

describe('SSM flag store and breaker use cases', () => {
  it('opens a missing flag as a String parameter under the prefix, with the contract JSON', async () => {
    ssm.on(GetParameterCommand).rejects(notFound());
    ssm.on(PutParameterCommand).resolves({ Version: 1 });
    const change = await openBreaker(store(), 'retail-prediction-api', request, { now: t0 });

    expect(change).toMatchObject({ kind: 'opened', written: true });
    expect(ssm).toHaveReceivedCommandWith(PutParameterCommand, { Name: NAME, Type: 'String', Overwrite: true });
    const value = ssm.commandCalls(PutParameterCommand)[0]?.args[0].input.Value ?? '';
    expect(JSON.parse(value)).toEqual({ state: 'open', reason: request.reason, alarm: request.alarm, openedAt: t0.toISOString(), expiresAt: '2026-11-21T03:44:00.000Z' });
  });

  it('writes nothing when the flag is already open and not due (idempotent open)', async () => {
    ssm.on(GetParameterCommand).resolves(stored(openFlag));
    const change = await openBreaker(store(), 'retail-prediction-api', request, { now: new Date('2026-11-21T03:20:00.000Z') });
    expect(change).toMatchObject({ kind: 'unchanged', written: false });
    expect(ssm).not.toHaveReceivedCommand(PutParameterCommand);
  });

  it('plans but does not write under DRY_RUN', async () => {
    ssm.on(GetParameterCommand).rejects(notFound());
    const change = await openBreaker(store(), 'retail-prediction-api', request, { now: t0, dryRun: true });
    expect(change).toMatchObject({ kind: 'opened', changed: true, written: false });
    expect(ssm).not.toHaveReceivedCommand(PutParameterCommand);
  });

  it('closes an open flag and reads back its status', async () => {
    ssm.on(GetParameterCommand).resolves(stored(openFlag));
    ssm.on(PutParameterCommand).resolves({ Version: 2 });
    const change = await closeBreaker(store(), 'retail-prediction-api', 'operator: deploy rolled back');
    expect(change).toMatchObject({ kind: 'closed', written: true, flag: { state: 'closed', reason: 'operator: deploy rolled back', expiresAt: null } });
    expect(await breakerStatus(store(), 'retail-prediction-api')).toEqual(openFlag);
  });

  it('reads a missing flag as undefined and throws other SSM errors', async () => {
    ssm.on(GetParameterCommand).rejectsOnce(notFound()).rejectsOnce(new Error('AccessDeniedException'));
    await expect(breakerStatus(store(), 'retail-prediction-api')).resolves.toBeUndefined();
    await expect(breakerStatus(store(), 'retail-prediction-api')).rejects.toThrow('AccessDeniedException');
  });

  it('refuses a flag name that would escape the prefix', async () => {
    await expect(breakerStatus(store(), '../kill-switch')).rejects.toThrow(RangeError);
    expect(ssm).not.toHaveReceivedCommand(GetParameterCommand);
  });

  it('lists every flag under the prefix across pages', async () => {
    ssm
      .on(GetParametersByPathCommand)
      .resolvesOnce({ Parameters: [{ Name: NAME, Value: serialiseFlag(openFlag) }], NextToken: 'next' })
      .resolvesOnce({ Parameters: [{ Name: `${PREFIX}/checkout`, Value: '{"state":"closed","reason":"ok"}' }] });
    const flags = await store().list();
    expect(flags.map((f) => [f.name, 'flag' in f ? f.flag.state : f.error.message])).toEqual([
      ['retail-prediction-api', 'open'],
      ['checkout', 'closed'],
    ]);
    expect(ssm.commandCalls(GetParametersByPathCommand)[1]?.args[0].input).toMatchObject({ Path: PREFIX, NextToken: 'next' });
  });

  it('lists a parameter that is not a flag with its error, and the valid ones beside it', async () => {
    ssm.on(GetParametersByPathCommand).resolves({
      Parameters: [
        { Name: `${PREFIX}/hand-edited`, Value: 'true' },
        { Name: NAME, Value: serialiseFlag(openFlag) },
      ],
    });
    const flags = await store().list();
    expect(flags).toEqual([
      { name: 'hand-edited', error: expect.objectContaining({ message: expect.stringContaining('Breaker flag hand-edited is invalid') }) },
      { name: 'retail-prediction-api', flag: openFlag },
    ]);
  });
});

describe('breaker reader for applications', () => {
  it('caches a flag for its expiry, then asks SSM again', async () => {
    ssm.on(GetParameterCommand).resolvesOnce(stored(openFlag)).resolves(stored({ ...openFlag, state: 'closed', expiresAt: null }));
    let clock = 1_000;
    const reader = createBreakerReader({ prefix: PREFIX, cacheSeconds: 15, store: store(), clock: () => clock });

    expect(await reader.isOpen('retail-prediction-api')).toBe(true);
    clock += 14_999;
    expect(await reader.isOpen('retail-prediction-api')).toBe(true);
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 1);
    clock += 1;
    expect(await reader.isOpen('retail-prediction-api')).toBe(false);
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 2);
  });

  it('shares one SSM call between concurrent reads', async () => {
    ssm.on(GetParameterCommand).resolves(stored(openFlag));
    const reader = createBreakerReader({ prefix: PREFIX, store: store() });
    const results = await Promise.all(Array.from({ length: 20 }, () => reader.isOpen('retail-prediction-api')));
    expect(results.every(Boolean)).toBe(true);
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 1);
  });

  it('reads a missing flag as closed, and an open flag past its expiry as still open', async () => {
    ssm.on(GetParameterCommand, { Name: NAME }).resolves(stored({ ...openFlag, expiresAt: '2020-01-01T00:00:00.000Z' }));
    ssm.on(GetParameterCommand, { Name: `${PREFIX}/checkout` }).rejects(notFound());
    const reader = createBreakerReader({ prefix: PREFIX, store: store() });
    expect(await reader.isOpen('retail-prediction-api')).toBe(true);
    expect(await reader.isOpen('checkout')).toBe(false);
  });

  it('throws a failed read and does not cache it', async () => {
    ssm.on(GetParameterCommand).rejectsOnce(new Error('ThrottlingException')).resolves(stored(openFlag));
    const reader = createBreakerReader({ prefix: PREFIX, store: store() });
    await expect(reader.isOpen('retail-prediction-api')).rejects.toThrow('ThrottlingException');
    expect(await reader.isOpen('retail-prediction-api')).toBe(true);
  });
});
