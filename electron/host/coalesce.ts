/**
 * Collects messages per key and delivers the latest of each at most once per interval, so a burst of
 * events (or, later, progress from hundreds of hosts) reaches a window as a few batches a second.
 */
export function coalescer<K, V>(intervalMs: number, deliver: (key: K, value: V) => void) {
  const pending = new Map<K, V>();
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    timer = null;
    const batch = [...pending];
    pending.clear();
    for (const [k, v] of batch) deliver(k, v);
  };
  return {
    push(key: K, value: V): void {
      pending.set(key, value);
      timer ??= setTimeout(flush, intervalMs);
    },
    /** Delivers what is pending now (e.g. before a window closes). */
    flush(): void {
      if (timer) clearTimeout(timer);
      flush();
    },
    stop(): void {
      if (timer) clearTimeout(timer);
      timer = null;
      pending.clear();
    },
  };
}
