import { setMaxListeners } from 'node:events';

import { FINAL_HOST_STATES, type Rollout } from '../../shared/domain';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { RolloutsRepo } from '../db/repos/rollouts';
import { thresholdReached } from './decisions';
import { endHost } from './host-common';
import { type HostRunContext, runHost } from './host-runner';
import type { RolloutPorts } from './ports';
import type { RolloutProgress } from './progress';
import { workPool } from './review';

/** A rollout running in this process. */
export interface RunEntry {
  abort: AbortController;
  /** Set by cancel: no new hosts or steps; running installs are followed to their end. */
  cancel: { value: boolean };
  done: Promise<void>;
}

/** What running a rollout needs from its service. */
export interface RunDeps {
  repo: RolloutsRepo;
  ports: RolloutPorts;
  clock: Clock;
  logger: Logger;
  progress: RolloutProgress;
  /** Aborted when the core closes: hosts stay where they are, the rollout stays running for the resume. */
  closing: AbortSignal;
  /** Renews this process's lease on the rollout; called every `renewEveryMs` while it runs. */
  renew: () => void;
  renewEveryMs: number;
  /** Gives the lease back. */
  release: () => void;
  register: (entry: RunEntry) => void;
  unregister: () => void;
  pollMs: number;
  reconnectMs: number;
}

/**
 * Runs a started (or resumed) rollout: hosts already under way first, then the queue in the order the hosts
 * were picked, `concurrency` at a time. Stops starting hosts once cancelled or past the failure threshold
 * (counted over finished hosts) and records the end with its audit entry. A pause (the rollout's state in
 * the database, so another process's request counts too) starts no new host: the hosts under way finish
 * theirs, then the run ends with the rollout still paused and the rest of the queue waiting for a resume.
 */
export async function runRollout(d: RunDeps, rollout: Rollout): Promise<void> {
  const { repo, ports, clock, logger, progress, closing } = d;
  const id = rollout.id;
  const abort = new AbortController();
  setMaxListeners(0, abort.signal);
  const onClose = () => abort.abort(closing.reason);
  closing.addEventListener('abort', onClose, { once: true });
  const cancel = { value: rollout.cancelRequested };
  let stopped: 'threshold' | 'cancelled' | null =
    rollout.stopReason === 'threshold' ? 'threshold' : cancel.value ? 'cancelled' : null;
  const ctx: HostRunContext = {
    rollout,
    repo,
    ports,
    clock,
    logger,
    cancelled: () => cancel.value,
    signal: abort.signal,
    report: (machineId, p) => progress.host(id, { machineId, ...p }),
    output: (h, text) => progress.output(id, h.machineId, h.state, h.step, text),
    pollMs: d.pollMs,
    reconnectMs: d.reconnectMs,
  };
  /** Why a queued host must not start now (null: it may). */
  const holdNew = (): 'cancelled' | 'threshold' | 'paused' | null => {
    // The rollout's control fields only (no counts, no JSON): asked before every host starts.
    const r = repo.control(id);
    if (r?.cancelRequested) cancel.value = true;
    if (cancel.value) return 'cancelled';
    if (stopped) return 'threshold';
    return r?.state === 'paused' ? 'paused' : null;
  };
  const notStarted = (machineId: number, why: 'cancelled' | 'skipped', because?: string) => {
    const reason =
      because ??
      (why === 'cancelled'
        ? 'Cancelled before it started.'
        : 'Not started: the failure threshold was reached.');
    endHost(repo, ports, id, machineId, why, { reason, finishedAt: clock.now() }, clock.now());
    progress.host(id, { machineId, state: why, step: '', reason });
  };
  const runOne = async (machineId: number) => {
    try {
      await runHost(ctx, machineId);
    } catch (err) {
      if (abort.signal.aborted) return;
      logger.error('rollout.host-crashed', { rolloutId: id, machineId, error: String(err).slice(0, 300) });
      endHost(
        repo,
        ports,
        id,
        machineId,
        'failed',
        {
          failureKind: 'internal',
          reason: 'Patchbay hit an unexpected error on this host.',
          finishedAt: clock.now(),
        },
        clock.now(),
      );
    }
    // Counted in SQL: reading every host's row here, after each host, made a rollout quadratic in its size.
    // The count still reads every host's row of the rollout: only when there is a threshold to check.
    const threshold = rollout.options.failureThreshold;
    if (stopped || !threshold) return;
    const { finished, failed } = repo.finishedCounts(id);
    if (thresholdReached(threshold, failed, finished)) {
      stopped = 'threshold';
      repo.stop(id, 'threshold', clock.now());
      logger.info('rollout.threshold', { rolloutId: id, failed, finished });
    }
  };
  const pass = () => {
    // Hosts already under way (a resume) first, then the queue in pick order (the sort is stable).
    const hosts = repo.hosts(id).filter((h) => !FINAL_HOST_STATES.has(h.state));
    hosts.sort((a, b) => Number(a.state === 'reviewed') - Number(b.state === 'reviewed'));
    return workPool(hosts, rollout.options.concurrency, async (h) => {
      if (abort.signal.aborted) return;
      if (h.state === 'reviewed') {
        const hold = holdNew();
        // Paused: the host stays reviewed, first in line when the rollout is resumed.
        if (hold === 'paused') return;
        if (hold) return notStarted(h.machineId, hold === 'cancelled' ? 'cancelled' : 'skipped');
        const refused = ports.mayStartHost?.(id, h.machineId) ?? null;
        if (refused !== null) return notStarted(h.machineId, 'skipped', refused);
      }
      await runOne(h.machineId);
    });
  };
  /**
   * How the run ends after a pass, decided in one immediate transaction so a resume in between (from this
   * process or another) is never lost: 'paused' gives the lease back in the same transaction; null means
   * the rollout was resumed while its last hosts finished, so another pass starts the waiting ones.
   */
  const decideEnd = (): 'paused' | 'finished' | 'cancelled' | null =>
    repo.transaction(() => {
      const r = repo.get(id);
      if (cancel.value || r?.cancelRequested) return 'cancelled';
      const waiting = repo.hosts(id).some((h) => h.state === 'reviewed');
      if (!waiting) return 'finished';
      if (r?.state === 'paused') {
        d.release();
        return 'paused';
      }
      return null;
    });

  let finish = () => {};
  d.register({ abort, cancel, done: new Promise<void>((res) => (finish = res)) });
  progress.touch(id);
  const heartbeat = setInterval(d.renew, d.renewEveryMs);
  heartbeat.unref();
  let end: 'paused' | 'finished' | 'cancelled' | null = null;
  try {
    while (!abort.signal.aborted && end === null) {
      await pass();
      if (!abort.signal.aborted) end = decideEnd();
    }
  } finally {
    clearInterval(heartbeat);
    closing.removeEventListener('abort', onClose);
    d.unregister();
    if (end === null || end === 'paused') finish();
  }
  // Closing the core leaves the rollout running (or paused) in the database: the next start resumes it.
  if (abort.signal.aborted || end === null) {
    d.release();
    return;
  }
  if (end === 'paused') {
    logger.info('rollout.paused', { rolloutId: id });
    progress.touch(id);
    progress.flush();
    return;
  }
  try {
    // Hosts a pause held back and a cancel then stopped for good.
    for (const h of repo.hosts(id)) if (h.state === 'reviewed') notStarted(h.machineId, 'cancelled');
    repo.setState(id, end, clock.now(), { finishedAt: clock.now() });
    d.release();
    const r = repo.get(id) ?? rollout;
    ports.audit({
      action: `rollout.${end}`,
      subject: `rollout ${id}${r.name ? ` (${r.name})` : ''}`,
      detail: { rolloutId: id, counts: r.counts, stopReason: r.stopReason },
    });
    progress.touch(id);
    progress.flush();
  } finally {
    finish();
  }
}
