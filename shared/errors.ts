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

/** Several deliveries of one invocation failed; thrown so Lambda retries and the DLQ keeps the event. */
export class PartialDeliveryError extends Error {
  readonly failures: readonly { channel: string; error: Error }[];

  constructor(failures: readonly { channel: string; error: Error }[]) {
    super(`Delivery failed for ${failures.map((f) => `${f.channel} (${f.error.message})`).join(', ')}`);
    this.name = 'PartialDeliveryError';
    this.failures = failures;
  }
}

/** Message of any thrown value, for logs. */
export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
