/**
 * The live plan view's words and shapes, pure: a run's rings and batches with their state, host outcomes,
 * the gate's numbers and why a run halted, in a technician's words.
 */
import type {
  PlanGateStatus,
  PlanHostOutcome,
  PlanRunDetail,
  PlanRunHost,
  PlanRunState,
} from '../../../../shared/plan-runs';

/** A run's state in words. */
export const RUN_STATE_LABEL: Record<PlanRunState, string> = {
  'waiting-window': 'Waiting for a maintenance window',
  running: 'Running',
  soaking: 'Soaking',
  'gate-waiting': 'Waiting for “Promote now”',
  halted: 'Halted',
  done: 'Done',
  missed: 'Missed',
  cancelled: 'Cancelled',
};

/** A host's outcome in words. */
export const OUTCOME_LABEL: Record<PlanHostOutcome, string> = {
  pending: 'Not started',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  skipped: 'Skipped',
  nothing: 'Nothing to install',
};

/** How an outcome is coloured (the rollout view's tones). */
export const OUTCOME_TONE: Record<PlanHostOutcome, 'busy' | 'ok' | 'bad' | 'warn' | 'idle'> = {
  pending: 'idle',
  running: 'busy',
  succeeded: 'ok',
  failed: 'bad',
  skipped: 'warn',
  nothing: 'idle',
};

/** The state of a ring or a batch as the view shows it. */
export type StepState = 'pending' | 'running' | 'done' | 'halted';

/** Words for a ring's or a batch's state. */
export const STEP_LABEL: Record<StepState, string> = {
  pending: 'Not started',
  running: 'Running',
  done: 'Done',
  halted: 'Halted',
};

/** One batch of a ring: its hosts and where it stands. */
export interface BatchView {
  batch: number;
  state: StepState;
  /** The batch's rollout (the one under way while it runs). */
  rolloutId: number | null;
  hosts: PlanRunDetail['hosts'];
}

/** One ring of the run: its batches, the hosts not started yet, and where it stands. */
export interface RingView {
  index: number;
  name: string;
  state: StepState;
  /** A short note beside the state ("waiting for a maintenance window", "soak: 12 min left"). */
  note: string;
  batches: BatchView[];
  notStarted: PlanRunDetail['hosts'];
}

const ENDED: ReadonlySet<PlanRunState> = new Set(['done', 'missed', 'cancelled']);

/** Where the run's current ring stands. */
function currentRingState(run: PlanRunDetail): StepState {
  if (run.state === 'halted') return 'halted';
  if (run.state === 'running' || run.state === 'waiting-window') return 'running';
  if (run.state === 'missed' || run.state === 'cancelled') return 'halted';
  return 'done'; // soaking, gate-waiting, done: the ring has finished
}

function batchState(run: PlanRunDetail, ring: number, batch: number, hosts: PlanRunHost[]): StepState {
  if (hosts.some((h) => h.outcome === 'running')) return 'running';
  if (
    run.state === 'halted' &&
    run.ring === ring &&
    run.batch === batch &&
    hosts.some((h) => h.outcome === 'skipped')
  )
    return 'halted';
  return 'done';
}

/** How the ring after `index` was started: by its gate, or by an operator who skipped the gate. */
function promotedNote(run: PlanRunDetail, index: number): string {
  const next = run.definition.rings[index + 1]?.name;
  const e = run.events.find((x) => x.to === 'running' && x.detail.ring === next && 'promotedBy' in x.detail);
  const by = e?.detail.promotedBy;
  if (typeof by !== 'string') return '';
  return by === 'gate' ? 'the gate passed' : `promoted by ${by} (gate skipped)`;
}

/** The run's rings with their batches, in order; rings after the current one are not started. */
export function ringViews(run: PlanRunDetail): RingView[] {
  return run.definition.rings.map((r, index) => {
    const hosts = run.hosts.filter((h) => h.ring === index);
    const numbers = [...new Set(hosts.flatMap((h) => (h.batch === null ? [] : [h.batch])))].sort(
      (a, b) => a - b,
    );
    const batches = numbers.map((batch) => {
      const bh = hosts.filter((h) => h.batch === batch);
      return {
        batch,
        state: batchState(run, index, batch, bh),
        rolloutId: bh.find((h) => h.rolloutId !== null)?.rolloutId ?? null,
        hosts: bh,
      };
    });
    const state: StepState = index < run.ring ? 'done' : index > run.ring ? 'pending' : currentRingState(run);
    let note = '';
    if (index === run.ring && run.state === 'waiting-window') note = 'waiting for a maintenance window';
    if (index === run.ring && run.state === 'soaking') note = 'soaking before the next ring';
    if (index === run.ring && run.state === 'gate-waiting') note = 'waiting for “Promote now”';
    if (index > run.ring && ENDED.has(run.state)) note = 'not run';
    if (index < run.ring) note = promotedNote(run, index);
    return {
      index,
      name: r.name,
      state,
      note,
      batches,
      notStarted: hosts.filter((h) => h.outcome === 'pending'),
    };
  });
}

/** "12 min", "1 h 5 min", "40 s". */
export function durationText(ms: number): string {
  if (ms < 60_000) return `${Math.ceil(ms / 1000)} s`;
  const min = Math.ceil(ms / 60_000);
  return min < 60 ? `${min} min` : `${Math.floor(min / 60)} h${min % 60 ? ` ${min % 60} min` : ''}`;
}

/** A percentage as the core words it (one decimal when not whole). */
const pct = (x: number): string => `${Math.round(x * 10) / 10} %`;

/** One line of the gate: what is checked, the numbers, and whether it holds (null: not judged yet). */
export interface GateLine {
  what: string;
  text: string;
  ok: boolean | null;
}

/** The gate's lines: success rate against the one needed, the soak, the health checks, the promotion. */
export function gateLines(g: PlanGateStatus): GateLine[] {
  const finished = g.state !== 'ring-under-way';
  const rateOk = g.rate >= g.minSuccessPercent;
  const soak: GateLine =
    g.soakMinutes === 0
      ? { what: 'Soak time', text: 'none', ok: true }
      : g.soakLeftMs === null
        ? {
            what: 'Soak time',
            text: `${durationText(g.soakMinutes * 60_000)} after the ring finishes`,
            ok: null,
          }
        : g.soakLeftMs > 0
          ? {
              what: 'Soak time',
              text: `${durationText(g.soakLeftMs)} left of ${durationText(g.soakMinutes * 60_000)}`,
              ok: null,
            }
          : { what: 'Soak time', text: `${durationText(g.soakMinutes * 60_000)}, over`, ok: true };
  const health: Record<PlanGateStatus['health'], [string, boolean | null]> = {
    none: ['the plan has no health checks', true],
    off: ['not checked at this gate', true],
    'to-run': ['run again on the ring’s machines when the soak is over', null],
    passed: ['passed on every machine that succeeded', true],
    failed: ['failed (see why the run halted)', false],
    'not-run': ['not run: the success rate was too low', null],
  };
  const [htext, hok] = health[g.health];
  return [
    {
      what: 'Success rate',
      text: `${g.succeeded} of ${g.due} due machines succeeded (${pct(g.rate)}); needs ${pct(g.minSuccessPercent)}`,
      ok: finished ? rateOk : null,
    },
    soak,
    { what: 'Health checks', text: htext, ok: hok },
    {
      what: 'Promotion',
      text: g.manual ? 'waits for “Promote now”' : `automatic when everything above holds`,
      ok: null,
    },
  ];
}

/** Where the gate stands, in words. */
export function gateStateText(g: PlanGateStatus): string {
  switch (g.state) {
    case 'ring-under-way':
      return `Judged when ring ${g.ringName} has finished.`;
    case 'soaking':
      return `Ring ${g.ringName} has finished; soaking before ring ${g.nextRingName} may start.`;
    case 'checking':
      return 'The soak is over; the gate is being checked.';
    case 'waiting-promote':
      return `Everything holds. Ring ${g.nextRingName} starts when someone clicks “Promote now”.`;
    case 'halted':
      return `The gate did not pass: ring ${g.nextRingName} has not started.`;
  }
}

/** Why a run halted, in plain words (null when it has not). */
export function haltText(run: Pick<PlanRunDetail, 'state' | 'haltKind' | 'haltReason'>): string | null {
  if (run.state !== 'halted') return null;
  const lead =
    run.haltKind === 'gate'
      ? 'A promotion gate did not pass.'
      : run.haltKind === 'threshold'
        ? 'Too many machines failed.'
        : 'Someone halted the run.';
  return run.haltReason ? `${lead} ${run.haltReason}` : lead;
}

/** Whether "Promote now" applies: at a gate, or after a gate halted the run. */
export const canPromote = (run: Pick<PlanRunDetail, 'state' | 'haltKind'>): boolean =>
  run.state === 'soaking' ||
  run.state === 'gate-waiting' ||
  (run.state === 'halted' && run.haltKind === 'gate');

/** Whether "Halt" applies: the run still moves on by itself. */
export const canHalt = (run: Pick<PlanRunDetail, 'state' | 'haltRequested'>): boolean =>
  !run.haltRequested && !ENDED.has(run.state) && run.state !== 'halted';
