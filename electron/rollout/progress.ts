import type { RolloutHostProgress } from '../../shared/domain';
import type { EventSink, RolloutProgressBatch } from '../../shared/ipc';

/** How often rollout progress goes out: one message per interval for every rollout together. */
export const ROLLOUT_PROGRESS_INTERVAL_MS = 200;
/** Output kept per host per batch: the live view shows the tail; the whole (bounded) text is stored. */
export const BATCH_OUTPUT_BYTES = 8 * 1024;

type Batch = RolloutProgressBatch;

/** Keeps the last `max` characters of a string. */
const tail = (s: string, max: number) => (s.length > max ? s.slice(s.length - max) : s);

/**
 * Coalesces every running rollout's host changes and output into one `rollout.progress` message per
 * interval (≤ 5 a second whatever the number of hosts or rollouts): each host appears once per message with
 * its latest state and the output it printed since the previous message.
 */
export function rolloutProgress(events: EventSink, summary: (rolloutId: number) => Omit<Batch, 'hosts'>) {
  const pending = new Map<number, Map<number, RolloutHostProgress>>();
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    timer = null;
    if (pending.size === 0) return;
    const rollouts: Batch[] = [];
    for (const [id, hosts] of pending) rollouts.push({ ...summary(id), hosts: [...hosts.values()] });
    pending.clear();
    events('rollout.progress', { rollouts });
  };
  const slot = (rolloutId: number) => {
    let hosts = pending.get(rolloutId);
    if (!hosts) pending.set(rolloutId, (hosts = new Map()));
    timer ??= setTimeout(flush, ROLLOUT_PROGRESS_INTERVAL_MS);
    return hosts;
  };
  return {
    /** A host changed state. */
    host(rolloutId: number, p: RolloutHostProgress): void {
      const hosts = slot(rolloutId);
      const before = hosts.get(p.machineId);
      hosts.set(p.machineId, { ...before, ...p, ...(before?.output ? { output: before.output } : {}) });
    },
    /** A host printed output (its state unchanged). */
    output(
      rolloutId: number,
      machineId: number,
      state: RolloutHostProgress['state'],
      step: string,
      text: string,
    ): void {
      if (text === '') return;
      const hosts = slot(rolloutId);
      const before = hosts.get(machineId) ?? { machineId, state, step };
      hosts.set(machineId, { ...before, output: tail((before.output ?? '') + text, BATCH_OUTPUT_BYTES) });
    },
    /** The rollout itself changed (started, finished): send its summary at the next flush. */
    touch(rolloutId: number): void {
      if (!pending.has(rolloutId)) pending.set(rolloutId, new Map());
      timer ??= setTimeout(flush, ROLLOUT_PROGRESS_INTERVAL_MS);
    },
    /** Sends what is pending now (a rollout finished; the core closes). */
    flush(): void {
      if (timer) clearTimeout(timer);
      flush();
    },
  };
}

/** A rollout progress batcher. */
export type RolloutProgress = ReturnType<typeof rolloutProgress>;
