import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterEach } from 'vitest';

import {
  type HealthCheck,
  type MaintenanceWindow,
  type PlanDefinition,
  type PlanDefinitionInput,
  planDefinitionSchema,
} from '../../shared/plans';
import { silentLogger } from '../core/logger';
import { type Db, openDatabase } from '../db/open';
import { planRunsRepo } from '../db/repos/plan-runs';
import { rolloutsRepo } from '../db/repos/rollouts';
import { fakeFleet } from '../rollout/fake-ports.test-helper';
import { type RolloutService, rolloutService } from '../rollout/rollout-service';
import { type PlanRunner, planRunner } from './plan-runner';
import type { HostChecks, PlanNotification, PlanSource } from './runner-ports';

/** A plan definition with defaults, run "now" in UTC unless `over` says otherwise. */
export function plan(
  over: Partial<PlanDefinitionInput> & Pick<PlanDefinitionInput, 'rings'>,
): PlanDefinition {
  return planDefinitionSchema.parse({
    name: 'Plan A',
    content: { kind: 'all-approved' },
    schedule: { kind: 'now', zone: 'UTC' },
    ...over,
  });
}

/** A ring of machines in batches of `batch` with a gate that passes at 100 % and needs no soak. */
export const ring = (name: string, machineIds: number[], batch = 50, more: Record<string, unknown> = {}) => ({
  name,
  targets: { kind: 'machines' as const, machineIds },
  batch: { kind: 'count' as const, value: batch },
  gate: {},
  ...more,
});

/** In-memory plans and windows: what PLANS' plan-source.ts does over the DB. */
export function memorySource() {
  const plans = new Map<number, { definition: PlanDefinition; updatedAt: number; enabled: boolean }>();
  const windows = new Map<number, MaintenanceWindow[]>();
  const source: PlanSource = {
    getPlan: (id) => {
      const p = plans.get(id);
      return p ? { id, enabled: p.enabled, definition: p.definition } : null;
    },
    listEnabledPlans: () =>
      [...plans.entries()]
        .filter(([, p]) => p.enabled)
        .map(([id, p]) => ({ id, definition: p.definition, updatedAt: p.updatedAt })),
    windowsFor: (m) => windows.get(m) ?? null,
  };
  return { plans, windows, source };
}

/** Health checks that fail on the machines in `failing` (with the check's kind in the detail). */
export function scriptedChecks() {
  const failing = new Set<number>();
  const calls: { machineId: number; checks: HealthCheck[] }[] = [];
  const scripts: { machineId: number; phase: string; text: string; session: boolean }[] = [];
  /** `machineId:pre` or `machineId:post`: that script exits 3 on that host. */
  const scriptFails = new Set<string>();
  const checks: HostChecks = {
    runHealthChecks: async (machineId, list) => {
      calls.push({ machineId, checks: list });
      const ok = !failing.has(machineId);
      return {
        ok,
        results: list.map((check) => ({
          check,
          ok,
          detail: ok ? 'ok' : `unit inactive on host${machineId}`,
        })),
      };
    },
    runScript: async (machineId, script, _signal, session) => {
      scripts.push({ machineId, phase: script.phase, text: script.text, session: session !== undefined });
      const ok = !scriptFails.has(`${machineId}:${script.phase}`);
      return { ok, detail: `${script.phase}-script: ${ok ? 'exit 0' : 'exit 3: not ready'}` };
    },
  };
  return { failing, calls, checks, scripts, scriptFails };
}

/** A clock the test moves by hand. */
export const manualClock = (start: number) => {
  const c = { t: start, now: () => c.t, advance: (ms: number) => (c.t += ms) };
  return c;
};

/**
 * The runner's unit-test bench: real SQLite (in memory, or a file shared by several "processes"), the
 * engine's fake fleet, real rollout services and runners, in-memory plans, scripted checks, a manual clock.
 * Closes everything after each test.
 */
export function runnerBench() {
  const closers: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  const setup = (n: number, opts: { file?: boolean; start?: number } = {}) => {
    const dir = opts.file ? fs.mkdtempSync(path.join(os.tmpdir(), 'pb-plan-')) : '';
    const dbPath = opts.file ? path.join(dir, 'patchbay.db') : ':memory:';
    const fleet = fakeFleet(n, [{ name: 'openssl', version: '3' }]);
    const clock = manualClock(opts.start ?? Date.UTC(2025, 0, 6, 10, 0));
    const mem = memorySource();
    const health = scriptedChecks();
    const notes: PlanNotification[] = [];
    const events: { to: string; reason: string }[] = [];
    /** `plans.runHosts`: a batch started or was collected, without a transition. */
    const hostEvents: { runId: number; ring: number; batch: number }[] = [];
    const dbs: Db[] = [];
    if (dir) closers.push(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** One "process": its own connection, rollout service and runner (`holder` names its leases). */
    const open = (holder: string, leaseMs = 60_000, renewEveryMs = 10) => {
      // In memory, every "process" shares the one connection; with a file each has its own.
      const shared = dbPath === ':memory:' && dbs[0] ? dbs[0] : openDatabase({ path: dbPath });
      if (!dbs.includes(shared)) dbs.push(shared);
      const rollouts: RolloutService = rolloutService({
        repo: rolloutsRepo(shared),
        ports: fleet.ports,
        clock,
        logger: silentLogger,
        events: () => {},
        pollMs: 2,
        reconnectMs: 50,
      });
      const runner: PlanRunner = planRunner({
        repo: planRunsRepo(shared),
        rollouts,
        ports: fleet.ports,
        source: mem.source,
        checks: health.checks,
        notifier: { notify: (x) => notes.push(x) },
        clock,
        logger: silentLogger,
        events: (ch, p) => {
          if (ch === 'plans.run') {
            const e = p as { to: string; reason: string };
            events.push({ to: e.to, reason: e.reason });
          }
          if (ch === 'plans.runHosts') hostEvents.push(p as (typeof hostEvents)[number]);
        },
        holder,
        leaseMs,
        // Real time: the heartbeat renews on the manual clock every 10 ms while a run is driven.
        renewEveryMs,
      });
      closers.push(async () => {
        await runner.stop();
        await rollouts.close();
      });
      return { db: shared, rollouts, runner, repo: planRunsRepo(shared) };
    };
    closers.push(() => {
      for (const db of dbs.splice(0)) db.close();
    });
    const main = open('runner-a');
    // The engine asks the runner before each host starts (create-core wires the same).
    fleet.ports.mayStartHost = (r, m) => main.runner.mayStartHost(r, m);
    fleet.ports.hostScript = (r, m, phase, at) => main.runner.hostScript(r, m, phase, at);
    return { ...main, open, fleet, clock, mem, health, notes, events, hostEvents };
  };
  return { setup };
}

/** Ticks until the run is in one of `states` (or `max` ticks passed); returns the run. */
export async function tickUntil(
  runner: PlanRunner,
  runId: number,
  states: readonly string[],
  max = 20,
): Promise<ReturnType<PlanRunner['get']>> {
  for (let i = 0; i < max; i++) {
    await runner.tick();
    const run = runner.get(runId);
    if (states.includes(run.state)) return run;
  }
  return runner.get(runId);
}
