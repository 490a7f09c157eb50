// Unit: the digest's adapters are loaded by their first use, once, and a failed load is retried by the next batch.
import type { DigestGate } from '../../../shared/logs/digest-gate';
import type { DigestDelivery } from '../../../shared/logs/forward';
import { lazyDigestDelivery } from '../../../shared/logs/lazy-digest';

const opened = { open: true, suppressedErrors: 2, openedAt: 1_000 } as const;

function realDelivery() {
  return {
    gate: {
      tryOpen: jest.fn<ReturnType<DigestGate['tryOpen']>, Parameters<DigestGate['tryOpen']>>(async () => opened),
      release: jest.fn<Promise<void>, Parameters<DigestGate['release']>>(async () => undefined),
    },
    post: jest.fn<Promise<void>, Parameters<DigestDelivery['post']>>(async () => undefined),
  };
}

describe('lazyDigestDelivery', () => {
  it('loads nothing when built, then loads the real delivery once and passes every call through', async () => {
    const real = realDelivery();
    const load = jest.fn(async () => real);
    const delivery = lazyDigestDelivery(load);
    expect(load).not.toHaveBeenCalled();

    await expect(delivery.gate.tryOpen('/aws/lambda/api', 3, 60, 1_000)).resolves.toEqual(opened);
    await delivery.post({ text: 'digest' });
    await delivery.gate.release('/aws/lambda/api', opened);

    expect(load).toHaveBeenCalledTimes(1);
    expect(real.gate.tryOpen).toHaveBeenCalledWith('/aws/lambda/api', 3, 60, 1_000);
    expect(real.post).toHaveBeenCalledWith({ text: 'digest' });
    expect(real.gate.release).toHaveBeenCalledWith('/aws/lambda/api', opened);
  });

  it('fails the use whose load failed, and the next use loads again', async () => {
    const real = realDelivery();
    const load = jest.fn<Promise<DigestDelivery>, []>().mockRejectedValueOnce(new Error('Cannot find module')).mockResolvedValue(real);
    const delivery = lazyDigestDelivery(load);

    await expect(delivery.gate.tryOpen('/aws/lambda/api', 1, 60, 1_000)).rejects.toThrow('Cannot find module');
    await expect(delivery.gate.tryOpen('/aws/lambda/api', 1, 60, 2_000)).resolves.toEqual(opened);
    await delivery.post({ text: 'digest' });

    expect(load).toHaveBeenCalledTimes(2);
    expect(real.post).toHaveBeenCalledTimes(1);
  });
});
