// What the benchmarks (bench:scale, bench:rollout; bench:scan its core) share: their core, the simulated hosts
// entered into it as machines with pinned host keys, the login key, and the small statistics they print.
import ssh2 from 'ssh2';

import { type Core, type CoreOptions, createCore } from '../../electron/core/create-core';
import { silentLogger } from '../../electron/core/logger';
import { dataFiles } from '../../electron/core/paths';
import type { FleetHost } from '../../electron/demo/sim-fleet';
import { generateKey } from '../../electron/demo/sim-keys';
import { eventStream } from '../../electron/host/coalesce';
import { nodeSecretBox } from '../../electron/secrets/node-secrets';
import type { EventChannel, EventMap } from '../../shared/ipc';
import type { fleetProcess } from './fleet-child';

/** A real core (SQLite file, secret box, SSH pool) on the bench's data folder `work`, version "bench". */
export function benchCore(work: string, options: Pick<CoreOptions, 'ssh' | 'rollouts'>): Core {
  const files = dataFiles(work);
  return createCore({
    dbPath: files.db,
    secrets: nodeSecretBox(files.keyFile),
    logger: silentLogger,
    host: 'browser',
    dataDir: work,
    version: 'bench',
    ...options,
  });
}

/** Waits for the simulated fleet to be up and says how long that took. */
export async function fleetUp(sim: ReturnType<typeof fleetProcess>) {
  const t0 = performance.now();
  const ready = await sim.ready;
  console.log(
    `Simulated fleet: ${ready.hosts.length} hosts (${ready.mode}) up in ${Math.round(performance.now() - t0)} ms; ${sim.where}`,
  );
  return ready;
}

/**
 * Counts the core's `progress` events as it emits them and as a window would get them (after the host's
 * coalescing, eventStream): `core` is the count, `uiTimes` when each reached the window. `stop` ends both.
 */
export function progressCounter(core: Core, progress: EventChannel) {
  const counter = { core: 0, uiTimes: [] as number[], stop: () => {} };
  const ui = eventStream((channel) => {
    if (channel === progress) counter.uiTimes.push(performance.now());
  });
  const off = core.subscribe((channel, payload) => {
    if (channel === progress) counter.core++;
    ui.push(channel as EventChannel, payload as EventMap[EventChannel]);
  });
  counter.stop = () => {
    off();
    ui.stop();
  };
  return counter;
}

/** One credential and a machine per simulated host, host keys pinned (as after the user trusted them). */
export async function inventory(
  core: Core,
  hosts: FleetHost[],
  privateKey: string,
  passphrase?: string,
): Promise<number[]> {
  const secrets = passphrase ? { privateKey, passphrase } : { privateKey };
  const cred = await core.handlers['credentials.create']({
    credential: { name: 'bench', kind: 'ssh-key', keyPath: '', secrets },
  });
  const ids: number[] = [];
  for (const h of hosts) {
    const machine = { displayName: h.name, address: h.address, port: h.port, transport: 'ssh' as const };
    const m = await core.handlers['machines.create']({
      machine: {
        ...machine,
        username: 'patch',
        credentialId: cred.id,
        tags: [],
        client: '',
        site: '',
        notes: '',
        proxyJump: '',
      },
    });
    ids.push(m.id);
    core.repos.hostKeys.pin({
      address: h.address,
      port: h.port,
      ...h.hostKey,
      trustedAt: Date.now(),
      source: 'user',
    });
  }
  return ids;
}

/** The login key: the simulator's usual ed25519 key, or one encrypted with `passphrase`. */
export function loginKey(passphrase?: string): { publicKey: string; privateKey: string } {
  if (!passphrase) return generateKey();
  const pair = ssh2.utils.generateKeyPairSync('ed25519', {
    passphrase,
    cipher: 'aes256-ctr',
    rounds: 16,
  });
  return { publicKey: pair.public, privateKey: pair.private };
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
/** The q-quantile of xs (NaN when empty). */
export const pct = (xs: number[], q: number) =>
  sorted(xs)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;
/** The median of xs. */
export const median = (xs: number[]) => pct(xs, 0.5);
/** Bytes in MiB. */
export const mb = (b: number) => b / (1 << 20);
/** A duration for the report. */
export const ms = (x: number) => `${x.toFixed(1)} ms`;

/** The most events in any one second, from their times (ms). */
export const peakPerSecond = (times: number[]) =>
  Math.max(0, ...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length));

/** Prints one figure of the result table: measured against its target. */
export function row(label: string, value: string, measured: number, target: number, unit: string): void {
  console.log(
    `  ${label.padEnd(30)} ${value.padEnd(30)} ${`${measured.toFixed(2)}${unit}`.padStart(9)} ` +
      `(target ≤ ${target}${unit}, ${(measured / target).toFixed(2)} of it)  ${measured <= target ? 'ok' : 'MISSED'}`,
  );
}
