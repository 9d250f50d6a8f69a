/**
 * Moves one plan run forward as far as it can go now: the batch under way (review, start, wait, collect),
 * the next batch of the ring inside the hosts' windows, the gate after a ring (soak, success rate, health
 * checks, manual promote), thresholds, halts. Everything it decides is in SQLite before it acts, so any
 * runner holding the run's lease picks it up from where it is (plan-runner.ts calls it with the lease held).
 */
import type { PlanRun, PlanRunHost, PlanRunState } from '../../shared/plan-runs';
import type { RolloutHostState } from '../../shared/rollout';
import { ApiError } from '../../shared/wire';
import type { StoredPlanRun } from '../db/repos/plan-runs';
import { batchSize, countOutcomes, describeThreshold, overThreshold, pct, ringNumbers } from './plan-gates';
import type { RunnerCore } from './runner-core';

/** The reason on a host the engine did not start because its window was closed (it carries over). */
export const WINDOW_REASON = 'Not started: outside its maintenance window (carried over to the next window).';
/** The reason on a host whose review removes packages: an unattended plan never confirms removals. */
export const REMOVALS_REASON = 'Not started: needs confirmation of removals (a plan never confirms them).';
/** The reason on a host the batch threshold kept from starting. */
export const BATCH_THRESHOLD_REASON = 'Not started: the batch failure threshold was reached.';
/** The reason on a host a halt kept from starting. */
export const HALTED_REASON = 'Not started: the plan was halted.';

const OK_STATES: ReadonlySet<RolloutHostState> = new Set(['succeeded', 'needs-reboot']);
const FAILED_STATES: ReadonlySet<RolloutHostState> = new Set(['failed', 'partly']);

/** Advances run `id` until it has to wait (a rollout under way, a window, a soak, a pause, an operator). */
export async function advanceRun(c: RunnerCore, id: number): Promise<void> {
  for (let guard = 0; guard < 100; guard++) {
    const run = c.repo.get(id);
    if (!run || !c.holds(id)) return;
    const moved = await step(c, run);
    if (!moved) return;
  }
}

/** One step; true when the run changed and the next step may go on at once. */
async function step(c: RunnerCore, run: StoredPlanRun): Promise<boolean> {
  if (run.haltRequested && run.state !== 'halted' && !c.final(run.state)) {
    halt(c, run, 'operator', `Halted by ${c.ports.actor()}.`);
    return true;
  }
  switch (run.state) {
    case 'halted':
      // The batch a halt cut short is followed to its end and collected (its running operations finish).
      if (run.rolloutId !== null) return haltedBatch(c, run, run.rolloutId);
      if (run.promoteRequested && run.haltKind === 'gate') return promote(c, run, 'operator');
      return false;
    case 'running':
    case 'waiting-window':
      return run.rolloutId !== null ? batchUnderWay(c, run, run.rolloutId) : nextBatch(c, run);
    case 'soaking':
      return gate(c, run);
    case 'gate-waiting':
      return run.promoteRequested ? promote(c, run, 'operator') : false;
    default:
      return false;
  }
}

/** The hosts of the run's current ring. */
const ringHosts = (c: RunnerCore, run: PlanRun) => c.repo.hosts(run.id).filter((h) => h.ring === run.ring);

/** Starts the next batch inside the windows, or ends the ring; false when it has to wait. */
function nextBatch(c: RunnerCore, run: StoredPlanRun): boolean {
  const now = c.clock.now();
  const ring = run.definition.rings[run.ring];
  if (!ring) return c.transition(run, 'done', { finishedAt: now }, { why: 'no ring left' }) !== null;
  const hosts = ringHosts(c, run);
  const pending = hosts.filter((h) => h.outcome === 'pending');
  if (pending.length === 0) return ringFinished(c, run, hosts);
  if (now < run.nextBatchAt) return false;
  const open = pending.filter((h) => c.mayStart(run, h.machineId, now) === null);
  if (open.length === 0) {
    if (run.state !== 'waiting-window')
      c.transition(run, 'waiting-window', {}, { waiting: pending.length, ring: ring.name });
    return false;
  }
  const picked = open.slice(0, batchSize(ring.batch, hosts.length)).map((h) => h.machineId);
  const batch = run.batch + 1;
  // The rollout and the hosts' "running" are one transaction: a runner that dies right after leaves a run
  // that names its rollout, so the next runner follows that rollout instead of patching the hosts again.
  c.repo.transaction(() => {
    const r = c.rollouts.create({
      name: `${run.planName} · ${ring.name} · batch ${batch}`.slice(0, 200),
      targets: { kind: 'machines', machineIds: picked },
      content: run.definition.content,
      options: { ...run.definition.options, failureThreshold: null },
    });
    c.repo.setHosts(run.id, picked, 'running', { batch, rolloutId: r.id });
    c.transition(run, 'running', { batch, rolloutId: r.id }, { ring: ring.name, batch, hosts: picked });
  });
  return true;
}

/** Follows the batch's rollout: review, start, wait for it, collect its hosts. */
async function batchUnderWay(c: RunnerCore, run: StoredPlanRun, rolloutId: number): Promise<boolean> {
  const r = c.rollouts.get(rolloutId);
  switch (r.state) {
    case 'created':
      await c.rollouts.review(rolloutId);
      return true;
    case 'reviewing':
      return false;
    case 'reviewed':
      try {
        c.rollouts.start(rolloutId, false, REMOVALS_REASON);
      } catch (err) {
        // Every host ended at review (nothing to install, removals): nothing to start; end it as cancelled.
        if (!(err instanceof ApiError) || err.code !== 'invalid') throw err;
        c.rollouts.cancel(rolloutId);
      }
      return true;
    case 'running':
    case 'paused':
      return follow(c, rolloutId);
    default:
      await collect(c, run, rolloutId);
      return true;
  }
}

/**
 * Waits for a running rollout's end in this process; one nobody runs (its runner died) is resumed here
 * first (start() resumes a running rollout, or refuses while another live process holds it).
 */
async function follow(c: RunnerCore, rolloutId: number): Promise<boolean> {
  try {
    c.rollouts.start(rolloutId);
  } catch (err) {
    // Another process runs it, or an operator paused it: look again at the next tick.
    if (!(err instanceof ApiError) || err.code !== 'conflict') throw err;
    return false;
  }
  await c.rollouts.wait(rolloutId);
  const state = c.rollouts.get(rolloutId).state;
  return state === 'finished' || state === 'cancelled';
}

/** A halted run's batch: not started ones are cancelled, running ones followed, the end collected. */
async function haltedBatch(c: RunnerCore, run: StoredPlanRun, rolloutId: number): Promise<boolean> {
  const state = c.rollouts.get(rolloutId).state;
  if (state === 'created' || state === 'reviewed') c.rollouts.cancel(rolloutId);
  else if (state === 'reviewing') return false;
  else if (state === 'running' || state === 'paused') return follow(c, rolloutId);
  await collect(c, run, rolloutId);
  return true;
}

/** Takes a finished batch's host outcomes (health checks on the hosts that succeeded), then the thresholds. */
async function collect(c: RunnerCore, run: StoredPlanRun, rolloutId: number): Promise<void> {
  const now = () => c.clock.now();
  const checks = run.definition.healthChecks;
  for (const h of c.rollouts.get(rolloutId).hosts) {
    if (OK_STATES.has(h.state)) {
      const health = checks.length > 0 ? await c.checks.runHealthChecks(h.machineId, checks) : null;
      const bad = health?.results.find((x) => !x.ok);
      if (health && !health.ok) {
        const reason = `Health check failed: ${bad ? `${bad.check.kind}: ${bad.detail}` : 'see the results'}`;
        c.repo.setHosts(run.id, [h.machineId], 'failed', { rolloutId, reason, finishedAt: now() });
        c.hostFailed(run, h.machineId, reason);
      } else c.repo.setHosts(run.id, [h.machineId], 'succeeded', { rolloutId, finishedAt: now() });
    } else if (FAILED_STATES.has(h.state)) {
      c.repo.setHosts(run.id, [h.machineId], 'failed', { rolloutId, reason: h.reason, finishedAt: now() });
      c.hostFailed(run, h.machineId, h.reason);
    } else if (h.state === 'skipped' && h.reason === WINDOW_REASON) {
      c.repo.setHosts(run.id, [h.machineId], 'pending', { reason: WINDOW_REASON });
    } else if (h.state === 'cancelled' && run.state !== 'halted') {
      // Cancelled by hand in the rollout view: not run; it stays due and carries over.
      c.repo.setHosts(run.id, [h.machineId], 'pending', { reason: h.reason });
    } else if (h.state === 'skipped' && h.reason !== REMOVALS_REASON && h.reason !== BATCH_THRESHOLD_REASON) {
      c.repo.setHosts(run.id, [h.machineId], 'nothing', { rolloutId, reason: h.reason, finishedAt: now() });
    } else {
      c.repo.setHosts(run.id, [h.machineId], 'skipped', { rolloutId, reason: h.reason, finishedAt: now() });
    }
  }
  const ring = run.definition.rings[run.ring];
  const pauseMs = (ring?.batchPauseMinutes ?? 0) * 60_000;
  const after = c.repo.move(
    run.id,
    run.state,
    { rolloutId: null, nextBatchAt: now() + pauseMs },
    now(),
  ).after;
  c.hostsChanged(after);
  // A halted run keeps the reason it halted for; the batch's numbers are in its hosts.
  if (run.state === 'halted') return;
  const hosts = c.repo.hosts(run.id);
  const batch = countOutcomes(hosts.filter((h) => h.ring === run.ring && h.batch === run.batch));
  const batchDue = hosts.filter((h) => h.ring === run.ring && h.batch === run.batch).length;
  const t = ring?.batchFailureThreshold ?? null;
  if (t && overThreshold(t, batch.failed, batch.succeeded + batch.failed, batchDue)) {
    halt(c, after, 'threshold', thresholdWords(`Batch ${run.batch} of ring ${ring?.name}`, batch, t));
    return;
  }
  const all = countOutcomes(hosts);
  const pt = run.definition.failureThreshold;
  const planDue = hosts.filter((h) => h.outcome !== 'nothing').length;
  if (pt && overThreshold(pt, all.failed, all.succeeded + all.failed, planDue))
    halt(c, after, 'threshold', thresholdWords('The plan', all, pt));
}

const thresholdWords = (
  what: string,
  n: { failed: number; succeeded: number },
  t: Parameters<typeof describeThreshold>[0],
) =>
  `${what}: ${n.failed} of ${n.failed + n.succeeded} finished hosts failed ` +
  `(${pct((n.failed * 100) / Math.max(1, n.failed + n.succeeded))}); the threshold is ${describeThreshold(t)}.`;

/** The ring has no host left to start: the plan is done after the last ring, otherwise its gate begins. */
function ringFinished(c: RunnerCore, run: StoredPlanRun, hosts: PlanRunHost[]): boolean {
  if (hosts.some((h) => h.outcome === 'running')) return false;
  const now = c.clock.now();
  const n = ringNumbers(hosts);
  const ring = run.definition.rings[run.ring];
  const last = run.ring >= run.definition.rings.length - 1;
  const finishedAt = Math.max(0, ...hosts.map((h) => h.finishedAt ?? 0)) || now;
  if (last) {
    c.transition(run, 'done', { finishedAt: now }, { ring: ring?.name, ...n });
    return false;
  }
  c.transition(run, 'soaking', { ringFinishedAt: finishedAt }, { ring: ring?.name, ...n });
  return true;
}

/** The gate after the current ring: soak, success rate, health checks, then manual or automatic promotion. */
async function gate(c: RunnerCore, run: StoredPlanRun): Promise<boolean> {
  if (run.promoteRequested) return promote(c, run, 'operator');
  const ring = run.definition.rings[run.ring];
  if (!ring) return false;
  const g = ring.gate;
  const soakEnds = (run.ringFinishedAt ?? 0) + g.soakMinutes * 60_000;
  if (c.clock.now() < soakEnds) return false;
  const hosts = ringHosts(c, run);
  const n = ringNumbers(hosts);
  if (n.rate < g.minSuccessPercent) {
    halt(
      c,
      run,
      'gate',
      `Gate after ring ${ring.name}: ${n.succeeded} of ${n.due} due hosts succeeded (${pct(n.rate)}); ` +
        `the gate needs ${pct(g.minSuccessPercent)}.`,
      { check: 'success-rate', ...n },
    );
    return false;
  }
  const checks = run.definition.healthChecks;
  if (g.healthChecks && checks.length > 0) {
    for (const h of hosts.filter((x) => x.outcome === 'succeeded')) {
      const res = await c.checks.runHealthChecks(h.machineId, checks);
      if (!res.ok) {
        const bad = res.results.find((x) => !x.ok);
        halt(
          c,
          run,
          'gate',
          `Gate after ring ${ring.name}: a health check no longer passes on ${c.machineName(h.machineId)}` +
            (bad ? ` (${bad.check.kind}: ${bad.detail})` : '') +
            `; ${n.succeeded} of ${n.due} due hosts had succeeded (${pct(n.rate)}).`,
          { check: 'health', machineId: h.machineId, ...n },
        );
        return false;
      }
    }
  }
  if (g.manual) {
    c.transition(run, 'gate-waiting', {}, { ring: ring.name, ...n });
    return false;
  }
  return promote(c, run, 'gate');
}

/** Starts the next ring (the gate passed, or an operator promoted). */
function promote(c: RunnerCore, run: StoredPlanRun, by: 'gate' | 'operator'): boolean {
  const next = run.ring + 1;
  const ring = run.definition.rings[next];
  if (!ring) return c.transition(run, 'done', { finishedAt: c.clock.now() }, { by }) !== null;
  const machineIds = c.resolveRing(run, next);
  c.repo.transaction(() => {
    c.repo.addRingHosts(run.id, next, machineIds);
    c.transition(
      run,
      'running',
      {
        ring: next,
        batch: 0,
        nextBatchAt: 0,
        ringFinishedAt: null,
        promoteRequested: false,
        haltKind: '',
        haltReason: '',
      },
      { promotedBy: by === 'gate' ? 'gate' : c.ports.actor(), ring: ring.name, hosts: machineIds.length },
    );
  });
  return true;
}

/** Halts the run: nothing new starts (the batch's rollout is cancelled; running operations finish). */
export function halt(
  c: RunnerCore,
  run: StoredPlanRun,
  kind: 'gate' | 'threshold' | 'operator',
  reason: string,
  /** More of the numbers behind a gate's halt (which check failed), kept in the transition's detail. */
  extra: Record<string, unknown> = {},
): void {
  if (run.rolloutId !== null) {
    try {
      c.rollouts.cancel(run.rolloutId);
    } catch {
      // A rollout still under review cannot be cancelled: its start is refused below (halt requested).
    }
  }
  c.transition(
    run,
    'halted',
    { haltKind: kind, haltReason: reason, haltRequested: false, promoteRequested: false },
    { kind, reason, ...extra },
  );
}

/** States in which a run's batch may be under way. */
export const BATCH_STATES: ReadonlySet<PlanRunState> = new Set(['running', 'waiting-window', 'halted']);
