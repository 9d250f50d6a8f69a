// THE FLEET SIMULATOR: many simulated SSH hosts in one Node process, on this machine only. Each host has its
// own address (127.B.x.y) or port, its own ed25519 host key and a platform profile captured from a real
// machine. For scale, UI load, fault injection and demo mode; the real-target tests stay the ground truth.
import os from 'node:os';
import path from 'node:path';

import { type SimAuth, type SimFault, type SimHost, startSimHost } from './sim-host';
import { generateKey, hostKeyCache, type SimKey } from './sim-keys';
import { profileById, type SimProfile, usableProfiles } from './sim-profiles';
import type { SimRolloutOptions } from './sim-rollout';
import { isWindowsProfile, windowsSimProfile } from './sim-windows';

/** How a fleet is laid out and how it behaves. */
export interface FleetOptions {
  hosts: number;
  /** Host names by index (default `sim-0001`…): also the host-key cache key. */
  name?: (index: number) => string;
  /**
   * Which profile each host replays: a list of ids used in turn, a weight per id, or a function of the
   * index. Default: every usable profile (usableProfiles()) in turn.
   */
  profiles?: string[] | Record<string, number> | ((index: number, name: string) => string);
  /** Delay before a command's output, per host or one for all (default 0). */
  latencyMs?: number | ((index: number, name: string) => number);
  /** Extra random delay per command, 0 to this many ms (default 0). */
  jitterMs?: number;
  /** Faults by host name, present from the start. */
  faults?: Record<string, SimFault>;
  /** How simulated installs behave on every host (sim-rollout.ts), and per host name on top of that. */
  rollout?: SimRolloutOptions & { hosts?: Record<string, SimRolloutOptions> };
  /** Client public keys accepted for any user. Without them a client key is made: see Fleet.clientKey. */
  authorizedKeys?: string[];
  password?: string;
  /**
   * `addresses`: each host on its own 127.B.x.y at `port`; `ports`: all on 127.0.0.1, one free port
   * each; `auto` (default): addresses, or ports where the OS has only 127.0.0.1 (macOS).
   */
  addressing?: 'auto' | 'addresses' | 'ports';
  /**
   * The one address every host listens on in `ports` mode (default 127.0.0.1). Benchmarks give the
   * address of a network namespace of their own (test/bench/netns.ts), so the fleet is another machine.
   */
  portsAddress?: string;
  /** Port in `addresses` mode (default 2222); a host whose port is taken gets a free one. */
  port?: number;
  /** Second octet of the hosts' addresses (default: picked per process); keep clear of test/targets' 127.0.*. */
  block?: number;
  /** JSON file caching host keys by name; null keeps them in memory. Default: a file in the temp dir. */
  keyCache?: string | null;
  /** Start epoch ms for uptimes; each host gets a deterministic spread of up to 90 days before it. */
  now?: number;
}

/** A simulated host as a client sees it. */
export interface FleetHost {
  name: string;
  address: string;
  port: number;
  profile: string;
  /** The host key it serves now. */
  hostKey: { keyType: string; key: string; fingerprint: string };
  fingerprint: string;
}

/** What one simulated host has served: connections accepted and commands answered. */
export interface HostCounts {
  connections: number;
  execs: number;
  /** Install operations started (remote-op start of a new id). */
  installs?: number;
  /** Starts of an operation that had already started (answered `already-started`, nothing run). */
  secondStarts?: number;
}

/** Default location of the host-key cache. */
export const DEFAULT_KEY_CACHE = path.join(os.tmpdir(), 'patchbay-sim-cache', 'host-keys.json');

let fleets = 0;

const pad = (i: number) => String(i + 1).padStart(4, '0');

/** A captured profile, or one of the demo's Windows ones (sim-windows.ts). */
const byId = (id: string): SimProfile => (isWindowsProfile(id) ? windowsSimProfile(id) : profileById(id));

function profilePicker(spec: FleetOptions['profiles']): (i: number, name: string) => SimProfile {
  if (typeof spec === 'function') return (i, name) => byId(spec(i, name));
  if (Array.isArray(spec)) {
    const list = spec.map(byId);
    if (list.length === 0) throw new Error('simulator: empty profile list');
    return (i) => list[i % list.length] as SimProfile;
  }
  if (spec) {
    // Weighted, but deterministic: host i takes the profile whose cumulative share covers i's slot.
    const entries = Object.entries(spec).filter(([, w]) => w > 0);
    const total = entries.reduce((a, [, w]) => a + w, 0);
    const profiles = entries.map(([id]) => byId(id));
    return (i) => {
      let slot = ((i * 0.6180339887) % 1) * total;
      for (const [k, [, w]] of entries.entries()) {
        if (slot < w) return profiles[k] as SimProfile;
        slot -= w;
      }
      return profiles[profiles.length - 1] as SimProfile;
    };
  }
  const all = usableProfiles();
  if (all.length === 0) throw new Error('simulator: no profiles (run test/sim/capture-profiles.ts)');
  return (i) => all[i % all.length] as SimProfile;
}

const errCode = (e: unknown) => (e as NodeJS.ErrnoException).code;

/**
 * Starts a fleet. Hosts listen on loopback (or portsAddress: a benchmark's own namespace). Call `stop()`
 * when done: it closes every listener and connection (nothing else runs: there are no child processes).
 */
export async function startFleet(options: FleetOptions) {
  const n = options.hosts;
  const nameOf = options.name ?? ((i: number) => `sim-${pad(i)}`);
  const pick = profilePicker(options.profiles);
  const perHost = options.rollout?.hosts ?? {};
  const rolloutDefaults = { ...options.rollout, hosts: undefined };
  const latency = options.latencyMs ?? 0;
  const now = options.now ?? Date.now();
  const cache = hostKeyCache(options.keyCache === undefined ? DEFAULT_KEY_CACHE : options.keyCache);
  const clientKey = options.authorizedKeys ? null : generateKey();
  const auth: SimAuth = {
    authorizedKeys: options.authorizedKeys ?? [(clientKey as SimKey).publicKey],
    ...(options.password !== undefined ? { password: options.password } : {}),
  };
  const block = options.block ?? 64 + ((process.pid + 37 * fleets++) % 160);
  const port = options.port ?? 2222;
  const portsAddress = options.portsAddress ?? '127.0.0.1';
  let mode = options.addressing ?? 'auto';
  if (n > 250 * 254) throw new Error('simulator: at most 63,500 hosts');

  const hosts: SimHost[] = [];
  const byName = new Map<string, SimHost>();
  const start = async (i: number): Promise<SimHost> => {
    const name = nameOf(i);
    if (byName.has(name)) throw new Error(`simulator: host name ${name} used twice`);
    const common = {
      name,
      key: cache.get(name),
      profile: pick(i, name),
      auth,
      latencyMs: typeof latency === 'function' ? latency(i, name) : latency,
      jitterMs: options.jitterMs ?? 0,
      fault: options.faults?.[name] ?? null,
      rollout: { ...rolloutDefaults, ...perHost[name] },
      // Hosts have been up for a while, each for a different time (stable per index).
      bootedAt: now - Math.floor(((i * 7919) % 1000) * 7776 * 1000) - 3_600_000,
    };
    if (mode === 'ports') return startSimHost({ ...common, address: portsAddress, port: 0 });
    const address = `127.${block}.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
    try {
      return await startSimHost({ ...common, address, port });
    } catch (err) {
      if (errCode(err) === 'EADDRINUSE') return startSimHost({ ...common, address, port: 0 });
      if (errCode(err) === 'EADDRNOTAVAIL' && options.addressing !== 'addresses' && i === 0) {
        mode = 'ports';
        return startSimHost({ ...common, address: '127.0.0.1', port: 0 });
      }
      throw err;
    }
  };

  try {
    // The first host decides the addressing mode; the rest start together.
    if (n > 0) hosts.push(await start(0));
    const rest = await Promise.all(Array.from({ length: Math.max(0, n - 1) }, (_, k) => start(k + 1)));
    hosts.push(...rest);
  } catch (err) {
    for (const h of hosts) h.stop();
    throw err;
  }
  for (const h of hosts) byName.set(h.name, h);
  cache.save();

  const get = (name: string): SimHost => {
    const h = byName.get(name);
    if (!h) throw new Error(`simulator: no host named ${name}`);
    return h;
  };
  const view = (h: SimHost): FleetHost => ({
    name: h.name,
    address: h.address,
    port: h.port,
    profile: h.profile.id,
    hostKey: { keyType: h.key.keyType, key: h.key.key, fingerprint: h.key.fingerprint },
    fingerprint: h.key.fingerprint,
  });

  return {
    /** The hosts as a client sees them (a fresh view: host keys change). */
    get hosts(): FleetHost[] {
      return hosts.map(view);
    },
    /** Addressing actually used. */
    mode: mode === 'ports' ? ('ports' as const) : ('addresses' as const),
    /** The client key the fleet accepts, when it made one (no authorizedKeys given). */
    clientKey,
    host: (name: string): FleetHost => view(get(name)),
    /** The boot id a host reports now. */
    bootId: (name: string): string => get(name).bootId,
    /** What the collection script would get from a host now. */
    render: (name: string): string => get(name).render(),
    /** Sets or clears (null) a host's fault. */
    setFault: (name: string, fault: SimFault | null): Promise<void> => get(name).setFault(fault),
    /** Latency of one host, or of every host when `name` is null. */
    setLatency(name: string | null, ms: number): void {
      for (const h of name === null ? hosts : [get(name)]) h.setLatency(ms);
    },
    /** Gives a host a new host key (not cached: the next fleet run serves the old one again). */
    changeHostKey(name: string): FleetHost['hostKey'] {
      get(name).changeHostKey(generateKey());
      return view(get(name)).hostKey;
    },
    /** Reboots a host: sessions drop, refused for `downMs`, back with a new boot id. */
    reboot: (name: string, downMs = 1000): Promise<void> => get(name).reboot(downMs),
    /** Open connections and commands answered, summed over the fleet. */
    stats() {
      let connections = 0;
      let execs = 0;
      for (const h of hosts) {
        const s = h.stats();
        connections += s.connections;
        execs += s.execs;
      }
      return { hosts: hosts.length, connections, execs };
    },
    /** Connections accepted and commands answered since the start, per host name. */
    counts(): Record<string, HostCounts> {
      const out: Record<string, HostCounts> = {};
      for (const h of hosts) {
        const { accepted, execs, opsStarted, alreadyStarted } = h.stats();
        out[h.name] = { connections: accepted, execs, installs: opsStarted, secondStarts: alreadyStarted };
      }
      return out;
    },
    async stop(): Promise<void> {
      for (const h of hosts) h.stop();
    },
  };
}

/** A running fleet. */
export type Fleet = Awaited<ReturnType<typeof startFleet>>;
export type { SimFault } from './sim-host';
