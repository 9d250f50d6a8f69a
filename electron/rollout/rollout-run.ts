import { setMaxListeners } from 'node:events';

import { FINAL_HOST_STATES, type Rollout } from '../../shared/domain';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { RolloutsRepo } from '../db/repos/rollouts';
import { thresholdReached } from './decisions';
import { auditHostOutcome } from './host-common';
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
 * Runs a started (or resumed) rollout: hosts already under way first, then the queue, `concurrency` at a
 * time; stops starting hosts once cancelled or past the failure threshold (counted over finished hosts),
 * and records the end with its audit entry.
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
    output: (machineId, text) => {
      const h = repo.host(id, machineId);
      if (h) progress.output(id, machineId, h.state, h.step, text);
    },
    pollMs: d.pollMs,
    reconnectMs: d.reconnectMs,
  };
  // Hosts already under way (a resume) first, then the queue in order.
  const hosts = repo.hosts(id).filter((h) => !FINAL_HOST_STATES.has(h.state));
  hosts.sort((a, b) => Number(a.state === 'reviewed') - Number(b.state === 'reviewed'));
  const done = workPool(hosts, rollout.options.concurrency, async (h) => {
    if (abort.signal.aborted) return;
    if (h.state === 'reviewed' && (stopped || cancel.value)) {
      const why = cancel.value ? 'cancelled' : 'skipped';
      const reason = cancel.value
        ? 'Cancelled before it started.'
        : 'Not started: the failure threshold was reached.';
      const ended = repo.transition(id, h.machineId, why, { reason, finishedAt: clock.now() }, clock.now());
      progress.host(id, { machineId: h.machineId, state: why, step: '', reason });
      auditHostOutcome(ports, id, ended);
      return;
    }
    try {
      await runHost(ctx, h.machineId);
    } catch (err) {
      if (abort.signal.aborted) return;
      logger.error('rollout.host-crashed', {
        rolloutId: id,
        machineId: h.machineId,
        error: String(err).slice(0, 300),
      });
      const ended = repo.transition(
        id,
        h.machineId,
        'failed',
        {
          failureKind: 'internal',
          reason: 'Patchbay hit an unexpected error on this host.',
          finishedAt: clock.now(),
        },
        clock.now(),
      );
      auditHostOutcome(ports, id, ended);
    }
    const started = repo.hosts(id).filter((x) => x.startedAt !== null);
    const finished = started.filter((x) => FINAL_HOST_STATES.has(x.state));
    const failed = finished.filter((x) => x.state === 'failed').length;
    if (!stopped && thresholdReached(rollout.options.failureThreshold, failed, finished.length)) {
      stopped = 'threshold';
      repo.stop(id, 'threshold', clock.now());
      logger.info('rollout.threshold', { rolloutId: id, failed, finished: finished.length });
    }
  });
  d.register({ abort, cancel, done: done.then(() => undefined) });
  progress.touch(id);
  const heartbeat = setInterval(d.renew, d.renewEveryMs);
  heartbeat.unref();
  try {
    await done;
  } finally {
    clearInterval(heartbeat);
    closing.removeEventListener('abort', onClose);
    d.unregister();
  }
  // Closing the core leaves the rollout running in the database: the next start resumes it.
  if (abort.signal.aborted) {
    d.release();
    return;
  }
  const to = cancel.value ? 'cancelled' : 'finished';
  repo.setState(id, to, clock.now(), { finishedAt: clock.now() });
  d.release();
  const r = repo.get(id) ?? rollout;
  ports.audit({
    action: `rollout.${to}`,
    subject: `rollout ${id}${r.name ? ` (${r.name})` : ''}`,
    detail: { rolloutId: id, counts: r.counts, stopReason: r.stopReason },
  });
  progress.touch(id);
  progress.flush();
}
