// `tsx test/bench/handshakes.ts`: does moving SSH handshakes off the main event loop (worker threads)
// bring a 1,000-host scan closer to ⌈N / C⌉ × one host alone? Same fleet (a child process), same total
// concurrency C, interleaved rounds: every connection and command in the main thread, or spread over
// BENCH_WORKERS worker threads with the main thread only parsing the outputs (as the core would, besides
// storing them). Reports wall / ideal for both; no target, it decides whether workers are worth building.
// Env: BENCH_HOSTS (1000), BENCH_LATENCY_MS (100), BENCH_CONCURRENCY (16), BENCH_WORKERS (2), BENCH_ROUNDS (3).
import path from 'node:path';
import { Worker } from 'node:worker_threads';

import { generateKey } from '../../electron/demo/sim-keys';
import { parseFindings } from '../../electron/platforms/findings';
import { fleetProcess } from './fleet-child';
import { collectOne, type WorkerJob, type WorkerReply } from './handshake-worker';

const N = Number(process.env.BENCH_HOSTS ?? 1000);
const LATENCY = Number(process.env.BENCH_LATENCY_MS ?? 100);
const C = Number(process.env.BENCH_CONCURRENCY ?? 16);
const W = Number(process.env.BENCH_WORKERS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const key = generateKey();
  const sim = fleetProcess({ hosts: N, latencyMs: LATENCY, authorizedKeys: [key.publicKey] });
  const workers = Array.from(
    { length: W },
    () => new Worker(path.join(import.meta.dirname, 'handshake-worker-boot.mjs')),
  );
  try {
    const { hosts } = await sim.ready;
    let failures = 0;
    const parse = (stdout: Uint8Array) => parseFindings(Buffer.from(stdout));

    const inMain = async () => {
      let next = 0;
      const lane = async () => {
        while (next < hosts.length) {
          const h = hosts[next++];
          if (!h) break;
          try {
            parse(await collectOne(h, key.privateKey));
          } catch {
            failures++;
          }
        }
      };
      await Promise.all(Array.from({ length: C }, lane));
    };
    const inWorkers = () =>
      new Promise<void>((resolve) => {
        let left = hosts.length;
        workers.forEach((w, i) => {
          const onMessage = (r: WorkerReply) => {
            if ('error' in r) failures++;
            else parse(r.stdout);
            if (--left === 0) {
              for (const x of workers) x.removeAllListeners('message');
              resolve();
            }
          };
          w.on('message', onMessage);
          const job: WorkerJob = {
            hosts: hosts.filter((_, k) => k % W === i),
            privateKey: key.privateKey,
            concurrency: Math.ceil(C / W),
          };
          w.postMessage(job);
        });
      });

    // Warm-up of both paths (JIT, worker start-up), then one host at a time for the ideal.
    await inMain();
    await inWorkers();
    const alone: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t = performance.now();
      parse(await collectOne(hosts[(i * 37) % hosts.length] ?? hosts[0]!, key.privateKey));
      alone.push(performance.now() - t);
    }
    const ideal = Math.ceil(N / C) * median(alone);
    const ratios = { main: [] as number[], workers: [] as number[] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const [mode, run] of [
        ['main', inMain],
        ['workers', inWorkers],
      ] as const) {
        const t = performance.now();
        await run();
        ratios[mode].push((performance.now() - t) / ideal);
      }
    }
    console.log(
      `bench:handshakes N=${N} C=${C} latency=${LATENCY} ms workers=${W} rounds=${ROUNDS} failures=${failures}\n` +
        `  one host alone ${median(alone).toFixed(1)} ms; ideal ${(ideal / 1000).toFixed(2)} s\n` +
        `  wall / ideal, all in the main thread: ${ratios.main.map((x) => x.toFixed(2)).join(' ')} (median ${median(ratios.main).toFixed(2)}×)\n` +
        `  wall / ideal, SSH in ${W} worker threads: ${ratios.workers.map((x) => x.toFixed(2)).join(' ')} (median ${median(ratios.workers).toFixed(2)}×)`,
    );
    if (failures > 0) process.exitCode = 1;
    await sim.stop();
  } finally {
    for (const w of workers) void w.terminate();
    sim.kill();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
