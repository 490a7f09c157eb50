// Adapter: per-request options for @kubernetes/client-node (patch Content-Type, timeout) and readable API errors.
import type { ConfigurationOptions, ObservableMiddleware } from './library';
import { ApiException, Observable, PatchStrategy, setHeaderOptions } from './library';

/** Milliseconds before a Kubernetes API call is abandoned. */
export const DEFAULT_KUBE_TIMEOUT_MS = 5_000;

/** Aborts the request after `timeoutMs`; the generated client otherwise waits forever. */
export function timeoutMiddleware(timeoutMs: number): ObservableMiddleware {
  return {
    pre: (request) => {
      request.setSignal(AbortSignal.timeout(timeoutMs));
      return new Observable(Promise.resolve(request));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
}

/** Options for a read: just the timeout. */
export function readOptions(timeoutMs: number): ConfigurationOptions {
  return { middleware: [timeoutMiddleware(timeoutMs)], middlewareMergeStrategy: 'append' };
}

/**
 * Options for a patch: the explicit Content-Type (the generated client would send json-patch) and the timeout.
 * Merge-patch for `scale` and HPA fields; strategic-merge-patch for the pod-template annotation, so the
 * other annotations stay as they are.
 */
export function patchOptions(strategy: 'merge' | 'strategic-merge', timeoutMs: number): ConfigurationOptions {
  const contentType = strategy === 'merge' ? PatchStrategy.MergePatch : PatchStrategy.StrategicMergePatch;
  return setHeaderOptions('Content-Type', contentType, readOptions(timeoutMs));
}

/** A Kubernetes API call that failed, with the status, reason and message of the API's Status body. */
export class KubernetesApiError extends Error {
  readonly status: number;
  /** `NotFound`, `Conflict`, `Invalid`, `UnsupportedMediaType`, … from the Status body. */
  readonly reason?: string;

  constructor(operation: string, status: number, reason: string | undefined, message: string, options?: { cause?: unknown }) {
    super(`${operation} failed: ${status}${reason ? ` ${reason}` : ''}: ${message}`, options);
    this.name = 'KubernetesApiError';
    this.status = status;
    this.reason = reason;
  }
}

interface StatusBody {
  reason?: string;
  message?: string;
}

const statusBodyOf = (body: unknown): StatusBody | undefined => {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return { message: body as string };
    }
  }
  if (value && typeof value === 'object') {
    const { reason, message } = value as Record<string, unknown>;
    return { reason: typeof reason === 'string' ? reason : undefined, message: typeof message === 'string' ? message : undefined };
  }
  return undefined;
};

/** A Kubernetes API call that got no answer: timed out, refused, TLS failure. */
export class KubernetesRequestError extends Error {
  /** The request was abandoned after it was sent: a write may still have been applied. */
  readonly timedOut: boolean;

  constructor(operation: string, detail: string, options?: { cause?: unknown; timedOut?: boolean }) {
    super(`${operation} failed: ${detail}`, options);
    this.name = 'KubernetesRequestError';
    this.timedOut = options?.timedOut ?? false;
  }
}

/**
 * Runs one API call and names the operation in what it throws: a KubernetesApiError with the Status
 * body's reason and message when the API answered, a KubernetesRequestError when it did not.
 */
export async function kubeCall<T>(operation: string, call: () => Promise<T>, timeoutMs?: number): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ApiException) {
      const status = statusBodyOf(error.body);
      throw new KubernetesApiError(operation, error.code, status?.reason, status?.message ?? error.message, { cause: error });
    }
    // fetch rejects with a DOMException (not an Error of this realm) when the timeout signal fires.
    const name = (error as { name?: unknown } | null)?.name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw new KubernetesRequestError(operation, `no answer within ${timeoutMs ?? 'the'} ms`, { cause: error, timedOut: true });
    }
    if (error instanceof Error) throw new KubernetesRequestError(operation, error.message, { cause: error });
    throw error;
  }
}
