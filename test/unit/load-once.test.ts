// Unit: a value loaded on first use, kept once loaded, and loaded again after a failure.
import { loadOnce } from '../../shared/load-once';

describe('loadOnce', () => {
  it('loads nothing until asked, then loads once however many ask, even at the same time', async () => {
    const load = jest.fn(async () => ({ loaded: true }));
    const get = loadOnce(load);
    expect(load).not.toHaveBeenCalled();

    const [first, second] = await Promise.all([get(), get()]);
    const third = await get();

    expect(load).toHaveBeenCalledTimes(1);
    expect(first).toBe(second);
    expect(third).toBe(first);
  });

  it('does not keep a failed load: the next call tries again', async () => {
    const load = jest.fn<Promise<string>, []>().mockRejectedValueOnce(new Error('module not found')).mockResolvedValueOnce('loaded');
    const get = loadOnce(load);

    await expect(get()).rejects.toThrow('module not found');
    await expect(get()).resolves.toBe('loaded');
    await expect(get()).resolves.toBe('loaded');
    expect(load).toHaveBeenCalledTimes(2);
  });
});
