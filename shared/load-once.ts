// Wiring support: a value loaded on first use (typically with `import()`) and kept for the container.

/**
 * Returns a getter for what `load` gives: loaded the first time it is asked for, then kept for the
 * container. A failed load is not kept, so the next call tries again. For code an invocation may never
 * need (an SDK client, the Kubernetes client), so cold start does not evaluate it.
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    if (!loading) {
      loading = load();
      loading.catch(() => (loading = undefined));
    }
    return loading;
  };
}
