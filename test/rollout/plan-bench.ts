import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Core } from '../../electron/core/create-core';
import type { PlanRunner } from '../../electron/plans/plan-runner';
import type { PlanRecord } from '../../shared/plan-api';
import type { PlanRunDetail } from '../../shared/plan-runs';
import { type PlanDefinitionInput, planDefinitionSchema } from '../../shared/plans';
import type { Target, TargetSpec } from '../targets/hosts';
import { startTargets, stopAll } from '../targets/hosts';
import { callerOf, enrollTargets, openEngineCore } from './engine-bench';

/** A wall-clock instant as a `once` window or schedule writes it in UTC (YYYY-MM-DDTHH:MM). */
export const utcMinute = (ms: number): string => new Date(ms).toISOString().slice(0, 16);

/** A ring of machines in batches of `batch` (gate: 100 %, no soak, health checks rerun). */
export const ringOf = (
  name: string,
  machineIds: number[],
  batch = 10,
  more: Record<string, unknown> = {},
) => ({
  name,
  targets: { kind: 'machines' as const, machineIds },
  batch: { kind: 'count' as const, value: batch },
  gate: {},
  ...more,
});

/**
 * The plan runner's real-target bench: Debian targets in a real core's inventory (SQLite file, SSH pool),
 * scanned once (host keys pinned), with a clock the test moves by hand. The core's runner loop is not
 * started: the test `tick()`s it (each tick drives a run until it has to wait, batches included).
 */
export async function planBench(specs: TargetSpec[]) {
  const clock = { t: Math.floor(Date.now() / 60_000) * 60_000, now: () => clock.t };
  const t: Record<string, Target> = {};
  const started = await startTargets(specs);
  specs.forEach((s, i) => (t[s.name] = started[i] as Target));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-plans-'));
  const open = () => openEngineCore(dir, { pollMs: 200 }, { clock });
  const core: Core = open();
  const cores = [core];
  const call = callerOf(core);
  const ids = await enrollTargets(core, started);
  const id = (name: string) => ids[name] ?? 0;

  return {
    core,
    call,
    t,
    id,
    clock,
    advance: (ms: number) => void (clock.t += ms),
    /** Approves `name` on each named host (machine scope). */
    async approve(name: string, hosts: string[]) {
      for (const h of hosts) {
        await call('decisions.decide', {
          select: { machineIds: [id(h)], names: [name] },
          scope: { kind: 'machine', machineId: id(h) },
          decision: 'approved',
        });
      }
    },
    /** Saves and enables a plan run "now" (UTC) with the given rings and the rest of `over`. */
    async plan(name: string, over: Partial<PlanDefinitionInput> & Pick<PlanDefinitionInput, 'rings'>) {
      const definition = planDefinitionSchema.parse({
        name,
        content: { kind: 'all-approved' },
        schedule: { kind: 'now', zone: 'UTC' },
        options: { reboot: 'never', concurrency: 2 },
        ...over,
      });
      return (await call('plans.create', { definition, enabled: true })) as PlanRecord;
    },
    /**
     * Ticks `runner` until the newest run of `planId` is in one of `states` (or `ready` says so), at most `max`
     * ticks; returns it with its hosts and transitions.
     */
    async tickUntil(
      runner: PlanRunner,
      planId: number,
      states: string[] | ((run: PlanRunDetail) => boolean),
      max = 20,
    ): Promise<PlanRunDetail> {
      const ready = typeof states === 'function' ? states : (r: PlanRunDetail) => states.includes(r.state);
      let run: PlanRunDetail | null = null;
      for (let i = 0; i < max; i++) {
        await runner.tick();
        const [newest] = runner.list(1, planId);
        run = newest ? runner.get(newest.id) : null;
        if (run && ready(run)) return run;
      }
      throw new Error(`plan ${planId} never got there: ${run ? JSON.stringify(run.hosts) : 'no run'}`);
    },
    /** A second core on the same data folder and clock: another process's runner, as the CLI or the app. */
    openAnother(): Core {
      const c = open();
      cores.push(c);
      return c;
    },
    async close() {
      for (const c of cores.reverse()) await c.close();
      await stopAll();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The bench planBench resolves to. */
export type PlanBench = Awaited<ReturnType<typeof planBench>>;
