// AWS SDK wiring: the default credential chain of every bundled function — the environment first, the SDK's full chain only when needed.
import { fromEnv } from '@aws-sdk/credential-provider-env';
import type { DefaultProviderInit } from '@aws-sdk/credential-provider-node';
import type { AwsCredentialIdentity } from '@smithy/types';
import { loadOnce } from '../load-once';

type FullChain = typeof import('@aws-sdk/credential-provider-node');
/** What an SDK client calls for credentials (the SDK's own chain has this shape). */
export type CredentialChain = ReturnType<FullChain['defaultProvider']>;

/** How long before their expiry the SDK treats credentials as expired; the same five minutes as its own chain. */
const EXPIRY_MARGIN_MS = 300_000;

/** The SDK's own name for the profile variable: when set, its chain skips the environment's keys. */
const ENV_PROFILE = 'AWS_PROFILE';

/**
 * Stands in for `@aws-sdk/credential-provider-node`'s `defaultProvider` in the deployed bundles
 * (esbuild.config.js substitutes it). Lambda always puts the function role's credentials in the
 * environment, so they are read from there, as the SDK's chain does first. The rest of that chain
 * (SSO, shared ini files, processes, web identity, container and instance metadata: about 300 KiB of
 * code) is loaded from its own file only when the environment has none or a profile is named — a
 * laptop running `serverless invoke local` — and then behaves exactly as the SDK's.
 *
 * It reads `AWS_PROFILE` itself, as the SDK's chain does, so the order of sources stays the SDK's.
 */
export function defaultProvider(init: DefaultProviderInit = {}, loadFullChain: () => Promise<FullChain> = () => import('@aws-sdk/credential-provider-node')): CredentialChain {
  // Loaded once; a failed load is not kept, so the next call tries again.
  const fullChain = loadOnce(async () => (await loadFullChain()).defaultProvider(init));
  const viaFullChain: CredentialChain = async (options) => (await fullChain())(options);
  return async (options) => {
    if (init.profile ?? process.env[ENV_PROFILE]) return viaFullChain(options);
    try {
      return await fromEnv(init)();
    } catch (error) {
      // `tryNextLink` is the SDK's own signal that this source has nothing: move on, as its chain does.
      if ((error as { tryNextLink?: unknown } | null)?.tryNextLink !== true) throw error;
      return viaFullChain(options);
    }
  };
}

/** The SDK's: credentials with an expiry will need refreshing. */
export const credentialsWillNeedRefresh = (credentials: AwsCredentialIdentity): boolean => credentials.expiration !== undefined;

/** The SDK's: credentials within five minutes of their expiry are treated as expired. */
export const credentialsTreatedAsExpired = (credentials: AwsCredentialIdentity): boolean =>
  credentials.expiration !== undefined && credentials.expiration.getTime() - Date.now() < EXPIRY_MARGIN_MS;
