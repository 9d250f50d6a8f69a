// BENCH_NETNS=1: the simulated fleet as another machine, for the fleet benches (fleet-child.ts reads it).
// On loopback the kernel runs the simulator's TCP receive path inside our own socket writes (the softirq
// runs on the sender's CPU and its time is charged to the sender), so part of the "system" time a bench
// counts as Patchbay's would, against real hosts, be spent on those hosts. Here the fleet gets:
//   - a network namespace of this bench's own (`patchbay-bench-<pid>`) and a veth pair `pb<pid>h` (here,
//     10.213.a.b+1/30) ↔ `pb<pid>n` (in the namespace, +2); every simulated host listens on the namespace
//     side's address, one port each (sim-fleet's `ports` mode with portsAddress);
//   - RPS (receive packet steering, /sys/class/net/<veth>/queues/rx-0/rps_cpus) so that packets arriving for
//     the simulator (on pb<pid>n) are processed on CPU 1 and packets arriving for Patchbay (on pb<pid>h) on
//     CPU 0: a veth delivers through netif_rx, which queues on the CPU RPS picks and wakes it with an IPI,
//     instead of processing in the sender's own softirq. BENCH_NETNS_RPS=fleet steers only the fleet's end,
//     =0 neither (to measure what RPS does);
//   - affinity: this process (all its threads: `taskset -a -p`) on CPU 0, the simulator started under
//     `taskset -c 1`, as two machines would each have their own.
// What it showed (bench:rollout, 200 hosts, a 2-CPU VM): steering only the fleet's end leaves Patchbay's
// system time where loopback has it (≈ 3.5–4 ms/host): the simulator's receive path was not what loopback
// charged us. Steering both ends doubles it: Patchbay's CPU then does its own receive work, woken by an IPI
// per delivery (a VM exit here) instead of in the sender's batch; a real NIC's interrupts coalesce.
// Needs root, `ip` (iproute2: not in minimal Debian images) and `taskset` (util-linux), and 2 CPUs. Touches
// nothing but its own namespace and veth pair; removes both at exit, on failure, SIGINT, even SIGKILL.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

/** Where the bench (Patchbay) runs and where the simulator runs. */
const BENCH_CPU = 0;
const FLEET_CPU = 1;
/** The /30 blocks are taken from 10.213.0.0/16, starting at one picked by the PID. */
const BLOCK = [10, 213];

/** The fleet's network when it runs as another machine. */
export interface FleetNet {
  /** The address every simulated host listens on. */
  address: string;
  /** Runs a program inside the namespace on the fleet's CPU: prepend to its command line. */
  prefix: string[];
  /** One line for the bench's report. */
  label: string;
}

const ipv4 = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const dotted = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

function fail(message: string): never {
  console.error(`BENCH_NETNS=1: ${message}`);
  process.exit(2);
}

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function quiet(cmd: string, args: string[]): void {
  try {
    sh(cmd, args);
  } catch {
    // Already gone.
  }
}

/** Says what is missing (root, ip, taskset, a second CPU), or null. */
function missing(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (a network namespace, a veth pair, RPS)';
  for (const [tool, pkg] of [
    ['ip', 'iproute2'],
    ['taskset', 'util-linux'],
  ] as const) {
    try {
      sh(tool, ['-V']);
    } catch {
      return `needs \`${tool}\` (Debian: apt-get install ${pkg})`;
    }
  }
  if (os.cpus().length < 2) return `needs 2 CPUs (bench on ${BENCH_CPU}, simulator on ${FLEET_CPU})`;
  return null;
}

/** Every IPv4 prefix in use here (addresses and routes of all tables), but the default route. */
function prefixesInUse(): { net: number; len: number }[] {
  const out: { net: number; len: number }[] = [];
  const addrs = JSON.parse(sh('ip', ['-j', '-4', 'addr', 'show'])) as {
    addr_info?: { local: string; prefixlen: number }[];
  }[];
  for (const l of addrs)
    for (const a of l.addr_info ?? []) out.push({ net: ipv4(a.local), len: a.prefixlen });
  const routes = JSON.parse(sh('ip', ['-j', '-4', 'route', 'show', 'table', 'all'])) as { dst: string }[];
  for (const r of routes) {
    if (r.dst === 'default') continue;
    const [net = '', len = '32'] = r.dst.split('/');
    out.push({ net: ipv4(net), len: Number(len) });
  }
  return out;
}

/** A /30 in 10.213.0.0/16 that overlaps nothing in use (another bench's pair included). */
function freeBlock(): number {
  const used = prefixesInUse();
  const base = ipv4(`${BLOCK.join('.')}.0.0`);
  const overlaps = (net: number, p: { net: number; len: number }) => {
    const len = Math.min(30, p.len);
    const size = 2 ** (32 - len);
    return Math.floor(net / size) === Math.floor(p.net / size);
  };
  for (let k = 0; k < 16384; k++) {
    const net = base + ((process.pid + k) % 16384) * 4;
    if (!used.some((p) => overlaps(net, p))) return net;
  }
  fail(`no free /30 in ${BLOCK.join('.')}.0.0/16`);
}

const mask = (cpu: number) => (1 << cpu).toString(16);

let current: FleetNet | null = null;

/**
 * The namespace, veth pair, RPS and affinity for the fleet, made once per process when BENCH_NETNS=1
 * (null otherwise: loopback, as always). Exits with one line when something it needs is missing.
 */
export function fleetNet(): FleetNet | null {
  if (!process.env.BENCH_NETNS || process.env.BENCH_NETNS === '0') return null;
  if (current) return current;
  const why = missing();
  if (why) fail(why);
  const ns = `patchbay-bench-${process.pid}`;
  const here = `pb${process.pid}h`;
  const there = `pb${process.pid}n`;
  // RPS on both ends (default), on the fleet's end only (`fleet`: what arrives for Patchbay is still
  // processed in the simulator's send, as on loopback) or on neither (`0`).
  const rpsMode = process.env.BENCH_NETNS_RPS ?? 'both';
  const steering: Record<string, string> = {
    both: `${here}→CPU ${BENCH_CPU}, ${there}→CPU ${FLEET_CPU}`,
    fleet: `${there}→CPU ${FLEET_CPU} only`,
    '0': 'off',
  };
  if (!steering[rpsMode]) fail(`BENCH_NETNS_RPS is both (default), fleet or 0, not ${rpsMode}`);
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    // Deleting one end deletes the pair; the namespace goes when its last process (the simulator) exits.
    quiet('ip', ['link', 'del', here]);
    quiet('ip', ['netns', 'del', ns]);
  };
  // At exit (process.exit included: tsx's own SIGINT handler exits that way) and, when this process dies
  // without one (SIGKILL: tsx kills a child that does not answer a signal within 30 ms; a plain node on
  // SIGINT), by a watchdog in a session of its own: it waits for the end of a pipe only we hold open.
  process.on('exit', remove);
  const watchdog = spawn('sh', ['-c', 'read _; ip link del "$1"; ip netns del "$2"', 'sh', here, ns], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.unref();
  (watchdog.stdin as unknown as { unref(): void } | null)?.unref();
  try {
    const net = freeBlock();
    const address = dotted(net + 2);
    sh('ip', ['netns', 'add', ns]);
    sh('ip', ['link', 'add', here, 'type', 'veth', 'peer', 'name', there, 'netns', ns]);
    sh('ip', ['addr', 'add', `${dotted(net + 1)}/30`, 'dev', here]);
    sh('ip', ['link', 'set', here, 'up']);
    sh('ip', ['-n', ns, 'addr', 'add', `${address}/30`, 'dev', there]);
    sh('ip', ['-n', ns, 'link', 'set', there, 'up']);
    sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    // What arrives here (for Patchbay) on the bench's CPU; what arrives there (for the simulator) on its.
    if (rpsMode === 'both') fs.writeFileSync(`/sys/class/net/${here}/queues/rx-0/rps_cpus`, mask(BENCH_CPU));
    if (rpsMode !== '0') {
      const file = `/sys/class/net/${there}/queues/rx-0/rps_cpus`;
      sh('ip', ['netns', 'exec', ns, 'sh', '-c', `echo ${mask(FLEET_CPU)} > ${file}`]);
    }
    sh('taskset', ['-a', '-p', '-c', String(BENCH_CPU), String(process.pid)]);
    current = {
      address,
      prefix: ['ip', 'netns', 'exec', ns, 'taskset', '-c', String(FLEET_CPU)],
      label:
        `netns ${ns} (fleet on ${address}, veth ${here}/${there}), bench on CPU ${BENCH_CPU}, ` +
        `simulator on CPU ${FLEET_CPU}, RPS ${steering[rpsMode]}`,
    };
    return current;
  } catch (err) {
    remove();
    const e = err as { stderr?: string; message: string };
    fail(`setting up the namespace failed: ${(e.stderr || e.message).trim()}`);
  }
}
