// A simulated fleet in a process of its own, driven over IPC: benchmarks (bench:scale) run it here so the
// simulator's CPU and memory are not counted as Patchbay's. Start it with
// `fork('test/sim/fleet-process.ts', { execArgv: ['--import', 'tsx'] })`, send a FleetRequest, wait for
// 'ready'. It exits when told to stop or when its parent goes away.
import { monitorEventLoopDelay } from 'node:perf_hooks';

import type { Fleet, FleetHost, FleetOptions, HostCounts } from '../../electron/demo/sim-fleet';
import { startFleet } from '../../electron/demo/sim-fleet';

/** Messages to the fleet process. */
export type FleetRequest =
  | {
      type: 'start';
      options: Omit<FleetOptions, 'name' | 'latencyMs' | 'profiles'> & {
        latencyMs?: number;
        profiles?: string[];
      };
    }
  | { type: 'counts' }
  | { type: 'stop' };

/** Messages from the fleet process. */
export type FleetReply =
  | { type: 'ready'; hosts: FleetHost[]; mode: Fleet['mode'] }
  | { type: 'counts'; counts: Record<string, HostCounts> }
  | { type: 'stopped'; cpuMs: number; peakRss: number; execs: number; lagP99Ms: number; lagMaxMs: number }
  | { type: 'error'; message: string };

let fleet: Fleet | null = null;
// The simulator's own event-loop delay: when it is high, slow scans are the simulator's doing, not Patchbay's.
const lag = monitorEventLoopDelay({ resolution: 5 });
const send = (m: FleetReply) => process.send?.(m);

process.on('message', (m: FleetRequest) => {
  if (m.type === 'start') {
    startFleet(m.options).then(
      (f) => {
        fleet = f;
        lag.enable();
        send({ type: 'ready', hosts: f.hosts, mode: f.mode });
      },
      (err: unknown) => send({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
    );
  } else if (m.type === 'counts') {
    send({ type: 'counts', counts: fleet?.counts() ?? {} });
  } else if (m.type === 'stop') {
    const execs = fleet?.stats().execs ?? 0;
    void fleet?.stop().then(() => {
      const cpu = process.cpuUsage();
      send({
        type: 'stopped',
        cpuMs: (cpu.user + cpu.system) / 1000,
        peakRss: process.resourceUsage().maxRSS * 1024,
        execs,
        lagP99Ms: lag.percentile(99) / 1e6,
        lagMaxMs: lag.max / 1e6,
      });
      process.disconnect();
    });
  }
});
process.on('disconnect', () => {
  void fleet?.stop();
  process.exit(0);
});
