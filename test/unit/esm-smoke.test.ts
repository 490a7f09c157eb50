// The ESM-only dependencies load under jest's CommonJS transform (guards the jest config).
import middy from '@middy/core';
import { KubeConfig } from '@kubernetes/client-node';

it('loads middy and the Kubernetes client', () => {
  expect(typeof middy).toBe('function');
  expect(new KubeConfig().getContexts()).toEqual([]);
});
