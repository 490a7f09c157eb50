// Error types shared by every layer; each records where it came from in `cause`.

/** Thrown at cold start when the environment or the policy is missing or has a bad setting; names it. */
export class ConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/** Input that cannot be understood: logged with the reason, never retried as if it could succeed. */
export class InvalidInputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidInputError';
  }
}

/** A delivery to a channel or sink that failed; `retryable` says whether trying again can help. */
export class DeliveryError extends Error {
  readonly retryable: boolean;
  readonly status?: number;
  /** Milliseconds the receiver asked us to wait (HTTP Retry-After), if it said. */
  readonly retryAfterMs?: number;

  constructor(
    message: string,
    options: { retryable: boolean; status?: number; retryAfterMs?: number; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.name = 'DeliveryError';
    this.retryable = options.retryable;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** One part of an invocation that failed: what it was and why. */
export interface FailedPart {
  /** What failed, as people read it: a channel (`slack for RetailPrediction-HighErrorRate`), a target, a message id. */
  readonly what: string;
  readonly error: unknown;
}

/**
 * Some parts of one invocation failed after every part was tried (deliveries, remediations, records of
 * an SNS event). Thrown so Lambda retries and the on-failure destination keeps the event; the retry
 * skips what `succeeded` (idempotency per channel and per action). The one aggregate error of Firebreak.
 */
export class InvocationFailedError<Succeeded = unknown> extends Error {
  readonly failures: readonly FailedPart[];
  /** What did succeed in the same invocation, for the log (e.g. the remediation outcomes that were done). */
  readonly succeeded: readonly Succeeded[];

  /** `doing` names the work in the message, `<doing> failed for <what> (<why>), …`; `Delivery` unless given. */
  constructor(
    failures: readonly FailedPart[],
    options: { readonly doing?: string; readonly succeeded?: readonly Succeeded[] } = {},
  ) {
    super(`${options.doing ?? 'Delivery'} failed for ${failures.map((f) => `${f.what} (${errorMessage(f.error)})`).join(', ')}`, { cause: failures[0]?.error });
    this.name = 'InvocationFailedError';
    this.failures = failures;
    this.succeeded = options.succeeded ?? [];
  }
}

/** Message of any thrown value, for logs. */
export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
