// Remediation errors: what an adapter throws when the cloud says another change is already under way.

/** AWS refused because a scaling activity or node-group update is in progress; recorded, not retried. */
export class ScalingInProgressError extends Error {
  /** The AWS error name: ScalingActivityInProgress, ResourceContention or ResourceInUseException. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScalingInProgressError';
    this.code = code;
  }
}

/**
 * An action was sent but no answer came back (a timeout): it may have been applied. The use case keeps
 * the cooldown and budget it took, so Lambda's retry is refused by the cooldown instead of acting again.
 */
export class OutcomeUnknownError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OutcomeUnknownError';
  }
}

