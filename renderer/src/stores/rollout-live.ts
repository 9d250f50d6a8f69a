/**
 * Pure helpers of the rollout views: folding progress batches into a rollout the window shows, and a
 * host's output buffer, bounded so that a host printing megabytes never grows the window without end.
 */
import type { RolloutDetail, RolloutHost, RolloutOutputChunk } from '../../../shared/domain';
import type { RolloutProgressBatch } from '../../../shared/ipc';

/** Output kept per host in the window; older text is dropped (the core keeps it all). */
export const OUTPUT_KEEP_CHARS = 256 * 1024;

/** One host's output as the window holds it. */
export interface HostOutput {
  text: string;
  /** The id of the last stored chunk read: the next read asks for chunks after it. */
  lastId: number;
  /** Whether older text was dropped from the front. */
  truncated: boolean;
}

/** An empty output buffer. */
export const EMPTY_OUTPUT: HostOutput = { text: '', lastId: 0, truncated: false };

/** Appends stored chunks (in id order) to a buffer, skipping chunks already read; keeps the tail. */
export function appendChunks(out: HostOutput, chunks: readonly RolloutOutputChunk[]): HostOutput {
  const fresh = chunks.filter((c) => c.id > out.lastId);
  if (fresh.length === 0) return out;
  const joined = out.text + fresh.map((c) => c.text).join('');
  const cut = joined.length > OUTPUT_KEEP_CHARS;
  // Cut at a line start so the first shown line is whole.
  let text = joined;
  if (cut) {
    text = joined.slice(-OUTPUT_KEEP_CHARS);
    const nl = text.indexOf('\n');
    if (nl >= 0 && nl < 4096) text = text.slice(nl + 1);
  }
  return { text, lastId: fresh[fresh.length - 1]?.id ?? out.lastId, truncated: out.truncated || cut };
}

/** The last non-empty line of some output, for a one-line "what is it doing" beside the host. */
export function lastLine(text: string): string {
  const lines = text.split(/\r?\n|\r/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = (lines[i] ?? '').trim();
    if (line) return line.length > 200 ? `${line.slice(0, 200)}…` : line;
  }
  return '';
}

/**
 * Folds a progress batch into the rollout shown: rollout state, stop reason and counts from the batch, each
 * reported host's state, step and reason. Returns the same object when the batch is for another rollout.
 */
export function applyBatch(detail: RolloutDetail, batch: RolloutProgressBatch): RolloutDetail {
  if (batch.rolloutId !== detail.id) return detail;
  const changes = new Map(batch.hosts.map((h) => [h.machineId, h]));
  const hosts = changes.size
    ? detail.hosts.map((h): RolloutHost => {
        const c = changes.get(h.machineId);
        if (!c) return h;
        return {
          ...h,
          state: c.state,
          step: c.step,
          // A host that moves on without a reason no longer has the old one (a retry clears it).
          reason: c.reason ?? (c.state === h.state ? h.reason : ''),
          failureKind: c.failureKind ?? (c.state === h.state ? h.failureKind : ''),
        };
      })
    : detail.hosts;
  const counts = Object.keys(batch.counts).length > 0 ? batch.counts : detail.counts;
  return { ...detail, state: batch.state, stopReason: batch.stopReason, counts, hosts };
}

/** Whether a rollout still changes by itself (the live view follows it). */
export function isLive(state: RolloutDetail['state']): boolean {
  return state === 'running' || state === 'reviewing';
}
