// Unit tests: lazyClient builds nothing until asked, then hands out the same client for the container.
import { lazyClient } from '../../../shared/aws/lazy-client';

it('creates the client on first use only, and only once', () => {
  const create = jest.fn(() => ({ id: Symbol('client') }));
  const client = lazyClient(create);
  expect(create).not.toHaveBeenCalled();

  const first = client();
  const second = client();

  expect(create).toHaveBeenCalledTimes(1);
  expect(second).toBe(first);
});
