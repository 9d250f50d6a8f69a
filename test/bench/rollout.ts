// `npm run bench:rollout` (tsx test/bench/rollout.ts): rolls approved updates out to a simulated fleet
// (test/sim, electron/demo/sim-rollout.ts) of 500 hosts through the real rollout engine — the real core, its
// live ports, the shared SSH pool, remote-op, the verify rescan — and checks how it scales:
//   wall time      ≤ 1.2 × ⌈N / concurrency⌉ × (one host rolled out alone, measured in the same run)
//   CPU per host   ≤ 10 ms (this process only: the simulator runs in a child process)
//   peak RSS       ≤ 300 MB (the kernel's peak for this process, whole bench included)
//   UI messages    ≤ 20/s rollout.progress after the engine's batching and the host's coalescing (eventStream)
// Wall time runs from review to the last host's verify; each host: review (dry run), pre-flight (checks +
// dry run again, one framed batch), detached install (prune + remote-op start + a follow that waits on the
// host until it finished, all in one command), verify (dpkg re-check + checks + op-dir removal in one batch;
// rescan): 5 commands over 2 connections (review; pre-flight → verify).
// Env: BENCH_HOSTS (500), BENCH_CONCURRENCY (16), BENCH_LATENCY_MS (50 per command), BENCH_JITTER_MS (0),
// BENCH_INSTALL_MS (3000: how long each simulated install runs), BENCH_POLL_MS (the engine's poll interval;
// default: the engine's own, 1 s), BENCH_PROFILES (default debian12-security), BENCH_CPU_PROF (a file: the
// measured run's CPU profile, for Chrome DevTools), BENCH_NETNS=1 (the fleet as another machine: its own
// network namespace, veth pair and CPU, test/bench/netns.ts; root only; BENCH_NETNS_RPS=fleet or 0: less
// receive steering).
// The simulator is not apt: test/rollout runs the engine against real Debian targets.
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

import type { Core } from '../../electron/core/create-core';
import type { RolloutDetail } from '../../shared/domain';
import type { RequestOf, ResponseMap } from '../../shared/ipc';
import {
  benchCore,
  fleetUp,
  inventory,
  loginKey,
  mb,
  median,
  ms,
  peakPerSecond,
  progressCounter,
  row,
} from './bench-fleet';
import { fleetProcess } from './fleet-child';
import { rolloutRunProblems } from './rollout-checks';

const N = Number(process.env.BENCH_HOSTS ?? 500);
const C = Number(process.env.BENCH_CONCURRENCY ?? 16);
const LATENCY = Number(process.env.BENCH_LATENCY_MS ?? 50);
const JITTER = Number(process.env.BENCH_JITTER_MS ?? 0);
const INSTALL_MS = Number(process.env.BENCH_INSTALL_MS ?? 3000);
const POLL_MS = process.env.BENCH_POLL_MS ? Number(process.env.BENCH_POLL_MS) : undefined;
const CPU_PROF = process.env.BENCH_CPU_PROF;
const PROFILES = process.env.BENCH_PROFILES?.split(',').filter(Boolean) ?? ['debian12-security'];
const TARGET = { wall: 1.2, cpuMs: 10, rssMb: 300, msgsPerSec: 20 };
/** What every host gets approved: both are upgrades in debian12-security (one security, one not). */
const APPROVED = ['pb-openssl', 'pb-tzdata'];
/** Hosts rolled out alone, one at a time, for the per-host time. */
const ALONE = 5;

type Channel = keyof ResponseMap;

async function call<C extends Channel>(core: Core, channel: C, req: RequestOf<C>): Promise<ResponseMap[C]> {
  const r = await core.dispatch(channel, req);
  if (!r.ok) throw new Error(`${channel}: ${r.error.message}`);
  return r.res as ResponseMap[C];
}

/** One rollout from review to its end (create is not timed: it only writes rows). */
async function rollout(core: Core, machineIds: number[], concurrency: number): Promise<RolloutDetail> {
  const created = await call(core, 'rollouts.create', {
    targets: { kind: 'machines', machineIds },
    content: { kind: 'all-approved' },
    options: { reboot: 'never', concurrency },
  });
  await call(core, 'rollouts.review', { id: created.id });
  await call(core, 'rollouts.start', { id: created.id });
  await core.services.rollouts.wait(created.id);
  return call(core, 'rollouts.get', { id: created.id });
}

async function main(): Promise<void> {
  const clientKey = loginKey();
  // Hosts: the measured N, C for the warm-up, ALONE for the per-host time; each host installs only once.
  const total = N + C + ALONE;
  const sim = fleetProcess({
    hosts: total,
    latencyMs: LATENCY,
    jitterMs: JITTER,
    authorizedKeys: [clientKey.publicKey],
    profiles: PROFILES,
    rollout: { installMs: INSTALL_MS },
  });
  // After the fleet: BENCH_NETNS=1 may exit there, with nothing to clean up yet.
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-bench-rollout-'));
  try {
    const { hosts } = await fleetUp(sim);
    const core = benchCore(work, {
      ssh: { concurrency: C },
      ...(POLL_MS ? { rollouts: { pollMs: POLL_MS } } : {}),
    });
    const ids = await inventory(core, hosts, clientKey.privateKey);
    const nameOf = new Map(ids.map((id, i) => [id, hosts[i]?.name ?? '?']));
    // A rollout needs each host's package manager from a scan, and approvals for what it has.
    const scan = await call(core, 'scan.start', { machineIds: ids });
    await core.services.scanner.wait(scan.jobId);
    await call(core, 'decisions.decide', {
      select: { names: APPROVED },
      scope: { kind: 'all' },
      decision: 'approved',
    });
    const measured = ids.slice(0, N);
    const warm = ids.slice(N, N + C);
    const aloneIds = ids.slice(N + C);

    // Warm-up (JIT, SQLite pages, connections of the pool), then one host at a time: the ideal's unit.
    await rollout(core, warm, C);
    const alone: number[] = [];
    const aloneRuns: RolloutDetail[] = [];
    for (const id of aloneIds) {
      const t = performance.now();
      aloneRuns.push(await rollout(core, [id], 1));
      alone.push(performance.now() - t);
    }
    const perHost = median(alone);

    // The measured run: progress counted as the core emits it and as a window would get it.
    const progress = progressCounter(core, 'rollout.progress');
    let peakRss = process.memoryUsage().rss;
    // The figure is the kernel's peak (getrusage) for the whole process, setup included: exact and free.
    // Sampling rss() every 50–100 ms cost 4–6% of the run's CPU on a loaded machine (profiled), so the
    // sample here is once a second, printed beside it only to show the run's own peak.
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 1000);
    const lag = monitorEventLoopDelay({ resolution: 5 });
    lag.enable();
    const countsBefore = await sim.counts();
    const profiler = CPU_PROF ? new Session() : null;
    if (profiler) {
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    }
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    const result = await rollout(core, measured, C);
    const wall = performance.now() - start;
    const cpu = process.cpuUsage(cpu0);
    if (profiler && CPU_PROF) {
      const { profile } = await profiler.post('Profiler.stop');
      fs.writeFileSync(CPU_PROF, JSON.stringify(profile));
      profiler.disconnect();
    }
    lag.disable();
    await new Promise((r) => setTimeout(r, 400)); // the batcher's and the coalescer's last messages
    clearInterval(sampler);
    progress.stop();
    const countsAfter = await sim.counts();
    // What the verify rescans left in the inventory: no approved patch may remain on a host.
    const left = core.db
      .prepare(
        `SELECT m.display_name AS name, p.name AS patch FROM machine_patches p JOIN machines m ON m.id = p.machine_id
         WHERE p.name IN (${APPROVED.map(() => '?').join(',')})`,
      )
      .all(...APPROVED) as { name: string; patch: string }[];
    const simStats = await sim.stop();
    await core.close();

    const ideal = Math.ceil(N / C) * perHost;
    const cpuPerHost = (cpu.user + cpu.system) / 1000 / N;
    const uiRate = progress.uiTimes.length / (wall / 1000);
    const uiPeak = peakPerSecond(progress.uiTimes);
    const load = os.loadavg()[0]?.toFixed(1);
    console.log(
      `\nbench:rollout N=${N} concurrency=${C} latency=${LATENCY}+${JITTER} ms install=${INSTALL_MS} ms ` +
        `poll=${POLL_MS ?? 'engine default (1000)'} ms load=${load} cpus=${os.cpus().length}`,
    );
    console.log(`  fleet: ${sim.where}`);
    console.log(
      `  one host alone (median of ${ALONE}: ${alone.map((a) => (a / 1000).toFixed(2)).join(', ')} s) ` +
        `${ms(perHost)}; ideal ⌈N/C⌉ × that = ${(ideal / 1000).toFixed(2)} s`,
    );
    row('wall time / ideal', `${(wall / 1000).toFixed(2)} s`, wall / ideal, TARGET.wall, '×');
    row(
      'CPU per host',
      `${((cpu.user + cpu.system) / 1000).toFixed(0)} ms in all (user ${(cpu.user / 1000 / N).toFixed(2)}, system ${(cpu.system / 1000 / N).toFixed(2)})`,
      cpuPerHost,
      TARGET.cpuMs,
      ' ms',
    );
    const kernelPeak = process.resourceUsage().maxRSS * 1024;
    row(
      'peak RSS',
      `kernel peak; run sampled 1/s ${mb(peakRss).toFixed(0)} MB`,
      mb(Math.max(kernelPeak, peakRss)),
      TARGET.rssMb,
      ' MB',
    );
    row(
      'UI rollout.progress per second',
      `${progress.uiTimes.length} msgs, peak ${uiPeak} in 1 s`,
      Math.max(uiRate, uiPeak),
      TARGET.msgsPerSec,
      '/s',
    );
    console.log(
      `  event-loop delay: p50 ${ms(lag.percentile(50) / 1e6)}, p99 ${ms(lag.percentile(99) / 1e6)}, max ${ms(lag.max / 1e6)}; ` +
        `commands: ${simStats.execs} answered by the simulator in the whole bench`,
    );
    console.log(
      `  rollout.progress from the core: ${progress.core} (${(progress.core / (wall / 1000)).toFixed(1)}/s); to the UI: ${progress.uiTimes.length}`,
    );
    const commands = Object.entries(countsAfter)
      .filter(([name]) => measured.some((id) => nameOf.get(id) === name))
      .map(([name, c]) => c.execs - (countsBefore[name]?.execs ?? 0));
    console.log(
      `  per host: ${median(commands)} commands (median), ${(Object.values(countsAfter).reduce((a, c) => a + c.connections, 0) / total).toFixed(1)} connections (mean over the whole bench)`,
    );
    console.log(
      `  simulator process (not counted): ${(simStats.cpuMs / 1000).toFixed(1)} s CPU, ` +
        `peak RSS ${mb(simStats.peakRss).toFixed(0)} MB, ${simStats.execs} commands, ` +
        `event-loop delay p99 ${ms(simStats.lagP99Ms)}, max ${ms(simStats.lagMaxMs)}`,
    );
    const problems = rolloutRunProblems({
      hosts: [...aloneRuns.flatMap((r) => r.hosts), ...result.hosts].map((h) => ({
        name: h.machineName,
        state: h.state,
        reason: h.reason,
        installed: h.result?.installed.map((i) => i.name) ?? [],
      })),
      expected: APPROVED,
      before: countsBefore,
      after: countsAfter,
      measured: measured.map((id) => nameOf.get(id) ?? '?'),
      left,
    });
    if (problems.length) {
      console.error(`\nbench:rollout FAILED — the measured run does not count:\n  ${problems.join('\n  ')}`);
      process.exitCode = 1;
    } else {
      console.log(
        '  checked: every host succeeded with both updates verified and gone from its rescan; one install operation each, never started twice',
      );
    }
  } finally {
    sim.kill();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
