/**
 * "Running when nobody is watching" (issue 9), as plain decisions the Electron shell only carries out:
 * whether closing the window keeps Patchbay in the tray, what the tray says, and when system sleep is
 * blocked. No `electron` import: tested in Node, driven by core events.
 */
import type { EventChannel } from '../../shared/ipc';
import type { PlanRecord } from '../../shared/plan-api';
import { FINAL_PLAN_RUN_STATES, type PlanRun } from '../../shared/plan-runs';

/** What the decisions are made from. */
export interface UnattendedState {
  /** Enabled plans with a run still ahead, soonest first. */
  scheduled: { name: string; nextRunAt: number; nextRunText: string }[];
  /** Plan runs not finished yet (running, soaking, at a gate, waiting for a window, halted). */
  activeRuns: { planName: string; state: PlanRun['state'] }[];
  /** Whether any rollout (a plan's batch or one started by hand) is installing right now. */
  rolloutRunning: boolean;
}

/** Whether closing the last window keeps Patchbay running in the tray (else it quits as usual). */
export function keepInTray(s: UnattendedState): boolean {
  return s.scheduled.length > 0 || s.activeRuns.some((r) => r.state !== 'halted') || s.rolloutRunning;
}

/**
 * What the tray does when the state changes: shown while there is unattended work; when the work is over
 * and the window was closed to the tray, Patchbay quits as if the window had been closed now (never while
 * the window is open or still starting).
 */
export function trayAction(s: UnattendedState, closedToTray: boolean): 'show' | 'remove' | 'quit' {
  if (keepInTray(s)) return 'show';
  return closedToTray ? 'quit' : 'remove';
}

/** Whether system sleep must be blocked: while any rollout runs (a sleeping laptop drops every SSH session). */
export function blockSleep(s: UnattendedState): boolean {
  return s.rolloutRunning;
}

/** The one-time notice shown when the window closes and Patchbay stays in the tray. */
export function trayNotice(s: UnattendedState): { title: string; body: string } {
  const next = s.scheduled[0];
  const why = s.rolloutRunning
    ? 'A rollout is running'
    : s.activeRuns.length > 0
      ? `Plan ${s.activeRuns[0]?.planName ?? ''} is under way`
      : next
        ? `Plan ${next.name} runs ${next.nextRunText.replace(/^next: /, '')}`
        : 'A plan is scheduled';
  return {
    title: 'Patchbay keeps running in the tray',
    body: `${why}. Patchbay stays in the tray to run it; choose Quit from the tray icon to stop.`,
  };
}

/** The tray menu as data: a status line (disabled item), Open, Quit. */
export function trayMenu(s: UnattendedState): { status: string; items: ('open' | 'quit')[] } {
  const next = s.scheduled[0];
  const status = s.rolloutRunning
    ? 'Rollout running — sleep is blocked'
    : s.activeRuns.length > 0
      ? `Plan ${s.activeRuns[0]?.planName ?? ''}: ${s.activeRuns[0]?.state ?? ''}`
      : next
        ? `${next.name} — ${next.nextRunText}`
        : 'No plan scheduled';
  return { status, items: ['open', 'quit'] };
}

/** Builds the state from the core's own answers. */
export function unattendedState(
  plans: PlanRecord[],
  runs: PlanRun[],
  rolloutRunning: boolean,
): UnattendedState {
  const scheduled = plans
    .filter((p) => p.enabled && p.nextRunAt !== null && p.problem === null)
    .map((p) => ({ name: p.name, nextRunAt: p.nextRunAt ?? 0, nextRunText: p.nextRunText }))
    .sort((a, b) => a.nextRunAt - b.nextRunAt);
  const activeRuns = runs
    .filter((r) => !FINAL_PLAN_RUN_STATES.has(r.state))
    .map((r) => ({ planName: r.planName, state: r.state }));
  return { scheduled, activeRuns, rolloutRunning };
}

/** What the monitor reads (the core provides it; tests can pass a real core). */
export interface UnattendedSource {
  plans(): Promise<PlanRecord[]>;
  runs(): Promise<PlanRun[]>;
  rolloutRunning(): boolean;
  subscribe(listener: (channel: EventChannel, payload: unknown) => void): () => void;
}

/** Events after which the state may have changed. */
const RELEVANT: ReadonlySet<EventChannel> = new Set(['plans.changed', 'plans.run', 'rollout.progress']);

/**
 * Keeps the state up to date from core events and calls `onChange` when a decision flips (sleep block on or
 * off, tray needed or not) — not on every progress message. `refresh()` is also for a periodic check (a
 * one-off plan whose time passed stops being scheduled without any event).
 */
export function unattendedMonitor(
  source: UnattendedSource,
  onChange: (s: UnattendedState, changed: { tray: boolean; sleep: boolean }) => void,
) {
  let state: UnattendedState = { scheduled: [], activeRuns: [], rolloutRunning: false };
  let pending: Promise<void> | null = null;
  let again = false;
  let closed = false;
  const refresh = (): Promise<void> => {
    if (pending) {
      again = true;
      return pending;
    }
    pending = (async () => {
      do {
        again = false;
        const next = unattendedState(await source.plans(), await source.runs(), source.rolloutRunning());
        if (closed) return;
        const changed = {
          tray: keepInTray(next) !== keepInTray(state),
          sleep: blockSleep(next) !== blockSleep(state),
        };
        state = next;
        if (changed.tray || changed.sleep) onChange(state, changed);
      } while (again && !closed);
    })().finally(() => {
      pending = null;
    });
    return pending;
  };
  const unsubscribe = source.subscribe((channel) => {
    if (!RELEVANT.has(channel)) return;
    // Rollout progress only matters when it may flip the sleep block.
    if (channel === 'rollout.progress' && source.rolloutRunning() === state.rolloutRunning) return;
    void refresh().catch(() => undefined);
  });
  return {
    state: () => state,
    refresh,
    dispose(): void {
      closed = true;
      unsubscribe();
    },
  };
}
