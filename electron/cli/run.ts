/**
 * `patchbay run`: Patchbay unattended (a systemd user unit, a Windows scheduled task). Opens the data folder
 * with the plan runner's loop on, prints one line per plan-run transition, and on SIGINT/SIGTERM stops
 * starting anything new and closes the core: package operations already started are never killed (they
 * run detached on the host; the next Patchbay process re-attaches to them).
 */
import type { PlanRunEvent } from '../../shared/plan-runs';
import type { Core } from '../core/create-core';
import { startPlanRunner } from '../plans/wire-runner';
import { call } from './call';

type Io = { stdout: (s: string) => void; stderr: (s: string) => void };

/** Waits for the signal to stop; returns the signal's name. Tests pass their own. */
export type StopSignal = () => Promise<string>;

/** SIGINT or SIGTERM, whichever comes first (both handlers removed after). */
export const processStopSignal: StopSignal = () =>
  new Promise((resolve) => {
    const on = (sig: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });

/** One line per transition: when, which run, from → to, where, why. */
export function transitionLine(e: PlanRunEvent): string {
  const where = `ring ${e.ring + 1}, batch ${e.batch}`;
  const reason = e.reason ? ` — ${e.reason.replace(/\s+/g, ' ').slice(0, 300)}` : '';
  return `${new Date(e.at).toISOString()}  plan run ${e.runId} (${e.planName}): ${e.from || 'new'} → ${e.to}  (${where})${reason}\n`;
}

/**
 * Runs until the stop signal; `core` was opened with rollouts resuming and the runner not yet started, so
 * the very first round's transitions are printed too. Closes the core; returns the exit code.
 */
export async function runUnattended(core: Core, dataDir: string, io: Io, stop: StopSignal): Promise<number> {
  // Registered before anything starts: a SIGTERM during start-up still ends the process cleanly.
  const stopped = stop();
  const unsubscribe = core.subscribe((channel, payload) => {
    if (channel === 'plans.run') io.stdout(transitionLine(payload as PlanRunEvent));
  });
  try {
    const plans = await call(core, 'plans.list', {});
    const enabled = plans.filter((p) => p.enabled && !p.problem).length;
    io.stdout(
      `patchbay run: driving ${enabled} enabled plan(s) of ${plans.length} in ${dataDir}; ` +
        `SIGINT or SIGTERM stops it.\n`,
    );
    startPlanRunner(core.services.planRunner, core.logger);
    const sig = await stopped;
    io.stdout(
      `patchbay run: ${sig}: starting nothing new; package operations already started finish on their hosts.\n`,
    );
  } finally {
    // Stops the runner and the rollouts where they are (resumed by the next Patchbay process), then the DB.
    await core.close();
    unsubscribe();
  }
  io.stdout('patchbay run: stopped.\n');
  return 0;
}
