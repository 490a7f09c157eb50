// Errors: an input a decision needs could not be read (no credentials, access denied, unreachable). Fatal in a live run; "unknown" in a dry run's plan.
import { errorMessage } from './errors';

/** The AWS SDK's error when no credential provider in its chain found credentials. */
const NO_CREDENTIALS_ERROR = 'CredentialsProviderError';

/**
 * Why a read failed, in a few words a person can act on: `no AWS credentials` when the SDK found
 * none (a laptop with no AWS account), otherwise the error's own message.
 */
export function whyUnreadable(error: unknown): string {
  if (error instanceof UnreadableInputError) return whyUnreadable(error.cause);
  if (error instanceof Error && error.name === NO_CREDENTIALS_ERROR) return 'no AWS credentials';
  return errorMessage(error);
}

/**
 * An input (the kill switch, a node group's size, a cluster's endpoint) could not be read. `source`
 * names where it was read from; the message reads `could not read <source>: <why>`. Callers in a live
 * run let it fail the invocation (never act blind); a dry run plans around it as "unknown".
 */
export class UnreadableInputError extends Error {
  /** Where the input lives: an SSM parameter name, an API call and its resource. */
  readonly source: string;

  constructor(source: string, cause: unknown) {
    super(`could not read ${source}: ${whyUnreadable(cause)}`, { cause });
    this.name = 'UnreadableInputError';
    this.source = source;
  }
}

/** `could not read <source>: <why>` for an UnreadableInputError, else `could not read <fallback>: <why>`. */
export function describeUnreadable(error: unknown, fallbackSource: string): string {
  return error instanceof UnreadableInputError ? error.message : `could not read ${fallbackSource}: ${whyUnreadable(error)}`;
}

