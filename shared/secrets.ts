// Adapter: resolves secrets given directly or as SSM SecureString names; cached with an expiry, never logged.
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { SecretSource } from './config';
import { lazyClient } from './aws/lazy-client';
import { ConfigError } from './errors';

/** Seconds a fetched secret is reused before SSM is asked again (rotation takes effect within this). */
export const SECRET_CACHE_SECONDS = 300;

// Created on the first secret read: a warm cache or a secret given directly never needs it.
const ssm = lazyClient(() => new SSMProvider({ awsSdkV3Client: new SSMClient({ maxAttempts: 3 }) }));

/** Reads secrets from SSM; an interface so tests and dry runs can pass another. */
export interface SecretReader {
  read(parameterName: string): Promise<string>;
}

export const ssmSecretReader: SecretReader = {
  async read(name) {
    const value = await ssm().get(name, { decrypt: true, maxAge: SECRET_CACHE_SECONDS });
    if (typeof value !== 'string' || value === '') throw new ConfigError(`SSM parameter ${name} is empty or missing`);
    return value;
  },
};

/** The secret's value, or undefined when none is configured. */
export async function resolveSecret(source: SecretSource, reader: SecretReader = ssmSecretReader): Promise<string | undefined> {
  switch (source.kind) {
    case 'value':
      return source.value;
    case 'parameter':
      return reader.read(source.name);
    case 'none':
      return undefined;
  }
}
