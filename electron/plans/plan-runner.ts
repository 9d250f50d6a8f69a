/**
 * The plan runner (issue 9): makes a run for each due instant of each enabled plan, then drives the runs
 * ring by ring and batch by batch on the rollout engine (run-advance.ts). Any number of runners may share a
 * data folder (the app, `patchbay run`, the CLI): a run is driven only by the runner holding its lease in
 * SQLite, and a run's instant is unique, so no host of a run is ever patched twice.
 */
import crypto from 'node:crypto';

import type { EventSink } from '../../shared/ipc';
import { FINAL_PLAN_RUN_STATES, type PlanRunState } from '../../shared/plan-runs';
import type { PlanDefinition } from '../../shared/plans';
import { ApiError } from '../../shared/wire';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { PlanRunsRepo, RunPatch, StoredPlanRun } from '../db/repos/plan-runs';
import type { RolloutPorts } from '../rollout/ports';
import { targetMachines } from '../rollout/rollout-create';
import type { SshSession } from '../ssh/types';
import { gateStatus, overThreshold } from './plan-gates';
import { advanceRun, BATCH_THRESHOLD_REASON, HALTED_REASON, WINDOW_REASON } from './run-advance';
import type { RunnerCore, RunnerRollouts } from './runner-core';
import type { HostChecks, Notifier, PlanNotification, PlanSource } from './runner-ports';
import { nextRuns } from './schedule';
import { isOpen } from './windows';

/** What the runner is built from. */
export interface PlanRunnerDeps {
  repo: PlanRunsRepo;
  rollouts: RunnerRollouts;
  ports: RolloutPorts;
  source: PlanSource;
  checks: HostChecks;
  notifier: Notifier;
  clock: Clock;
  logger: Logger;
  events: EventSink;
  /** How long a run's lease lasts without renewal (default 60 s): a dead runner's runs move on after it. */
  leaseMs?: number;
  /** A run created more than this after its instant was due while no runner ran (default 2 minutes). */
  lateMs?: number;
  /** This runner's name on its leases (default pid + random). */
  holder?: string;
  /** How often a run being driven has its lease renewed (default a third of `leaseMs`). */
  renewEveryMs?: number;
}

/** The plan runner; `tick()` does one round (tests drive it with an injected clock), `start()` loops. */
export function planRunner(deps: PlanRunnerDeps) {
  const { repo, rollouts, ports, source, clock, logger } = deps;
  const holder = deps.holder ?? `${process.pid}-${crypto.randomUUID().slice(0, 8)}`;
  const leaseMs = deps.leaseMs ?? 60_000;
  const lateMs = deps.lateMs ?? 120_000;
  const renewEveryMs = deps.renewEveryMs ?? Math.max(1, Math.floor(leaseMs / 3));
  const driving = new Map<number, Promise<void>>();
  let stopping = false;
  let timer: NodeJS.Timeout | null = null;

  const claim = (id: number) => !stopping && repo.claim(id, holder, clock.now(), clock.now() + leaseMs);
  const notify = (
    run: { planId: number; planName: string },
    n: Omit<PlanNotification, 'planId' | 'planName' | 'at'>,
  ) => {
    try {
      deps.notifier.notify({ ...n, planId: run.planId, planName: run.planName, at: clock.now() });
    } catch (err) {
      logger.error('plan.notify-failed', { error: String(err).slice(0, 200) });
    }
  };
  const machineName = (id: number) => ports.machine(id)?.displayName ?? `machine ${id}`;

  /** A run's record after a change: audit entry, event, log line, and the notification it calls for. */
  const announce = (run: StoredPlanRun, from: PlanRunState | '', detail: Record<string, unknown>) => {
    const reason = run.haltReason || (typeof detail.why === 'string' ? detail.why : '');
    ports.audit({
      action: `plan.run-${run.state}`,
      subject: `plan run ${run.id} (${run.planName})`,
      detail: { runId: run.id, planId: run.planId, from, ring: run.ring, batch: run.batch, ...detail },
    });
    deps.events('plans.run', {
      runId: run.id,
      planId: run.planId,
      planName: run.planName,
      from,
      to: run.state,
      ring: run.ring,
      batch: run.batch,
      reason,
      at: clock.now(),
    });
    logger.info('plan.transition', {
      runId: run.id,
      plan: run.planName,
      from,
      to: run.state,
      ring: run.ring,
      batch: run.batch,
      ...(reason ? { reason } : {}),
    });
    if (run.state === 'halted')
      notify(run, { kind: 'gate-halted', title: `Plan ${run.planName} halted`, body: reason });
    if (run.state === 'done')
      notify(run, {
        kind: 'plan-done',
        title: `Plan ${run.planName} done`,
        body: 'Every ring of the run has finished.',
      });
    if (run.state === 'missed')
      notify(run, { kind: 'window-missed', title: `Plan ${run.planName}: run missed`, body: reason });
    if (run.state === 'running' && from === '')
      notify(run, {
        kind: 'plan-started',
        title: `Plan ${run.planName} started`,
        body: `Run ${run.id} has started.`,
      });
  };

  const windowReason = (def: PlanDefinition, machineId: number, now: number): string | null => {
    if (!def.useMaintenanceWindows) return null;
    const w = source.windowsFor(machineId);
    return w === null || isOpen(w, now) ? null : WINDOW_REASON;
  };

  const resolveRing = (def: PlanDefinition, ring: number): number[] => {
    const t = def.rings[ring]?.targets;
    if (!t) return [];
    if (t.kind === 'machines') return [...new Set(t.machineIds)].filter((m) => ports.machine(m) !== null);
    return targetMachines(ports, t).map((m) => m.id);
  };

  const core: RunnerCore = {
    repo,
    rollouts,
    ports,
    checks: deps.checks,
    clock,
    holds: claim,
    final: (s) => FINAL_PLAN_RUN_STATES.has(s),
    transition(run, to, patch: RunPatch, detail) {
      const { before, after } = repo.move(run.id, to, patch, clock.now(), detail);
      if (before.state !== to) announce(after, before.state, detail);
      else core.hostsChanged(after);
      return after;
    },
    hostsChanged: (run) => deps.events('plans.runHosts', { runId: run.id, ring: run.ring, batch: run.batch }),
    mayStart: (run, machineId, now) => windowReason(run.definition, machineId, now),
    hostFailed(run, machineId, reason) {
      notify(run, {
        kind: 'host-failed',
        title: `Plan ${run.planName}: ${machineName(machineId)} failed`,
        body: reason,
      });
    },
    machineName,
    resolveRing: (run, ring) => resolveRing(run.definition, ring),
  };

  /** Records a run for each instant of each enabled plan that is due now (late ones may be missed). */
  function schedule(now: number): void {
    for (const p of source.listEnabledPlans()) {
      const last = repo.lastScheduled(p.id);
      const s = p.definition.schedule;
      const due =
        s.kind === 'now'
          ? last < p.updatedAt && p.updatedAt <= now
            ? [p.updatedAt]
            : []
          : nextRuns(s, Math.max(last, p.updatedAt), 100).filter((t) => t <= now);
      due.forEach((at, i) => {
        let why = '';
        let ring0: number[] = [];
        if (i < due.length - 1)
          why = 'Patchbay was not running at that time, and a later run of the plan is due now.';
        else if (repo.hasActive(p.id)) why = 'The previous run of the plan was still under way.';
        else {
          ring0 = resolveRing(p.definition, 0);
          // Late (no runner ran at the instant): it runs only where a window is open now, never late outside it.
          if (now - at > lateMs && !ring0.some((m) => windowReason(p.definition, m, now) === null))
            why =
              'Patchbay was not running while the hosts’ maintenance windows were open; they have closed.';
        }
        const state = why ? 'missed' : 'running';
        const detail = { scheduledAt: at, late: now - at > lateMs, ...(why ? { why } : {}) };
        const id = repo.createRun(
          { planId: p.id, planName: p.definition.name, scheduledAt: at, definition: p.definition, state },
          now,
          detail,
        );
        if (id === null) return; // another runner recorded it first
        if (state === 'running') repo.addRingHosts(id, 0, ring0);
        const run = repo.get(id);
        if (run) announce(run, '', detail);
      });
    }
  }

  /** One round: new runs, then each active run this runner can lease is moved on (resolves when they wait). */
  async function tick(): Promise<void> {
    if (stopping) return;
    schedule(clock.now());
    const rounds: Promise<void>[] = [];
    for (const run of repo.active()) {
      if (driving.has(run.id) || !claim(run.id)) continue;
      // Heartbeat: a batch may run for hours inside one step; its lease is renewed meanwhile (while stopping
      // too, until the step comes to rest), so no other runner takes the run over. A dead process renews
      // nothing, and its lease runs out after leaseMs.
      const beat = setInterval(() => {
        if (!repo.claim(run.id, holder, clock.now(), clock.now() + leaseMs))
          logger.error('plan.lease-lost', { runId: run.id, holder });
      }, renewEveryMs);
      beat.unref();
      const p = advanceRun(core, run.id)
        .catch((err: unknown) =>
          logger.error('plan.run-failed', { runId: run.id, error: String(err).slice(0, 300) }),
        )
        .finally(() => {
          clearInterval(beat);
          driving.delete(run.id);
        });
      driving.set(run.id, p);
      rounds.push(p);
    }
    await Promise.all(rounds);
  }

  const mustGet = (id: number): StoredPlanRun => {
    const r = repo.get(id);
    if (!r) throw new ApiError({ code: 'not-found', message: 'That plan run does not exist.' });
    return r;
  };

  return {
    tick,
    /** Ticks every `everyMs` until stop(). */
    start(everyMs = 5_000): void {
      if (timer || stopping) return;
      const loop = () => {
        void tick().finally(() => {
          if (!stopping) timer = setTimeout(loop, everyMs);
        });
      };
      loop();
    },
    /** Stops starting anything; resolves when this runner's rounds have come to rest, leases given back. */
    async stop(): Promise<void> {
      stopping = true;
      if (timer) clearTimeout(timer);
      // Idle, it gives its leases back synchronously: the core may close the database right after.
      if (driving.size > 0) await Promise.all([...driving.values()]);
      for (const r of repo.active()) repo.unclaim(r.id, holder);
    },
    /**
     * The engine's per-host start check for rollouts a plan made (null for others): never outside the
     * host's window, never after a halt, never past the batch's failure threshold.
     */
    mayStartHost(rolloutId: number, machineId: number): string | null {
      const run = repo.runOfRolloutHost(rolloutId, machineId);
      if (!run) return null;
      if (run.state === 'halted' || run.haltRequested || FINAL_PLAN_RUN_STATES.has(run.state))
        return HALTED_REASON;
      const w = windowReason(run.definition, machineId, clock.now());
      if (w) return w;
      const t = run.definition.rings[run.ring]?.batchFailureThreshold ?? null;
      if (!t) return null;
      const n = repo.batchCounts(rolloutId);
      return overThreshold(t, n.failed, n.finished, n.total) ? BATCH_THRESHOLD_REASON : null;
    },
    /**
     * The engine's pre-/post-script hook for rollouts a plan made (null for others, or when the plan has no
     * such script): runs the run's snapshot of the script over the engine's session, audited with its sha256.
     */
    async hostScript(
      rolloutId: number,
      machineId: number,
      phase: 'pre' | 'post',
      at: { session: SshSession; timeoutMs: number; signal: AbortSignal },
    ): Promise<{ ok: boolean; detail: string } | null> {
      const run = repo.runOfRolloutHost(rolloutId, machineId);
      const text = run?.definition.scripts[phase];
      if (!run || !text) return null;
      const script = { planId: run.planId, phase, text, timeoutMs: at.timeoutMs };
      return deps.checks.runScript(machineId, script, at.signal, at.session);
    },
    /** An operator's "promote now" (at a gate, or a run a gate halted): the driving runner acts on it. */
    promote(runId: number, note = ''): StoredPlanRun {
      const run = mustGet(runId);
      const ok =
        run.state === 'soaking' ||
        run.state === 'gate-waiting' ||
        (run.state === 'halted' && run.haltKind === 'gate');
      if (!ok)
        throw new ApiError({
          code: 'conflict',
          message: `A run that is ${run.state} cannot be promoted (only at a gate).`,
        });
      repo.request(runId, 'promote', clock.now());
      ports.audit({
        action: 'plan.promote-requested',
        subject: `plan run ${runId} (${run.planName})`,
        detail: { runId, ring: run.ring, ...(note ? { note } : {}) },
      });
      return mustGet(runId);
    },
    /** An operator's "halt": nothing new starts; running package operations finish. */
    halt(runId: number, note = ''): StoredPlanRun {
      const run = mustGet(runId);
      if (FINAL_PLAN_RUN_STATES.has(run.state) || run.state === 'halted')
        throw new ApiError({ code: 'conflict', message: `The run is ${run.state} already.` });
      repo.request(runId, 'halt', clock.now());
      ports.audit({
        action: 'plan.halt-requested',
        subject: `plan run ${runId} (${run.planName})`,
        detail: { runId, ring: run.ring, ...(note ? { note } : {}) },
      });
      // The batch's rollout stops starting hosts at once, whichever process runs it (the flag is in SQLite).
      if (run.rolloutId !== null) {
        try {
          rollouts.cancel(run.rolloutId);
        } catch {
          // Under review: the runner cancels it once the review ends.
        }
      }
      return mustGet(runId);
    },
    /** A run with its hosts and its transitions (oldest first). */
    get: (runId: number) => {
      const run = mustGet(runId);
      const hosts = repo.hosts(runId);
      const events = repo.events(runId);
      const now = clock.now();
      return {
        ...run,
        hosts: hosts.map((h) => ({ ...h, name: machineName(h.machineId) })),
        events,
        gate: gateStatus(run, hosts, events, now),
        now,
      };
    },
    /** The newest runs first, of one plan when `planId` is given. */
    list: (limit = 50, planId?: number) => repo.list(limit, planId),
    busy: () => driving.size > 0,
  };
}

/** The plan runner. */
export type PlanRunner = ReturnType<typeof planRunner>;
