import crypto from 'node:crypto';
import { setMaxListeners } from 'node:events';

import { FINAL_HOST_STATES, type JobProgress, type Rollout, type RolloutDetail } from '../../shared/domain';
import type { EventSink } from '../../shared/ipc';
import { ApiError } from '../../shared/wire';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { RolloutsRepo } from '../db/repos/rollouts';
import { auditHostOutcome } from './host-common';
import type { RolloutPorts } from './ports';
import { rolloutProgress } from './progress';
import { reviewHost, workPool } from './review';
import { rolloutControls, underWay } from './rollout-controls';
import { createRollout, retryInput, type RolloutCreateInput } from './rollout-create';
import { type RunEntry, runRollout } from './rollout-run';

/** What the rollout service needs. */
export interface RolloutServiceDeps {
  repo: RolloutsRepo;
  ports: RolloutPorts;
  clock: Clock;
  logger: Logger;
  events: EventSink;
  /** Polling interval of running operations (default 1 s; tests go faster). */
  pollMs?: number;
  /** How long a host whose connection dropped is retried (default 5 minutes). */
  reconnectMs?: number;
  /** Lease of a running rollout, renewed while it runs; a crashed process's lease ends after this (default 30 s). */
  leaseMs?: number;
}

export type { RolloutCreateInput } from './rollout-create';

const notFound = () => new ApiError({ code: 'not-found', message: 'That rollout does not exist.' });

/**
 * Rollouts: create (targets and content resolved per host from the approvals), review (each host's own dry
 * run), start, cancel and resume. Hosts run through host-runner.ts; everything is in SQLite first.
 */
export function rolloutService(deps: RolloutServiceDeps) {
  const { repo, ports, clock, logger } = deps;
  const runs = new Map<number, RunEntry>();
  const reviews = new Set<number>();
  const progress = rolloutProgress(deps.events, (id) => {
    const r = repo.get(id);
    return {
      rolloutId: id,
      state: r?.state ?? 'finished',
      stopReason: r?.stopReason ?? '',
      counts: r?.counts ?? ({} as Rollout['counts']),
    };
  });
  const closing = new AbortController();
  setMaxListeners(0, closing.signal);
  // This process's name on the rollouts it runs (see repo.claim): another process never runs them at once.
  const runner = `${process.pid}-${crypto.randomUUID().slice(0, 8)}`;
  const leaseMs = deps.leaseMs ?? 30_000;
  const retries = new Set<NodeJS.Timeout>();
  const claim = (id: number) => repo.claim(id, runner, clock.now(), clock.now() + leaseMs);

  const mustGet = (id: number): Rollout =>
    repo.get(id) ??
    (() => {
      throw notFound();
    })();
  const detail = (id: number): RolloutDetail => ({
    ...mustGet(id),
    hosts: repo.hosts(id).map(({ logOffset: _o, ...h }) => h),
  });

  const run = (id: number) =>
    runRollout(
      {
        repo,
        ports,
        clock,
        logger,
        progress,
        closing: closing.signal,
        renew: () => claim(id),
        renewEveryMs: Math.max(50, Math.floor(leaseMs / 3)),
        release: () => repo.unclaim(id, runner),
        register: (entry) => runs.set(id, entry),
        unregister: () => runs.delete(id),
        pollMs: deps.pollMs ?? 1000,
        reconnectMs: deps.reconnectMs ?? 5 * 60_000,
      },
      mustGet(id),
    );

  /**
   * Picks up, after a restart, a running rollout (or a paused one with hosts under way, which only follows
   * those to their end) when its lease is free; when another process's lease still holds (it may have just
   * crashed), tries again once the lease ends. Returns whether it resumed now.
   */
  function resume(id: number): boolean {
    if (closing.signal.aborted || runs.has(id)) return false;
    if (!claim(id)) {
      const wait = Math.max(0, repo.leaseUntil(id) - clock.now()) + 100;
      const t = setTimeout(() => {
        retries.delete(t);
        const state = repo.get(id)?.state;
        if (state === 'running' || (state === 'paused' && underWay(repo, id).length > 0)) resume(id);
      }, wait);
      t.unref();
      retries.add(t);
      return false;
    }
    const state = mustGet(id).state;
    repo.setState(id, state, clock.now(), { detail: { resumed: true } });
    const hosts = repo.hosts(id).filter((h) => !FINAL_HOST_STATES.has(h.state));
    ports.audit({
      action: 'rollout.resumed',
      subject: `rollout ${id}`,
      // 'restart': Patchbay picked it up again (a paused one stays paused); an operator's resume says 'operator'.
      detail: {
        rolloutId: id,
        cause: 'restart',
        state,
        hosts: hosts.map((h) => ({ machineId: h.machineId, state: h.state, step: h.step })),
      },
    });
    launch(id);
    return true;
  }

  const launch = (id: number) => {
    const p = run(id).catch((err: unknown) =>
      logger.error('rollout.run-failed', { rolloutId: id, error: String(err).slice(0, 300) }),
    );
    void p;
  };

  const controls = rolloutControls({ repo, ports, clock, progress, runs, claim, launch });

  return {
    /** Creates a rollout; nothing runs until it is reviewed and started. */
    create: (input: RolloutCreateInput): RolloutDetail =>
      detail(createRollout({ repo, ports, clock }, input)),

    /** Runs every host's dry run and stores the plan; resolves when all hosts are reviewed. */
    async review(id: number): Promise<RolloutDetail> {
      const r = mustGet(id);
      if (r.state !== 'created' && r.state !== 'reviewed') {
        throw new ApiError({
          code: 'conflict',
          message: `A rollout that is ${r.state} cannot be reviewed again.`,
        });
      }
      if (reviews.has(id))
        throw new ApiError({ code: 'conflict', message: 'That rollout is being reviewed already.' });
      reviews.add(id);
      try {
        repo.setState(id, 'reviewing', clock.now());
        progress.touch(id);
        await workPool(repo.hosts(id), Math.max(r.options.concurrency, 8), (h) =>
          reviewHost(
            { repo, ports, clock, signal: closing.signal, report: (id, p) => progress.host(id, p) },
            r,
            h,
          ),
        );
        repo.setState(id, 'reviewed', clock.now());
      } finally {
        reviews.delete(id);
        // Every window (and the CLI) learns of the end from progress, as at the end of a run; each host's
        // end went out through `report` already. Sent now, so it arrives before the review's own answer
        // (when the core closes, close() sends what is pending before the database closes).
        if (!closing.signal.aborted) {
          progress.touch(id);
          progress.flush();
        }
      }
      return detail(id);
    },

    /**
     * Starts a reviewed rollout; removals in any plan need `confirmRemovals`. With `skipRemovals` (plans,
     * unattended) hosts whose plan removes packages are skipped with `skipRemovals` as their reason instead.
     */
    start(id: number, confirmRemovals = false, skipRemovals?: string): Rollout {
      const r = mustGet(id);
      // A running rollout nobody runs (Patchbay stopped): starting it again resumes it.
      if (r.state === 'running') {
        if (!runs.has(id) && !resume(id)) {
          throw new ApiError({
            code: 'conflict',
            message: 'Another Patchbay process is running that rollout.',
          });
        }
        return mustGet(id);
      }
      if (r.state !== 'reviewed') {
        throw new ApiError({
          code: 'conflict',
          message:
            r.state === 'created'
              ? 'Review the rollout before starting it.'
              : r.state === 'paused'
                ? 'The rollout is paused: resume it.'
                : `The rollout is ${r.state}.`,
        });
      }
      let hosts = repo.hosts(id);
      const removing = hosts.filter((h) => h.state === 'reviewed' && (h.plan?.removals.length ?? 0) > 0);
      if (removing.length > 0 && !confirmRemovals && skipRemovals !== undefined) {
        for (const h of removing)
          repo.transition(
            id,
            h.machineId,
            'skipped',
            { reason: skipRemovals, finishedAt: clock.now() },
            clock.now(),
          );
        hosts = repo.hosts(id);
      } else if (removing.length > 0 && !confirmRemovals) {
        throw new ApiError({
          code: 'invalid',
          message: `The plan removes packages on ${removing
            .map((h) => h.machineName)
            .join(', ')
            .slice(0, 300)}: confirm the removals to start.`,
        });
      }
      if (!hosts.some((h) => h.state === 'reviewed'))
        throw new ApiError({ code: 'invalid', message: 'No host has anything reviewed to install.' });
      if (!claim(id))
        throw new ApiError({
          code: 'conflict',
          message: 'Another Patchbay process is starting that rollout.',
        });
      // One transaction: a crash after the start cannot lose the entries of the hosts it ended.
      repo.transaction(() => {
        repo.setState(id, 'running', clock.now(), { startedAt: clock.now(), confirmRemovals });
        ports.audit({
          action: 'rollout.started',
          subject: `rollout ${id}${r.name ? ` (${r.name})` : ''}`,
          detail: {
            rolloutId: id,
            hosts: hosts.filter((h) => h.state === 'reviewed').length,
            confirmRemovals,
          },
        });
        // Hosts the review already ended (nothing approved, dry run failed) never run: their outcome is now.
        for (const h of hosts) if (FINAL_HOST_STATES.has(h.state)) auditHostOutcome(ports, id, h);
      });
      launch(id);
      return mustGet(id);
    },

    ...controls,

    /**
     * Retries a finished rollout's failed hosts (with `includeCancelled`, also those that never ran): a new
     * rollout linked to it (`retryOf`), reviewed afresh like any other, so nothing is reinstalled blindly and
     * removals need their confirmation again.
     */
    retry(id: number, includeCancelled = false): RolloutDetail {
      const input = retryInput({ repo, ports }, mustGet(id), includeCancelled);
      return detail(createRollout({ repo, ports, clock }, input, { retryOf: id, includeCancelled }));
    },

    /**
     * Resumes rollouts that were running when Patchbay stopped (and follows hosts under way in paused ones);
     * reviews cut short go back to created.
     */
    resumeAll(): number[] {
      for (const id of repo.idsInState('reviewing')) {
        for (const h of repo.hosts(id))
          if (h.state === 'reviewing')
            repo.transition(id, h.machineId, 'queued', {}, clock.now(), { interrupted: true });
        repo.setState(id, 'created', clock.now(), { detail: { interrupted: true } });
      }
      // A paused rollout stays paused: only hosts a crash left under way are followed to their end.
      const paused = repo.idsInState('paused').filter((id) => underWay(repo, id).length > 0);
      return [...repo.idsInState('running'), ...paused].filter((id) => !runs.has(id) && resume(id));
    },

    get: detail,
    list: (limit = 50): Rollout[] => repo.list(limit),
    output: (id: number, machineId: number, afterId = 0, limit = 1000) => ({
      chunks: repo.output(mustGet(id).id, machineId, afterId, limit),
    }),
    /** Resolves when a rollout's run ends (tests, CLI `status --follow`). */
    wait: async (id: number): Promise<void> => {
      await runs.get(id)?.done;
    },
    busy: (): boolean => runs.size > 0 || reviews.size > 0,
    /** Stops every run where it is (the core closes); the database keeps them running for the resume. */
    async close(): Promise<void> {
      closing.abort(new Error('Patchbay is closing'));
      for (const t of retries) clearTimeout(t);
      retries.clear();
      const pending = [...runs.values()].map((r) => r.done.catch(() => undefined));
      // Nothing running: flush now, synchronously, so the caller may close the database straight after.
      if (pending.length > 0) await Promise.all(pending);
      progress.flush();
    },
    /**
     * Running rollouts in the core's common job shape (`jobs.active`), each with every host's latest state
     * as a progress batch: a reloaded window follows them from where they are.
     */
    jobs(): JobProgress[] {
      return [...runs.keys()].flatMap((id) => {
        const r = repo.get(id);
        if (!r) return [];
        const c = r.counts;
        const hosts = repo.hosts(id);
        return [
          {
            kind: 'rollout' as const,
            jobId: String(id),
            title: `Rollout ${id}${r.name ? `: ${r.name}` : ''}`,
            startedAt: r.startedAt ?? r.createdAt,
            totals: {
              total: Object.values(c).reduce((a, b) => a + b, 0),
              queued: c.queued + c.reviewed,
              running: c.reviewing + c.preflight + c.installing + c.rebooting + c.verifying,
              done: c.succeeded + c['needs-reboot'],
              failed: c.failed + c.partly,
              cancelled: c.cancelled + c.skipped,
            },
            hosts: hosts.map((h) => ({
              machineId: h.machineId,
              state: h.state,
              ...(h.reason ? { message: h.reason } : {}),
            })),
            progress: {
              rolloutId: id,
              state: r.state,
              stopReason: r.stopReason,
              counts: c,
              hosts: hosts.map((h) => ({
                machineId: h.machineId,
                state: h.state,
                step: h.step,
                ...(h.reason ? { reason: h.reason } : {}),
                ...(h.failureKind ? { failureKind: h.failureKind } : {}),
              })),
            },
          },
        ];
      });
    },
  };
}

/** The rollout service. */
export type RolloutService = ReturnType<typeof rolloutService>;
