/**
 * The plan runner's arithmetic, pure: batch sizes, failure thresholds over finished hosts, and a ring's
 * gate numbers. The rules are written out in electron/plans/README.md ("Runner").
 */
import type {
  PlanGateHealth,
  PlanGateState,
  PlanGateStatus,
  PlanHostOutcome,
  PlanRun,
  PlanRunHost,
  PlanRunTransition,
} from '../../shared/plan-runs';
import type { PlanDefinition, Ring } from '../../shared/plans';
import type { FailureThreshold } from '../../shared/rollout';

/** How many hosts one batch of a ring of `ringSize` hosts takes: N, or X % rounded up; at least one. */
export function batchSize(batch: Ring['batch'], ringSize: number): number {
  if (batch.kind === 'count') return Math.max(1, batch.value);
  return Math.max(1, Math.ceil((ringSize * batch.value) / 100 - 1e-9));
}

/** Host counts by outcome. */
export type OutcomeCounts = Record<PlanHostOutcome, number>;

/** Counts hosts by outcome. */
export function countOutcomes(hosts: readonly Pick<PlanRunHost, 'outcome'>[]): OutcomeCounts {
  const c: OutcomeCounts = { pending: 0, running: 0, succeeded: 0, failed: 0, skipped: 0, nothing: 0 };
  for (const h of hosts) c[h.outcome]++;
  return c;
}

/**
 * Whether a failure threshold is reached, counted over what has finished: `finished` hosts ended with
 * success or failure (waiting, running, skipped and nothing-to-do hosts do not count), `failed` of them
 * failed (install or health check). A count trips at `failed ≥ N`. A percent trips at
 * `failed / finished ≥ X %`, judged only once `finished ≥ min(due, ⌈100 / X⌉)` hosts — the sample in which a
 * single failure is X % — so one early failure in a first batch of 2 out of 40 due hosts does not read as
 * 50 % (with X = 10 it is judged from the 10th finished host on, or when all due hosts finished).
 */
export function overThreshold(
  t: FailureThreshold | null,
  failed: number,
  finished: number,
  due: number,
): boolean {
  if (!t || failed === 0) return false;
  if (t.kind === 'count') return failed >= t.value;
  const sample = Math.min(Math.max(due, 1), Math.ceil(100 / t.value));
  return finished >= sample && failed * 100 >= t.value * finished;
}

/** Plain words for a threshold. */
export const describeThreshold = (t: FailureThreshold): string =>
  t.kind === 'count' ? `${t.value} failed host${t.value === 1 ? '' : 's'}` : `${t.value} % of finished hosts`;

/** A percentage rounded for messages (one decimal when not whole). */
export const pct = (x: number): string => `${Math.round(x * 10) / 10} %`;

/**
 * A ring's gate numbers: `due` = its hosts that had something to install (succeeded, failed or skipped —
 * a host skipped for removals or a threshold was due and did not succeed); `rate` = succeeded / due in %
 * (100 when nothing was due).
 */
export function ringNumbers(hosts: readonly Pick<PlanRunHost, 'outcome'>[]) {
  const c = countOutcomes(hosts);
  const due = c.succeeded + c.failed + c.skipped;
  return { ...c, due, rate: due === 0 ? 100 : (c.succeeded * 100) / due };
}

/** What the gate's last halt said it checked (run-advance.ts records `check` on a gate halt). */
const haltCheck = (events: readonly PlanRunTransition[]): unknown =>
  [...events].reverse().find((e) => e.to === 'halted')?.detail.check;

/**
 * The gate after the run's current ring, as the live plan view shows it: where it stands, the success rate
 * against the one required, the soak left on the core's clock, and the health checks' result. Null when
 * the run has no gate ahead (last ring, or ended).
 */
export function gateStatus(
  run: PlanRun & { definition: PlanDefinition },
  hosts: readonly PlanRunHost[],
  events: readonly PlanRunTransition[],
  now: number,
): PlanGateStatus | null {
  const rings = run.definition.rings;
  const ring = rings[run.ring];
  const next = rings[run.ring + 1];
  if (!ring || !next || run.state === 'done' || run.state === 'missed' || run.state === 'cancelled')
    return null;
  const g = ring.gate;
  const n = ringNumbers(hosts.filter((h) => h.ring === run.ring));
  const gateHalt = run.state === 'halted' && run.haltKind === 'gate';
  const state: PlanGateState = gateHalt
    ? 'halted'
    : run.state === 'gate-waiting'
      ? 'waiting-promote'
      : run.state === 'soaking'
        ? run.ringFinishedAt !== null && now >= run.ringFinishedAt + g.soakMinutes * 60_000
          ? 'checking'
          : 'soaking'
        : 'ring-under-way';
  const check = gateHalt ? haltCheck(events) : undefined;
  let health: PlanGateHealth;
  if (run.definition.healthChecks.length === 0) health = 'none';
  else if (!g.healthChecks) health = 'off';
  else if (check === 'health') health = 'failed';
  else if (check === 'success-rate') health = 'not-run';
  else if (state === 'waiting-promote') health = 'passed';
  else health = 'to-run';
  const soakEndsAt = run.ringFinishedAt === null ? null : run.ringFinishedAt + g.soakMinutes * 60_000;
  return {
    ring: run.ring,
    ringName: ring.name,
    nextRingName: next.name,
    state,
    succeeded: n.succeeded,
    due: n.due,
    rate: n.rate,
    minSuccessPercent: g.minSuccessPercent,
    soakMinutes: g.soakMinutes,
    soakEndsAt,
    soakLeftMs: soakEndsAt === null ? null : Math.max(0, soakEndsAt - now),
    health,
    manual: g.manual,
  };
}
