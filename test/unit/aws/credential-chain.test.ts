// The bundles' default credential chain: the environment's keys first, the SDK's full chain loaded only without them.
import type { DefaultProviderInit } from '@aws-sdk/credential-provider-node';
import { defaultProvider } from '../../../shared/aws/credential-chain';

type FullChain = typeof import('@aws-sdk/credential-provider-node');

const ENV_KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_CREDENTIAL_EXPIRATION'] as const;
const saved = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));

beforeEach(() => {
  for (const key of ENV_KEYS) delete process.env[key];
});
afterAll(() => {
  for (const key of ENV_KEYS) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
});

const FROM_CHAIN = { accessKeyId: 'ASIAFROMFULLCHAIN', secretAccessKey: 'chain-secret' };

/** A stand-in for the SDK's module: records what it was given and answers with FROM_CHAIN. */
function fakeFullChain() {
  const inits: DefaultProviderInit[] = [];
  const calls: unknown[] = [];
  let loads = 0;
  const load = async (): Promise<FullChain> => {
    loads += 1;
    return {
      defaultProvider: (init: DefaultProviderInit = {}) => {
        inits.push(init);
        return async (options?: unknown) => {
          calls.push(options);
          return FROM_CHAIN;
        };
      },
    } as unknown as FullChain;
  };
  return { load, inits, calls, loads: () => loads };
}

it('uses the keys Lambda puts in the environment, and never loads the full chain', async () => {
  process.env.AWS_ACCESS_KEY_ID = 'ASIAENVIRONMENT';
  process.env.AWS_SECRET_ACCESS_KEY = 'env-secret';
  process.env.AWS_SESSION_TOKEN = 'env-token';
  const chain = fakeFullChain();

  const credentials = await defaultProvider({}, chain.load)();

  expect(credentials).toMatchObject({ accessKeyId: 'ASIAENVIRONMENT', secretAccessKey: 'env-secret', sessionToken: 'env-token' });
  expect(chain.loads()).toBe(0);
});

it('loads the full chain once when the environment has no keys, and passes it the init and each call options', async () => {
  const chain = fakeFullChain();
  const init = { profile: undefined, ignoreCache: true } as DefaultProviderInit;
  const provider = defaultProvider(init, chain.load);

  await expect(provider({ forceRefresh: true })).resolves.toEqual(FROM_CHAIN);
  await expect(provider()).resolves.toEqual(FROM_CHAIN);

  expect(chain.loads()).toBe(1);
  expect(chain.inits).toEqual([init]);
  expect(chain.calls).toEqual([{ forceRefresh: true }, undefined]);
});

it('goes to the full chain when a profile is named, even with keys in the environment (the SDK chain order)', async () => {
  process.env.AWS_ACCESS_KEY_ID = 'ASIAENVIRONMENT';
  process.env.AWS_SECRET_ACCESS_KEY = 'env-secret';
  const fromVariable = fakeFullChain();
  process.env.AWS_PROFILE = 'dev';
  await expect(defaultProvider({}, fromVariable.load)()).resolves.toEqual(FROM_CHAIN);

  delete process.env.AWS_PROFILE;
  const fromInit = fakeFullChain();
  await expect(defaultProvider({ profile: 'dev' }, fromInit.load)()).resolves.toEqual(FROM_CHAIN);
  expect(fromInit.inits).toEqual([{ profile: 'dev' }]);
});

it('fails when the full chain cannot be loaded, and tries the load again on the next call', async () => {
  const chain = fakeFullChain();
  let failures = 1;
  const flaky = async () => {
    if (failures-- > 0) throw new Error('Cannot find module ./handler.aws-credential-chain.js');
    return chain.load();
  };
  const provider = defaultProvider({}, flaky);

  await expect(provider()).rejects.toThrow('Cannot find module ./handler.aws-credential-chain.js');
  await expect(provider()).resolves.toEqual(FROM_CHAIN);
});

it('loads the real SDK chain by default: without credentials anywhere it fails as the SDK does', async () => {
  const home = { AWS_CONFIG_FILE: process.env.AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE: process.env.AWS_SHARED_CREDENTIALS_FILE, AWS_EC2_METADATA_DISABLED: process.env.AWS_EC2_METADATA_DISABLED };
  process.env.AWS_CONFIG_FILE = '/nonexistent/firebreak-aws-config';
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/firebreak-aws-credentials';
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  try {
    await expect(defaultProvider()()).rejects.toMatchObject({ name: 'CredentialsProviderError' });
  } finally {
    for (const [key, value] of Object.entries(home)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
});
