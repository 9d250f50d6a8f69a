// `npm run bench:scale` (tsx test/bench/scale.ts): scans a simulated fleet (test/sim, electron/demo/sim-*)
// of 1,000 hosts with 100 ms of latency per command and checks how Patchbay's core scales:
//   wall time      ≤ 1.2 × ⌈N / concurrency⌉ × (one host scanned alone, measured in the same run)
//   CPU per host   ≤ 5 ms (this process only: the simulator runs in a child process)
//   peak RSS       ≤ 300 MB (sampled every 50 ms)
//   UI messages    ≤ 20/s scan.progress after the core's batching and the host's coalescing (eventStream)
// Env: BENCH_HOSTS (1000), BENCH_LATENCY_MS (100), BENCH_JITTER_MS (0: extra random 0..n ms per command),
// BENCH_CONCURRENCY (16), BENCH_PROFILES (ids, comma-separated), BENCH_KEY_PASSPHRASE (log in with an
// encrypted OpenSSH key).
// The simulator is not a real host: test/bench/scan.ts measures against real Debian targets.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { PROFILES as ALL_PROFILES, usableProfiles } from '../../electron/demo/sim-profiles';
import { openSession } from '../../electron/ssh/session';
import type { SessionOptions, SshSession, SshTarget } from '../../electron/ssh/types';
import {
  benchCore,
  fleetUp,
  inventory,
  loginKey,
  mb,
  median,
  ms,
  pct,
  peakPerSecond,
  progressCounter,
  row,
} from './bench-fleet';
import { fleetProcess } from './fleet-child';
import { type HostOutcome, scaleRunProblems } from './scale-checks';

const N = Number(process.env.BENCH_HOSTS ?? 1000);
const LATENCY = Number(process.env.BENCH_LATENCY_MS ?? 100);
const C = Number(process.env.BENCH_CONCURRENCY ?? 16);
const JITTER = Number(process.env.BENCH_JITTER_MS ?? 0);
const PROFILES = process.env.BENCH_PROFILES?.split(',').filter(Boolean);
// Log in with an OpenSSH key encrypted with this passphrase (bcrypt, 16 rounds as ssh-keygen makes it).
const PASSPHRASE = process.env.BENCH_KEY_PASSPHRASE;
const TARGET = { wall: 1.2, cpuMs: 5, rssMb: 300, msgsPerSec: 20 };

/** Connect and command times through the pool's `open` hook: where a slow host-scan spends its time. */
const timing = { connect: [] as number[], exec: [] as number[] };
async function timedOpen(target: SshTarget, options: SessionOptions): Promise<SshSession> {
  const t = performance.now();
  const session = await openSession(target, options);
  timing.connect.push(performance.now() - t);
  return {
    hostKey: session.hostKey,
    close: session.close,
    exec: async (command, o) => {
      const e = performance.now();
      try {
        return await session.exec(command, o);
      } finally {
        timing.exec.push(performance.now() - e);
      }
    },
  };
}

async function main(): Promise<void> {
  const clientKey = loginKey(PASSPHRASE);
  const sim = fleetProcess({
    hosts: N,
    latencyMs: LATENCY,
    jitterMs: JITTER,
    authorizedKeys: [clientKey.publicKey],
    ...(PROFILES ? { profiles: PROFILES } : {}),
  });
  // After the fleet: BENCH_NETNS=1 may exit there, with nothing to clean up yet.
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-bench-scale-'));
  try {
    const { hosts } = await fleetUp(sim);
    const core = benchCore(work, { ssh: { concurrency: C, open: timedOpen } });
    const ids = await inventory(core, hosts, clientKey.privateKey, PASSPHRASE);
    const profileOf = new Map(hosts.map((h) => [h.name, h.profile]));
    const scan = async (machineIds: number[]) => {
      const r = await core.dispatch('scan.start', { machineIds });
      if (!r.ok) throw new Error(r.error.message);
      await core.services.scanner.wait((r.res as { jobId: string }).jobId);
    };

    // Warm-up (JIT, SQLite pages), then one host at a time: the per-host time the ideal is built from.
    await scan(ids.slice(0, 2 * C));
    const alone: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t = performance.now();
      await scan([ids[(i * 37) % ids.length] as number]);
      alone.push(performance.now() - t);
    }
    const perHost = median(alone);
    const aloneSplit = [median(timing.connect.slice(-15)), median(timing.exec.slice(-15))];
    timing.connect.length = 0;
    timing.exec.length = 0;

    // The measured run: every host; progress counted as the core emits it and as a window would get it.
    const progress = progressCounter(core, 'scan.progress');
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    const lag = monitorEventLoopDelay({ resolution: 5 });
    lag.enable();
    const countsBefore = await sim.counts();
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    await scan(ids);
    const wall = performance.now() - start;
    const cpu = process.cpuUsage(cpu0);
    lag.disable();
    await new Promise((r) => setTimeout(r, 250)); // the coalescer's last batch
    clearInterval(sampler);
    progress.stop();
    const countsAfter = await sim.counts();
    const outcomes = (
      core.db
        .prepare(
          `SELECT m.display_name AS name, r.status, r.error_kind AS errorKind FROM scan_results r
           JOIN machines m ON m.id = r.machine_id WHERE r.run_id = (SELECT MAX(id) FROM scan_runs)`,
        )
        .all() as Omit<HostOutcome, 'profile'>[]
    ).map((o) => ({ ...o, profile: profileOf.get(o.name) ?? '?' }));
    const failed = { n: outcomes.filter((o) => o.status !== 'ok').length };
    const simStats = await sim.stop();
    await core.close();

    const ideal = Math.ceil(N / C) * perHost;
    const cpuPerHost = (cpu.user + cpu.system) / 1000 / N;
    const uiRate = progress.uiTimes.length / (wall / 1000);
    const uiPeak = peakPerSecond(progress.uiTimes);
    const load = os.loadavg()[0]?.toFixed(1);
    console.log(
      `\nbench:scale N=${N} concurrency=${C} latency=${LATENCY}+${JITTER} ms failed=${failed.n} load=${load}`,
    );
    console.log(
      `  one host alone (median of 15)  ${ms(perHost)}; ideal ⌈N/C⌉ × that = ${(ideal / 1000).toFixed(2)} s`,
    );
    row('wall time / ideal', `${(wall / 1000).toFixed(2)} s`, wall / ideal, TARGET.wall, '×');
    row(
      'CPU per host-scan',
      `${((cpu.user + cpu.system) / 1000).toFixed(0)} ms in all`,
      cpuPerHost,
      TARGET.cpuMs,
      ' ms',
    );
    row('peak RSS', 'sampled every 50 ms', mb(peakRss), TARGET.rssMb, ' MB');
    row(
      'UI scan.progress per second',
      `${progress.uiTimes.length} msgs, peak ${uiPeak} in 1 s`,
      Math.max(uiRate, uiPeak),
      TARGET.msgsPerSec,
      '/s',
    );
    console.log(
      `  connect / exec median: alone ${ms(aloneSplit[0] ?? NaN)} / ${ms(aloneSplit[1] ?? NaN)}, full run ` +
        `${ms(median(timing.connect))} / ${ms(median(timing.exec))} (p90 ${ms(pct(timing.connect, 0.9))} / ${ms(pct(timing.exec, 0.9))})`,
    );
    console.log(
      `  event-loop delay: p50 ${ms(lag.percentile(50) / 1e6)}, p99 ${ms(lag.percentile(99) / 1e6)}, max ${ms(lag.max / 1e6)}; ` +
        `kernel peak RSS of this process ${mb(process.resourceUsage().maxRSS * 1024).toFixed(0)} MB`,
    );
    console.log(
      `  scan.progress from the core: ${progress.core} (${(progress.core / (wall / 1000)).toFixed(1)}/s); to the UI: ${progress.uiTimes.length}`,
    );
    console.log(
      `  simulator process (not counted): ${(simStats.cpuMs / 1000).toFixed(1)} s CPU, ` +
        `peak RSS ${mb(simStats.peakRss).toFixed(0)} MB, ${simStats.execs} commands, ` +
        `event-loop delay p99 ${ms(simStats.lagP99Ms)}, max ${ms(simStats.lagMaxMs)}`,
    );
    const usable = new Set(usableProfiles().map((p) => p.id));
    const problems = scaleRunProblems({
      outcomes,
      hosts: hosts.map((h) => h.name),
      failingProfiles: new Set(ALL_PROFILES.map((p) => p.id).filter((id) => !usable.has(id))),
      before: countsBefore,
      after: countsAfter,
    });
    if (problems.length) {
      console.error(`\nbench:scale FAILED — the measured run does not count:\n  ${problems.join('\n  ')}`);
      process.exitCode = 1;
    } else {
      console.log(`  checked: every host ended as expected, with one connection and one command each`);
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
