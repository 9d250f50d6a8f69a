import { describe, expect, it } from 'vitest';

import type { ScanHostProgress, ScanTotals } from '../../../shared/domain';
import type { EventMap } from '../../../shared/ipc';
import type { ScanSession } from './scan-session';
import {
  addJob,
  applyFinished,
  applyProgress,
  attachActive,
  failureKinds,
  findings,
  isRunning,
  newSession,
  startFailed,
} from './scan-session';

const totals = (t: Partial<ScanTotals> = {}): ScanTotals => ({
  total: 0,
  queued: 0,
  running: 0,
  done: 0,
  failed: 0,
  cancelled: 0,
  ...t,
});
const progress = (jobId: string, hosts: ScanHostProgress[]): EventMap['scan.progress'] => ({
  jobId,
  runId: 1,
  hosts,
  totals: totals({ total: hosts.length }),
});
const queued = (ids: number[]) => ids.map((machineId) => ({ machineId, state: 'queued' as const }));
const started = (total: number, jobId = 'a'): ScanSession =>
  addJob(newSession(0), { jobId, runId: 1, total }, 0);

/** Counts recomputed from scratch, to check the incremental ones. */
function recount(s: ScanSession): ScanTotals {
  const t = totals({ total: s.hosts.size });
  for (const h of s.hosts.values()) {
    const k = h.state === 'connecting' || h.state === 'scanning' ? 'running' : h.state;
    t[k]++;
  }
  for (const j of s.jobs.values()) {
    if (j.outcome === 'running') {
      t.total += Math.max(0, j.total - j.seen);
      t.queued += Math.max(0, j.total - j.seen);
    }
  }
  return t;
}

describe('scan session', () => {
  it('counts a started job as queued before its first batch', () => {
    const s = started(3);
    expect(s.totals).toEqual(totals({ total: 3, queued: 3 }));
    expect(isRunning(s)).toBe(true);
    expect(s.finishedAt).toBeNull();
  });

  it('keeps the latest state per host and adjusts the totals as batches arrive', () => {
    let s = started(3);
    s = applyProgress(s, progress('a', queued([1, 2, 3])), 1);
    expect(s.totals).toEqual(totals({ total: 3, queued: 3 }));
    expect(s.order).toEqual([1, 2, 3]);
    s = applyProgress(s, progress('a', [{ machineId: 2, state: 'connecting' }]), 2);
    s = applyProgress(
      s,
      progress('a', [
        { machineId: 2, state: 'done', missing: 4, security: 1, rebootRequired: true },
        { machineId: 1, state: 'failed', errorKind: 'refused', message: 'refused' },
        { machineId: 3, state: 'scanning' },
      ]),
      3,
    );
    expect(s.totals).toEqual(totals({ total: 3, running: 1, done: 1, failed: 1 }));
    expect(s.totals).toEqual(recount(s));
    expect(s.hosts.get(2)).toMatchObject({ state: 'done', missing: 4, jobId: 'a' });
    expect(s.order).toEqual([1, 2, 3]);
  });

  it('does not touch the input session (selectors see a new one)', () => {
    const s0 = applyProgress(started(1), progress('a', queued([1])), 1);
    const hosts = s0.hosts;
    const s1 = applyProgress(s0, progress('a', [{ machineId: 1, state: 'done' }]), 2);
    expect(s0.hosts).toBe(hosts);
    expect(s0.hosts.get(1)?.state).toBe('queued');
    expect(s1.hosts.get(1)?.state).toBe('done');
    // Rows whose host did not change keep their object, so memoised rows skip rendering.
    const s2 = applyProgress(
      applyProgress(started(2), progress('a', queued([1, 2])), 0),
      progress('a', [{ machineId: 1, state: 'connecting' }]),
      1,
    );
    const s3 = applyProgress(s2, progress('a', [{ machineId: 1, state: 'scanning' }]), 2);
    expect(s3.hosts.get(2)).toBe(s2.hosts.get(2));
  });

  it('adopts progress that arrives before the answer to scan.start, and the answer does not double count', () => {
    let s: ScanSession = newSession(0); // starting
    s = applyProgress(s, { ...progress('a', queued([1, 2])), totals: totals({ total: 2, queued: 2 }) }, 1);
    expect(s.totals).toEqual(totals({ total: 2, queued: 2 }));
    s = addJob(s, { jobId: 'a', runId: 1, total: 2 }, 2);
    expect(s.totals).toEqual(totals({ total: 2, queued: 2 }));
    expect(s.starting).toBe(false);
  });

  it('a rescan of a failed host replaces its row: the old error goes, the totals stay per host', () => {
    let s = applyProgress(started(2), progress('a', queued([1, 2])), 0);
    s = applyProgress(
      s,
      progress('a', [
        { machineId: 1, state: 'done', missing: 0 },
        {
          machineId: 2,
          state: 'failed',
          errorKind: 'host-key-unknown',
          message: 'not trusted',
          resultId: 9,
          hostKey: {
            address: '10.0.0.2',
            port: 22,
            keyType: 'ssh-ed25519',
            fingerprint: 'SHA256:x',
            changed: false,
          },
        },
      ]),
      1,
    );
    s = applyFinished(s, { jobId: 'a', runId: 1, state: 'done', totals: totals() }, 2);
    expect(isRunning(s)).toBe(false);
    expect(s.finishedAt).toBe(2);
    s = addJob({ ...s, starting: true }, { jobId: 'b', runId: 2, total: 1 }, 3);
    expect(s.totals).toEqual(totals({ total: 3, queued: 1, done: 1, failed: 1 }));
    expect(s.finishedAt).toBeNull();
    s = applyProgress(s, progress('b', queued([2])), 4);
    expect(s.totals).toEqual(totals({ total: 2, queued: 1, done: 1 }));
    expect(s.hosts.get(2)).toEqual({ machineId: 2, state: 'queued', jobId: 'b' });
    s = applyProgress(s, progress('b', [{ machineId: 2, state: 'done', missing: 3, security: 1 }]), 5);
    s = applyFinished(s, { jobId: 'b', runId: 2, state: 'done', totals: totals() }, 6);
    expect(s.totals).toEqual(totals({ total: 2, done: 2 }));
    expect(s.totals).toEqual(recount(s));
    expect(s.order).toEqual([1, 2]);
  });

  it('marks what a cancelled job left unfinished as cancelled', () => {
    let s = applyProgress(started(3), progress('a', queued([1, 2, 3])), 0);
    s = applyProgress(s, progress('a', [{ machineId: 1, state: 'scanning' }]), 1);
    s = applyFinished(s, { jobId: 'a', runId: 1, state: 'cancelled', totals: totals() }, 2);
    expect(s.totals).toEqual(totals({ total: 3, cancelled: 3 }));
    expect(s.jobs.get('a')?.outcome).toBe('cancelled');
  });

  it('drops the queued placeholder of a job that finished without reporting (nothing to scan)', () => {
    let s = started(2);
    s = applyFinished(s, { jobId: 'a', runId: 1, state: 'done', totals: totals() }, 1);
    expect(s.totals).toEqual(totals());
  });

  it('ends the session when the start request fails', () => {
    const s = startFailed(newSession(0), 'No machines to scan.', 5);
    expect(isRunning(s)).toBe(false);
    expect(s.startError).toBe('No machines to scan.');
    expect(s.finishedAt).toBe(5);
  });

  it('stays cheap and exact at 1,000 hosts in coalesced batches', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => i + 1);
    let s = applyProgress(started(1000), progress('a', queued(ids)), 0);
    const t0 = performance.now();
    for (let b = 0; b < 100; b++) {
      const batch = ids.slice(b * 10, b * 10 + 10);
      s = applyProgress(
        s,
        progress(
          'a',
          batch.map((machineId) =>
            machineId % 50 === 0
              ? { machineId, state: 'failed' as const, errorKind: 'timeout' as const, message: 't' }
              : { machineId, state: 'done' as const, missing: 2, security: machineId % 3 === 0 ? 1 : 0 },
          ),
        ),
        b,
      );
    }
    const ms = performance.now() - t0;
    expect(s.totals).toEqual(totals({ total: 1000, done: 980, failed: 20 }));
    expect(s.totals).toEqual(recount(s));
    expect(failureKinds(s)).toEqual([{ kind: 'timeout', count: 20 }]);
    expect(findings(s)).toMatchObject({ missing: 1960, withUpdates: 980 });
    // 100 batches over a 1,000-host Map: well under a frame each (generous bound for slow CI).
    expect(ms / 100).toBeLessThan(16);
  });

  it('attaches to a running job with every host, counting hosts not reported yet as queued', () => {
    const job = {
      jobId: 'a',
      runId: 7,
      totals: totals({ total: 4, queued: 1, running: 1, done: 1, failed: 1 }),
      hosts: [
        { machineId: 1, state: 'done' as const, missing: 3, security: 1 },
        { machineId: 2, state: 'failed' as const, errorKind: 'refused' as const, message: 'refused' },
        { machineId: 3, state: 'connecting' as const },
      ],
    };
    const s = attachActive(null, [job], 5);
    expect(s).not.toBeNull();
    expect(isRunning(s)).toBe(true);
    expect(s?.joinedLate).toBe(true);
    expect(s?.order).toEqual([1, 2, 3]);
    expect(s?.totals).toEqual(totals({ total: 4, queued: 1, running: 1, done: 1, failed: 1 }));
    expect(s && recount(s)).toEqual(s?.totals);
    // Nothing runs, nothing to show.
    expect(attachActive(null, [], 5)).toBeNull();
  });

  it('merges the snapshot into a session that events reached first, never undoing a final state', () => {
    let s = applyProgress(started(2), progress('a', [{ machineId: 1, state: 'done', missing: 0 }]), 1);
    s = attachActive(
      s,
      [
        {
          jobId: 'a',
          runId: 1,
          totals: totals({ total: 2, running: 2 }),
          hosts: [
            { machineId: 1, state: 'scanning' },
            { machineId: 2, state: 'connecting' },
          ],
        },
      ],
      2,
    )!;
    expect(s.hosts.get(1)?.state).toBe('done');
    expect(s.hosts.get(2)?.state).toBe('connecting');
    expect(s.totals).toEqual(recount(s));
    expect(s.joinedLate).toBe(false);
  });

  it('ends jobs the core no longer runs (they finished while the connection was down)', () => {
    const s = applyProgress(started(1), progress('a', [{ machineId: 1, state: 'scanning' }]), 1);
    const after = attachActive(s, [], 9)!;
    expect(isRunning(after)).toBe(false);
    expect(after.finishedAt).toBe(9);
    expect(after.totals).toEqual(recount(after));
  });
});
