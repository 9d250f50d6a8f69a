// `npm run bench:ssh` (tsx test/bench/ssh-cpu.ts): the CPU this process spends per SSH connection and per
// command, against the fleet simulator in a child process (its CPU is not ours). Two measures, in rounds:
//   per connection  connect, log in (ed25519 key, pinned host key), one plain command, close — N times
//   per command     M root commands (sudo wrapper + the host's time limit, as a rollout sends them: the
//                   list-refresh script, a cancel signal on the session and on the command) over C sessions
//                   opened before the round, one command at a time per session
// Every round runs both measures with this tree's transport and with a baseline tree's (BENCH_BASELINE, a
// worktree with its own node_modules; default /work/main, "none" for this tree only), interleaved, so a
// noisy machine weighs on both alike: compare the ratios, not the absolute figures.
// BENCH_KEX=1 adds, per key-exchange algorithm ssh2 offers, the CPU of one connection made with ssh2's
// Client directly (this tree's ssh2, only that algorithm offered): what choosing it would cost.
// Env: BENCH_CONNECTIONS (300), BENCH_COMMANDS (1000), BENCH_CONCURRENCY (8), BENCH_ROUNDS (5),
// BENCH_BASELINE, BENCH_KEX, BENCH_CPU_PROF (a file: this tree's rounds' CPU profile, for Chrome DevTools).
import { setMaxListeners } from 'node:events';
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';

import type { FleetHost } from '../../electron/demo/sim-fleet';
import { REFRESH_SCRIPT } from '../../electron/platforms/adapters';
import type { HostKeyStore, PinnedHostKey } from '../../electron/ssh/host-keys';
import type { SessionOptions, SshSession, SshTarget } from '../../electron/ssh/types';
import { loginKey, median } from './bench-fleet';
import { fleetProcess } from './fleet-child';
import { kexCpu } from './ssh-kex';

const N = Number(process.env.BENCH_CONNECTIONS ?? 300);
const M = Number(process.env.BENCH_COMMANDS ?? 1000);
const C = Number(process.env.BENCH_CONCURRENCY ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BASELINE = process.env.BENCH_BASELINE ?? '/work/main';
const CPU_PROF = process.env.BENCH_CPU_PROF;
const HOSTS = 64;

/** The parts of a tree's transport the bench drives. */
interface Transport {
  name: string;
  openSession(target: SshTarget, options: SessionOptions): Promise<SshSession>;
  memoryHostKeyStore(initial: PinnedHostKey[]): HostKeyStore;
}

async function transportOf(name: string, root: string): Promise<Transport> {
  const session = (await import(path.join(root, 'electron/ssh/session.ts'))) as Pick<
    Transport,
    'openSession'
  >;
  const keys = (await import(path.join(root, 'electron/ssh/host-keys.ts'))) as Pick<
    Transport,
    'memoryHostKeyStore'
  >;
  return { name, openSession: session.openSession, memoryHostKeyStore: keys.memoryHostKeyStore };
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const idle = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quiet = { info: () => {}, error: () => {} };

async function main(): Promise<void> {
  const key = loginKey();
  const sim = fleetProcess({ hosts: HOSTS, latencyMs: 0, authorizedKeys: [key.publicKey] });
  try {
    const { hosts } = await sim.ready;
    const pinned = hosts.map((h): PinnedHostKey => ({
      address: h.address,
      port: h.port,
      ...h.hostKey,
      trustedAt: 0,
      source: 'user',
    }));
    const trees = [await transportOf('branch', path.join(import.meta.dirname, '..', '..'))];
    if (BASELINE !== 'none') trees.push(await transportOf('baseline', BASELINE));
    // One auth object per tree for the whole run, as the core keeps one per credential and job.
    const setups = trees.map((t) => ({
      t,
      auth: { privateKey: key.privateKey },
      // One store per host, as the core's SQLite store answers for one endpoint.
      stores: new Map(hosts.map((h, i) => [h.name, t.memoryHostKeyStore([pinned[i] as PinnedHostKey])])),
    }));
    type Setup = (typeof setups)[number];
    // One cancel signal for every session and command, as a job has: more listeners than Node's default 10.
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    let failures = 0;
    const open = (s: Setup, h: FleetHost) =>
      s.t.openSession(
        { name: h.name, address: h.address, port: h.port, username: 'patch', auth: s.auth },
        {
          hostKeys: s.stores.get(h.name) as HostKeyStore,
          hostKeyPolicy: 'pinned-only',
          logger: quiet,
          signal: controller.signal,
        },
      );

    const connections = async (s: Setup) => {
      let next = 0;
      const lane = async () => {
        while (next < N) {
          const h = hosts[next++ % hosts.length] as FleetHost;
          try {
            const session = await open(s, h);
            const r = await session.exec('exit 0', { signal: controller.signal });
            if (r.code !== 0) failures++;
            session.close();
          } catch {
            failures++;
          }
        }
      };
      await Promise.all(Array.from({ length: C }, lane));
    };
    const commands = async (s: Setup) => {
      const sessions = await Promise.all(hosts.slice(0, C).map((h) => open(s, h)));
      await idle(50);
      const before = cpuMs();
      let next = 0;
      await Promise.all(
        sessions.map(async (session) => {
          while (next++ < M) {
            try {
              const r = await session.exec(REFRESH_SCRIPT, {
                asRoot: true,
                timeoutMs: 60_000,
                signal: controller.signal,
              });
              if (r.code !== 0) failures++;
            } catch {
              failures++;
            }
          }
        }),
      );
      const spent = cpuMs() - before;
      for (const session of sessions) session.close();
      return spent;
    };
    const measure = async (s: Setup) => {
      await idle(100);
      const before = cpuMs();
      await connections(s);
      // Let the closes finish: their CPU belongs to the connections.
      await idle(100);
      const perConnection = (cpuMs() - before) / N;
      const perCommand = (await commands(s)) / M;
      await idle(100);
      return { perConnection, perCommand };
    };

    // Warm-up (JIT, key preparation), then interleaved rounds.
    for (const s of setups) await measure(s);
    const profiler = CPU_PROF ? new Session() : null;
    if (profiler) {
      profiler.connect();
      await profiler.post('Profiler.enable');
    }
    const results = new Map(
      setups.map((s) => [s.t.name, [] as { perConnection: number; perCommand: number }[]]),
    );
    for (let r = 0; r < ROUNDS; r++) {
      for (const s of r % 2 ? [...setups].reverse() : setups) {
        if (profiler && s.t.name === 'branch') await profiler.post('Profiler.start');
        results.get(s.t.name)?.push(await measure(s));
        if (profiler && s.t.name === 'branch') {
          const { profile } = await profiler.post('Profiler.stop');
          if (CPU_PROF) fs.writeFileSync(CPU_PROF, JSON.stringify(profile));
        }
      }
    }
    console.log(
      `bench:ssh N=${N} connections, M=${M} commands, C=${C}, rounds=${ROUNDS}, failures=${failures}`,
    );
    const list = (xs: number[]) => xs.map((x) => x.toFixed(3)).join(' ');
    for (const [name, rs] of results) {
      const conn = rs.map((x) => x.perConnection);
      const cmd = rs.map((x) => x.perCommand);
      console.log(
        `  ${name.padEnd(8)} CPU per connection ms: ${list(conn)} (median ${median(conn).toFixed(3)})`,
      );
      console.log(
        `  ${name.padEnd(8)} CPU per command ms:    ${list(cmd)} (median ${median(cmd).toFixed(3)})`,
      );
    }
    const branch = results.get('branch') ?? [];
    const base = results.get('baseline');
    if (base) {
      const ratio = (pick: (x: { perConnection: number; perCommand: number }) => number) =>
        list(branch.map((b, i) => pick(b) / pick(base[i] ?? b)));
      console.log(`  branch / baseline per round, connection: ${ratio((x) => x.perConnection)}`);
      console.log(`  branch / baseline per round, command:    ${ratio((x) => x.perCommand)}`);
    }
    if (process.env.BENCH_KEX) await kexCpu(hosts, pinned, key.privateKey, Math.min(N, 200), C);
    if (failures > 0) process.exitCode = 1;
    controller.abort();
    await sim.stop();
  } finally {
    sim.kill();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
