import { type EventChannel, eventKey, type EventMap, mergeEvents } from '../../shared/ipc';

/**
 * Collects messages by key and delivers each key's merged value at most once per interval, so a burst of
 * events (or progress from hundreds of hosts) reaches a window as a few batches a second. `merge` combines
 * a waiting value with a newer one (default: the newer wins).
 */
export function coalescer<K, V>(
  intervalMs: number,
  deliver: (key: K, value: V) => void,
  merge: (older: V, newer: V) => V = (_older, newer) => newer,
) {
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
      const older = pending.get(key);
      pending.set(key, older === undefined ? value : merge(older, value));
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

type Event = { channel: EventChannel; payload: EventMap[EventChannel] };

/** Core events coalesced for one window or one WebSocket: per channel (and per job), merged, 10 a second. */
export function eventStream(send: <E extends EventChannel>(channel: E, payload: EventMap[E]) => void) {
  const c = coalescer<string, Event>(
    100,
    (_key, e) => send(e.channel, e.payload),
    (older, newer) => ({
      channel: newer.channel,
      payload: mergeEvents(newer.channel, older.payload, newer.payload),
    }),
  );
  return {
    push: (channel: EventChannel, payload: EventMap[EventChannel]) =>
      c.push(eventKey(channel, payload), { channel, payload }),
    stop: () => c.stop(),
  };
}
