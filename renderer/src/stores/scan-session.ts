/**
 * The scan panel's state as pure functions: one session gathers the jobs started while it is open (a scan
 * of the fleet, then "trust and rescan" of one host) and keeps the latest state of each host in a Map keyed
 * by machine id. Every update costs O(hosts in the batch): totals are adjusted, never recounted.
 */
import type { ScanHostProgress, ScanHostState, ScanTotals } from '../../../shared/domain';
import type { EventMap } from '../../../shared/ipc';

/** One host as the panel shows it. */
export interface ScanHostRow extends ScanHostProgress {
  /** The job that reported this state (a rescan replaces the row of an earlier job). */
  jobId: string;
}

/** One job of the session. */
export interface ScanJobInfo {
  jobId: string;
  runId: number;
  total: number;
  /** Hosts reported so far; before the first batch the job counts `total` hosts as queued. */
  seen: number;
  outcome: 'running' | 'done' | 'cancelled';
}

/** Everything the panel shows. Replaced (never mutated) on every change, so selectors see new values. */
export interface ScanSession {
  jobs: ReadonlyMap<string, ScanJobInfo>;
  hosts: ReadonlyMap<number, ScanHostRow>;
  /** Machine ids in the order they first appeared. */
  order: readonly number[];
  /** Names known when the scan was started (the core reports ids only). */
  names: ReadonlyMap<number, string>;
  /** Counts over `hosts` (plus jobs not reported yet, as queued). */
  totals: ScanTotals;
  startedAt: number;
  /** Attached to jobs already running (a reload, another window): when they started is not known. */
  joinedLate: boolean;
  finishedAt: number | null;
  /** Set while a start request is on its way. */
  starting: boolean;
  /** A start request that failed, in words. */
  startError: string | null;
}

/** Progress bucket of each host state. */
export const BUCKET: Record<ScanHostState, Exclude<keyof ScanTotals, 'total'>> = {
  queued: 'queued',
  connecting: 'running',
  scanning: 'running',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** Whether a host state is final. */
export function isFinal(state: ScanHostState): boolean {
  return state === 'done' || state === 'failed' || state === 'cancelled';
}

const ZERO: ScanTotals = { total: 0, queued: 0, running: 0, done: 0, failed: 0, cancelled: 0 };

/** A fresh session, before any job. */
export function newSession(now: number, names: ReadonlyMap<number, string> = new Map()): ScanSession {
  return {
    jobs: new Map(),
    hosts: new Map(),
    order: [],
    names,
    totals: ZERO,
    startedAt: now,
    joinedLate: false,
    finishedAt: null,
    starting: true,
    startError: null,
  };
}

/** Whether any job of the session is still running (or being started). */
export function isRunning(s: ScanSession | null): boolean {
  if (!s) return false;
  if (s.starting) return true;
  for (const j of s.jobs.values()) if (j.outcome === 'running') return true;
  return false;
}

function withJob(s: ScanSession, job: ScanJobInfo, now: number): ScanSession {
  const jobs = new Map(s.jobs);
  const before = s.jobs.get(job.jobId);
  jobs.set(job.jobId, job);
  // Hosts of a job that has not reported yet count as queued, so the bar is right from the first moment.
  const unseen = (j: ScanJobInfo | undefined) =>
    j && j.outcome === 'running' ? Math.max(0, j.total - j.seen) : 0;
  const delta = unseen(job) - unseen(before);
  const totals =
    delta === 0 ? s.totals : { ...s.totals, total: s.totals.total + delta, queued: s.totals.queued + delta };
  const running = [...jobs.values()].some((j) => j.outcome === 'running');
  return { ...s, jobs, totals, finishedAt: running || s.starting ? null : (s.finishedAt ?? now) };
}

/** Records the answer to `scan.start` (idempotent: progress may have arrived first). */
export function addJob(s: ScanSession, job: { jobId: string; runId: number; total: number }, now: number) {
  const known = s.jobs.get(job.jobId);
  const next = { ...s, starting: false };
  if (known) return withJob(next, { ...known, total: job.total }, now);
  return withJob(next, { ...job, seen: 0, outcome: 'running' }, now);
}

/** A start request failed: nothing runs for it. */
export function startFailed(s: ScanSession, message: string, now: number): ScanSession {
  return {
    ...s,
    starting: false,
    startError: message,
    finishedAt: isRunning({ ...s, starting: false }) ? null : now,
  };
}

/** Applies one `scan.progress` batch. */
export function applyProgress(s: ScanSession, p: EventMap['scan.progress'], now: number): ScanSession {
  let job = s.jobs.get(p.jobId);
  let session = s;
  if (!job) {
    // A job this window did not start (another window, the CLI) or whose start answer is still on its way.
    job = { jobId: p.jobId, runId: p.runId, total: p.totals.total, seen: 0, outcome: 'running' };
    session = withJob(s, job, now);
  }
  const hosts = new Map(session.hosts);
  const totals = { ...session.totals };
  let order: number[] | null = null;
  let seen = job.seen;
  for (const h of p.hosts) {
    const before = hosts.get(h.machineId);
    if (before) totals[BUCKET[before.state]]--;
    else {
      totals.total++;
      (order ??= [...session.order]).push(h.machineId);
    }
    if (!before || before.jobId !== p.jobId) {
      // First news of this host from this job: it leaves the job's "not reported yet" count.
      seen++;
      if (job.outcome === 'running' && seen <= job.total) {
        totals.total--;
        totals.queued--;
      }
    }
    totals[BUCKET[h.state]]++;
    // Each update carries everything about its state: replace, so a rescan drops the old error.
    hosts.set(h.machineId, { ...h, jobId: p.jobId });
  }
  const jobs = new Map(session.jobs);
  jobs.set(p.jobId, { ...job, seen });
  return { ...session, jobs, hosts, totals, order: order ?? session.order };
}

/** Applies `scan.finished`: the job ends; hosts it left unfinished are shown as cancelled. */
export function applyFinished(s: ScanSession, f: EventMap['scan.finished'], now: number): ScanSession {
  const job = s.jobs.get(f.jobId) ?? {
    jobId: f.jobId,
    runId: f.runId,
    total: 0,
    seen: 0,
    outcome: 'running',
  };
  let session = withJob(s, { ...job, outcome: f.state }, now);
  let hosts: Map<number, ScanHostRow> | null = null;
  let totals: ScanTotals | null = null;
  for (const [id, h] of session.hosts) {
    if (h.jobId !== f.jobId || isFinal(h.state)) continue;
    hosts ??= new Map(session.hosts);
    totals ??= { ...session.totals };
    totals[BUCKET[h.state]]--;
    totals.cancelled++;
    hosts.set(id, { ...h, state: 'cancelled' });
  }
  if (hosts && totals) session = { ...session, hosts, totals };
  return session;
}

/**
 * Re-attaches to the jobs the core says are running (`jobs.active`), each with every host's latest state:
 * after a reload the panel shows the whole job, not only what changes from now on. Jobs the session still
 * thinks are running but the core no longer lists ended while this window was away. Returns null when
 * there is nothing to show.
 */
export function attachActive(
  s: ScanSession | null,
  active: readonly EventMap['scan.progress'][],
  now: number,
): ScanSession | null {
  let session = s;
  const listed = new Set(active.map((j) => j.jobId));
  if (session) {
    for (const j of session.jobs.values()) {
      if (j.outcome === 'running' && !listed.has(j.jobId)) {
        session = applyFinished(
          session,
          { jobId: j.jobId, runId: j.runId, state: 'done', totals: ZERO },
          now,
        );
      }
    }
  }
  for (const job of active) {
    if (!session || (!isRunning(session) && !session.jobs.has(job.jobId))) {
      session = { ...newSession(now, session?.names), starting: false, joinedLate: true };
    }
    // Events that arrived before this answer may be newer: never take a host back from a final state.
    const current = session.hosts;
    const hosts = job.hosts.filter((h) => {
      const before = current.get(h.machineId);
      return !before || before.jobId !== job.jobId || !isFinal(before.state) || isFinal(h.state);
    });
    session = applyProgress(session, { ...job, hosts }, now);
  }
  return session;
}

/** Kinds of failure and how many hosts had each, most frequent first. */
export function failureKinds(s: ScanSession): { kind: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const h of s.hosts.values()) {
    if (h.state === 'failed')
      counts.set(h.errorKind ?? 'internal', (counts.get(h.errorKind ?? 'internal') ?? 0) + 1);
  }
  return [...counts].map(([kind, count]) => ({ kind, count })).sort((a, b) => b.count - a.count);
}

/** What the finished hosts found, for the summary line. */
export function findings(s: ScanSession): {
  missing: number;
  security: number;
  reboot: number;
  withUpdates: number;
} {
  const out = { missing: 0, security: 0, reboot: 0, withUpdates: 0 };
  for (const h of s.hosts.values()) {
    if (h.state !== 'done') continue;
    out.missing += h.missing ?? 0;
    out.security += h.security ?? 0;
    if (h.rebootRequired) out.reboot++;
    if ((h.missing ?? 0) > 0) out.withUpdates++;
  }
  return out;
}
