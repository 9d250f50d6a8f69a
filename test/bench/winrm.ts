// `npm run bench:winrm` (tsx test/bench/winrm.ts): scans N simulated Windows hosts over WinRM HTTP (NTLMv2,
// sealed bodies, one kept-alive connection per host) through the normal scan job, and checks:
//   wall time      ≤ 1.2 × ⌈N / concurrency⌉ × (one host scanned alone, measured in the same run)
//   CPU per host   ≤ 10 ms (this process only: the simulators run in a child process)
// and that every host was scanned once, on one connection with one NTLM handshake, its shell deleted.
// Env: BENCH_HOSTS (200), BENCH_LATENCY_MS (100: the WUA search's time on each host), BENCH_CONCURRENCY (16,
// the app's default), BENCH_ROUNDS (3: the ratio is the median of the rounds, each with its own baseline).
// The simulator is not Windows: what it is faithful to is in test/winrm-sim/README.md.
import { type ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Core } from '../../electron/core/create-core';
import { DEFAULT_SCAN_CONCURRENCY } from '../../electron/core/scan-settings';
import { benchCore, median, ms, row } from './bench-fleet';
import { lateMs, loopDelay } from './loop-delay';
import type { WinrmFleetReply, WinrmFleetRequest, WinrmHostStats } from './winrm-fleet';

const N = Number(process.env.BENCH_HOSTS ?? 200);
const LATENCY = Number(process.env.BENCH_LATENCY_MS ?? 100);
const C = Number(process.env.BENCH_CONCURRENCY ?? DEFAULT_SCAN_CONCURRENCY);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const TARGET = { wall: 1.2, cpuMs: 10 };
const USER = 'Technician';
const PASSWORD = 'bench-Pässword-1';

function fleet() {
  const child: ChildProcess = fork(path.join(import.meta.dirname, 'winrm-fleet.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const request = <T extends WinrmFleetReply['type']>(m: WinrmFleetRequest, type: T) =>
    new Promise<Extract<WinrmFleetReply, { type: T }>>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`simulator process exited (${code})`));
      child.once('exit', onExit);
      child.once('message', (r: WinrmFleetReply) => {
        child.off('exit', onExit);
        if (r.type === type) resolve(r as Extract<WinrmFleetReply, { type: T }>);
        else reject(new Error(r.type === 'error' ? r.message : `unexpected ${r.type}`));
      });
      child.send(m);
    });
  return {
    start: () =>
      request({ type: 'start', hosts: N, latencyMs: LATENCY, user: USER, password: PASSWORD }, 'ready'),
    stats: () => request({ type: 'stats' }, 'stats'),
    stop: () => request({ type: 'stop' }, 'stopped'),
    kill: () => child.kill(),
  };
}

async function call<T>(core: Core, channel: string, req: unknown): Promise<T> {
  const r = await core.dispatch(channel as never, req as never);
  if (!r.ok) throw new Error(`${channel}: ${r.error.message}`);
  return r.res as T;
}

/** Scans the machines as one job; resolves with its wall time. */
async function scan(core: Core, machineIds: number[]): Promise<number> {
  const t = performance.now();
  const { jobId } = await call<{ jobId: string }>(core, 'scan.start', { machineIds });
  await core.services.scanner.wait(jobId);
  return performance.now() - t;
}

/** What is wrong with the measured run, host by host (empty when every host was scanned as it should). */
function problems(before: WinrmHostStats[], after: WinrmHostStats[]): string[] {
  const out: string[] = [];
  after.forEach((a, i) => {
    const b = before[i];
    if (!b) return;
    const d = {
      connections: a.connections - b.connections,
      handshakes: a.handshakes - b.handshakes,
      scans: a.scans - b.scans,
    };
    if (d.connections !== 1 || d.handshakes !== 1 || d.scans !== 1 || a.openShells !== 0) {
      out.push(`port ${a.port} (${a.profile}): ${JSON.stringify({ ...d, openShells: a.openShells })}`);
    }
  });
  return out;
}

/** One measured round: its own baseline (one host alone, 3 times before and 3 after) and the full scan. */
interface Round {
  alone: number;
  wall: number;
  ideal: number;
  cpuPerHost: number;
  busy: number;
  loop: { p50: number; p99: number };
  simCpuPerHost: number;
  simLoop: { p50: number; p99: number };
  requestsPerHost: number;
  problems: string[];
}

/**
 * The baseline is taken right before and right after the full scan, not once for the whole bench: on a shared
 * machine the load drifts within seconds, and a baseline from a quiet or a busy moment alone skews the ratio.
 */
async function round(core: Core, sim: ReturnType<typeof fleet>, ids: number[]): Promise<Round> {
  const singles = async () => [
    await scan(core, ids.slice(1, 2)),
    await scan(core, ids.slice(2, 3)),
    await scan(core, ids.slice(3, 4)),
  ];
  const aloneBefore = await singles();
  const { hosts: before, cpuMs: simCpu0 } = await sim.stats();
  const loop = loopDelay();
  const pool = core.ssh.pool;
  const busy = { sum: 0, n: 0 };
  const sampler = setInterval(() => {
    busy.sum += pool.stats().active;
    busy.n++;
  }, 5);
  loop.enable();
  const cpu0 = process.cpuUsage();
  const wall = await scan(core, ids);
  const cpu = process.cpuUsage(cpu0);
  loop.disable();
  clearInterval(sampler);
  const { hosts: after, cpuMs: simCpu1, loop: simLoop } = await sim.stats();
  const alone = median([...aloneBefore, ...(await singles())]);
  const requests = after.reduce((sum, a, i) => sum + a.requests - (before[i]?.requests ?? 0), 0);
  return {
    alone,
    wall,
    ideal: Math.ceil(N / C) * alone,
    cpuPerHost: (cpu.user + cpu.system) / 1000 / N,
    busy: busy.sum / Math.max(1, busy.n),
    loop: lateMs(loop),
    simCpuPerHost: (simCpu1 - simCpu0) / N,
    simLoop,
    requestsPerHost: requests / N,
    problems: problems(before, after),
  };
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-bench-winrm-'));
  const sim = fleet();
  let core: Core | null = null;
  try {
    const t0 = performance.now();
    const { hosts } = await sim.start();
    console.log(
      `Simulated Windows fleet: ${hosts.length} WinRM hosts up in ${Math.round(performance.now() - t0)} ms`,
    );
    core = benchCore(work, { ssh: { concurrency: C } });
    const cred = await call<{ id: number }>(core, 'credentials.create', {
      credential: {
        name: 'bench winrm',
        kind: 'winrm-password',
        keyPath: '',
        secrets: { password: PASSWORD },
      },
    });
    const ids: number[] = [];
    for (const [i, h] of hosts.entries()) {
      const m = await call<{ id: number }>(core, 'machines.create', {
        machine: {
          displayName: `win-${String(i).padStart(4, '0')}`,
          address: '127.0.0.1',
          port: h.port,
          transport: 'winrm',
          username: USER,
          credentialId: cred.id,
          tags: [],
          client: '',
          site: '',
          notes: '',
          proxyJump: '',
        },
      });
      ids.push(m.id);
    }
    // Warm up (JIT, SQLite pages) on a host the runs scan again.
    await scan(core, ids.slice(0, 1));
    const rounds: Round[] = [];
    for (let r = 0; r < ROUNDS; r++) rounds.push(await round(core, sim, ids));
    const summary = await call<{ scanned: number; failedLastScan: number }>(core, 'machines.summary', {});
    console.log(
      `\nbench:winrm — ${N} hosts, concurrency ${C}, ${LATENCY} ms WUA search per host, ${ROUNDS} rounds`,
    );
    for (const [i, r] of rounds.entries()) {
      console.log(
        `  round ${i + 1}: alone ${ms(r.alone)} (median of 3 before + 3 after), wall ${ms(r.wall)} = ` +
          `${(r.wall / r.ideal).toFixed(2)}× ideal; CPU/host ${ms(r.cpuPerHost)}; connections in use ` +
          `${r.busy.toFixed(1)} of ${C}; event-loop delay p50/p99 ${ms(r.loop.p50)} / ${ms(r.loop.p99)}; ` +
          `simulators (not counted): CPU/host ${ms(r.simCpuPerHost)}, event-loop delay p50/p99 ` +
          `${ms(r.simLoop.p50)} / ${ms(r.simLoop.p99)}; HTTP requests/host ${r.requestsPerHost.toFixed(1)}`,
      );
    }
    const ratios = rounds.map((r) => r.wall / r.ideal);
    const cpuPerHost = median(rounds.map((r) => r.cpuPerHost));
    const ratio = median(ratios);
    row(
      'wall time / ideal (median of rounds)',
      `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×`,
      ratio,
      TARGET.wall,
      '×',
    );
    row('CPU per host (this process)', `${ms(cpuPerHost)}`, cpuPerHost, TARGET.cpuMs, ' ms');
    console.log(`  hosts scanned ok: ${summary.scanned - summary.failedLastScan} of ${N}`);
    const bad = rounds.flatMap((r, i) => r.problems.map((p) => `round ${i + 1}: ${p}`));
    if (summary.failedLastScan > 0) bad.push(`${summary.failedLastScan} hosts failed their scan`);
    if (bad.length > 0) {
      console.error(`\nbench:winrm: ${bad.length} problems:\n  ${bad.slice(0, 20).join('\n  ')}`);
      process.exitCode = 1;
    }
  } finally {
    await core?.close();
    const stopped = await sim.stop().catch(() => null);
    if (stopped)
      console.log(`  simulator process CPU (for scale, not counted): ${Math.round(stopped.cpuMs)} ms`);
    sim.kill();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
