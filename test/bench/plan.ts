// `npm run bench:plan` (tsx test/bench/plan.ts): the plan runner's own cost. 1,000 simulated hosts (the
// engine's fake fleet: every host a state machine behind the real rollout ports' interface, no SSH) in 4
// rings, batches of 50, through the real plan runner, the real rollout engine and a real SQLite file:
//   scheduler overhead per host ≤ 2 ms CPU: (CPU of the plan run − CPU of the same hosts rolled out as the
//     same batches, plain rollouts of 50 one after the other with no runner, measured in the same run)
//     / hosts. The difference is what the runner adds: the run, its lease, rings, batch picking, gates,
//     per-host start checks, ticks, transitions with audit entries and events. (One rollout of all 1,000
//     hosts is no fair baseline: the engine costs more per host in one big rollout than in 20 small ones,
//     which made the "overhead" negative; the bench prints that figure too.)
//   UI messages ≤ 20/s: every core event the plan run emits (plans.run, rollout.progress…) through the
//     window's coalescing (electron/host/coalesce.ts), peak over any one second.
// Baseline and plan alternate (baseline, plan, baseline, plan…) on fresh hosts, ROUNDS times; the medians
// are compared, so a noisy neighbour on a shared machine hurts both sides alike.
// Env: BENCH_HOSTS (1000), BENCH_RINGS (4), BENCH_BATCH (50), BENCH_ROUNDS (3), BENCH_TICK_MS (20: how
// often the runner is ticked; the app ticks every 5 s, so this is the busy end), BENCH_POLL_MS (50: the
// engine's poll of a running install; the fake installs end at once).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { systemClock } from '../../electron/core/clock';
import { silentLogger } from '../../electron/core/logger';
import { openDatabase } from '../../electron/db/open';
import { planRunsRepo } from '../../electron/db/repos/plan-runs';
import { rolloutsRepo } from '../../electron/db/repos/rollouts';
import { eventStream } from '../../electron/host/coalesce';
import { planRunner } from '../../electron/plans/plan-runner';
import type { PlanSource } from '../../electron/plans/runner-ports';
import { fakeFleet } from '../../electron/rollout/fake-ports.test-helper';
import { rolloutService } from '../../electron/rollout/rollout-service';
import type { EventChannel, EventMap } from '../../shared/ipc';
import { planDefinitionSchema } from '../../shared/plans';
import { median, ms, peakPerSecond, row } from './bench-fleet';

const N = Number(process.env.BENCH_HOSTS ?? 1000);
const RINGS = Number(process.env.BENCH_RINGS ?? 4);
const BATCH = Number(process.env.BENCH_BATCH ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TICK_MS = Number(process.env.BENCH_TICK_MS ?? 20);
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 50);
const TARGET = { overheadMs: 2, msgsPerSec: 20 };
const WARM = 100;

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-bench-plan-'));
  const db = openDatabase({ path: path.join(work, 'patchbay.db') });
  // Every round uses fresh hosts: 2 × N per round, the warm-up and one single-rollout comparison.
  const fleet = fakeFleet(WARM * 2 + 2 * N * ROUNDS + N, [{ name: 'openssl', version: '3' }]);
  const uiTimes: number[] = [];
  let coreEvents = 0;
  let counting = false;
  const ui = eventStream(() => {
    if (counting) uiTimes.push(performance.now());
  });
  const events = <E extends EventChannel>(channel: E, payload: EventMap[E]) => {
    if (!counting) return;
    coreEvents++;
    ui.push(channel, payload);
  };
  const rollouts = rolloutService({
    repo: rolloutsRepo(db),
    ports: fleet.ports,
    clock: systemClock,
    logger: silentLogger,
    events,
    // The fake hosts' installs end at once: a short poll keeps the bench short (both sides alike).
    pollMs: POLL_MS,
  });
  const plans = new Map<
    number,
    { definition: ReturnType<typeof planDefinitionSchema.parse>; updatedAt: number }
  >();
  const source: PlanSource = {
    getPlan: (id) => {
      const p = plans.get(id);
      return p ? { id, enabled: true, definition: p.definition } : null;
    },
    listEnabledPlans: () => [...plans.entries()].map(([id, p]) => ({ id, ...p })),
    windowsFor: () => null,
  };
  const runner = planRunner({
    repo: planRunsRepo(db),
    rollouts,
    ports: fleet.ports,
    source,
    checks: {
      runHealthChecks: async () => ({ ok: true, results: [] }),
      runScript: async () => ({ ok: true, detail: '' }),
    },
    notifier: { notify: () => {} },
    clock: systemClock,
    logger: silentLogger,
    events,
  });
  fleet.ports.mayStartHost = (r, m) => runner.mayStartHost(r, m);

  const ids = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
  let next = 1;
  const take = (n: number) => {
    const out = ids(next, n);
    next += n;
    return out;
  };

  /** Plain rollouts of `hosts`, `size` at a time, one after the other: the engine's own cost. */
  async function plain(hosts: number[], size: number): Promise<{ cpu: number; wall: number }> {
    const t = performance.now();
    const c = cpuMs();
    for (let i = 0; i < hosts.length; i += size) {
      const r = rollouts.create({
        targets: { kind: 'machines', machineIds: hosts.slice(i, i + size) },
        content: { kind: 'all-approved' },
        options: { reboot: 'never', concurrency: BATCH },
      });
      await rollouts.review(r.id);
      rollouts.start(r.id);
      await rollouts.wait(r.id);
    }
    return { cpu: cpuMs() - c, wall: performance.now() - t };
  }

  let planId = 0;
  /** The same number of hosts as a plan: RINGS rings, batches of BATCH, gates that pass at once. */
  async function planned(hosts: number[]): Promise<{ cpu: number; wall: number; run: { state: string } }> {
    const per = Math.ceil(hosts.length / RINGS);
    const rings = Array.from({ length: RINGS }, (_, i) => ({
      name: `ring ${i + 1}`,
      targets: { kind: 'machines' as const, machineIds: hosts.slice(i * per, (i + 1) * per) },
      batch: { kind: 'count' as const, value: BATCH },
      gate: {},
    }));
    const definition = planDefinitionSchema.parse({
      name: `bench ${++planId}`,
      content: { kind: 'all-approved' },
      schedule: { kind: 'now', zone: 'UTC' },
      options: { reboot: 'never', concurrency: BATCH },
      rings,
    });
    const t = performance.now();
    const c = cpuMs();
    plans.set(planId, { definition, updatedAt: Date.now() });
    let run = runner.list(1, planId)[0];
    while (!run || !['done', 'halted', 'missed', 'cancelled'].includes(run.state)) {
      await runner.tick();
      await sleep(TICK_MS);
      run = runner.list(1, planId)[0];
    }
    plans.delete(planId);
    return { cpu: cpuMs() - c, wall: performance.now() - t, run };
  }

  try {
    // Warm-up (JIT, SQLite pages) of both paths.
    await plain(take(WARM), BATCH);
    await planned(take(WARM));
    const base: number[] = [];
    const plan: number[] = [];
    const overhead: number[] = [];
    let peak = 0;
    let rate = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const b = await plain(take(N), BATCH);
      uiTimes.length = 0;
      coreEvents = 0;
      counting = true;
      const p = await planned(take(N));
      const single = round === 0 ? await plain(take(N), N) : null;
      if (single)
        console.log(`one rollout of all ${N} hosts: ${ms(single.cpu)} CPU (${ms(single.wall)} wall)`);
      await sleep(150);
      counting = false;
      if (p.run.state !== 'done') throw new Error(`the plan run ended ${p.run.state}`);
      base.push(b.cpu);
      plan.push(p.cpu);
      overhead.push((p.cpu - b.cpu) / N);
      peak = Math.max(peak, peakPerSecond(uiTimes));
      rate = Math.max(rate, uiTimes.length / (p.wall / 1000));
      console.log(
        `round ${round + 1}: plain rollout ${ms(b.cpu)} CPU (${ms(b.wall)} wall), plan ${ms(p.cpu)} CPU ` +
          `(${ms(p.wall)} wall), ${coreEvents} core events → ${uiTimes.length} UI messages`,
      );
    }
    const installed = ids(1, next - 1).filter((id) => (fleet.host(id).installs.get('openssl') ?? 0) > 1);
    if (installed.length > 0) throw new Error(`${installed.length} hosts were installed twice`);
    console.log(`\nbench:plan — ${N} hosts, ${RINGS} rings, batches of ${BATCH}, ${ROUNDS} rounds (medians)`);
    console.log(`  plain rollout CPU ${ms(median(base))}, plan CPU ${ms(median(plan))}`);
    row('scheduler overhead per host', 'CPU beyond the engine', median(overhead), TARGET.overheadMs, ' ms');
    row('UI messages (peak 1 s)', 'after coalescing', peak, TARGET.msgsPerSec, '/s');
    console.log(`  UI messages, mean over the run: ${rate.toFixed(1)}/s`);
    if (median(overhead) > TARGET.overheadMs || peak > TARGET.msgsPerSec) process.exitCode = 1;
  } finally {
    ui.stop();
    await runner.stop();
    await rollouts.close();
    db.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
