// Adapter support: an AWS SDK client created on first use and then kept for the container.

/**
 * Returns a getter for one client per container, created the first time it is asked for. For clients an
 * invocation may never need (a channel not routed, a secret still cached), so cold start does not build them.
 */
export function lazyClient<T>(create: () => T): () => T {
  let client: T | undefined;
  return () => (client ??= create());
}
