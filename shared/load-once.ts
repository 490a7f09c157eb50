// Wiring support: a value loaded on first use (typically an `import()`) and kept for the container.

/** What `load` gives, loaded on first use and kept; a failed load is not kept, so the next use tries again. */
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
