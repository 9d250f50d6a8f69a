import type { ScanHostProgress, ScanHostState, ScanTotals } from '../../shared/domain';
import type { EventSink } from '../../shared/ipc';

/** How often a job's progress goes out: a few batches a second, whatever the number of hosts. */
export const PROGRESS_INTERVAL_MS = 200;

const bucket: Record<ScanHostState, keyof ScanTotals> = {
  queued: 'queued',
  connecting: 'running',
  scanning: 'running',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
};

/**
 * Keeps a job's totals and the latest state of each host changed since the last batch, and sends them as
 * one `scan.progress` event per interval: 1,000 hosts changing state produce a handful of messages.
 */
export function progressBatcher(jobId: string, runId: number, totals: ScanTotals, events: EventSink) {
  const state = new Map<number, ScanHostState>();
  const pending = new Map<number, ScanHostProgress>();
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    timer = null;
    if (pending.size === 0) return;
    const hosts = [...pending.values()];
    pending.clear();
    events('scan.progress', { jobId, runId, hosts, totals: { ...totals } });
  };
  const latest = new Map<number, ScanHostProgress>();
  return {
    /** Every host's latest state, for a window that (re)attaches while the job runs. */
    snapshot: () => ({ jobId, runId, totals: { ...totals }, hosts: [...latest.values()] }),
    push(p: ScanHostProgress): void {
      latest.set(p.machineId, { ...latest.get(p.machineId), ...p });
      const before = state.get(p.machineId);
      if (before) totals[bucket[before]]--;
      else totals.queued--;
      totals[bucket[p.state]]++;
      state.set(p.machineId, p.state);
      pending.set(p.machineId, { ...pending.get(p.machineId), ...p });
      timer ??= setTimeout(flush, PROGRESS_INTERVAL_MS);
    },
    finish(outcome: 'done' | 'cancelled'): void {
      if (timer) clearTimeout(timer);
      flush();
      events('scan.finished', { jobId, runId, state: outcome, totals: { ...totals } });
    },
  };
}
