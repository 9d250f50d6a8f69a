// The fleet simulator in a child process, for benchmarks: its CPU and memory are then not Patchbay's. With
// BENCH_NETNS=1 it runs as another machine (netns.ts): in a network namespace of the bench's own, behind a
// veth pair, on a CPU of its own.
import { type ChildProcess, fork, spawn } from 'node:child_process';
import path from 'node:path';

import type { FleetReply, FleetRequest } from '../sim/fleet-process';
import { fleetNet } from './netns';

/** Options of the simulated fleet, as test/sim/fleet-process.ts takes them. */
export type FleetChildOptions = Extract<FleetRequest, { type: 'start' }>['options'];

/** Starts the fleet in a child process, driven over IPC; `ready` resolves with its hosts. */
export function fleetProcess(options: FleetChildOptions) {
  const script = path.join(import.meta.dirname, '..', 'sim', 'fleet-process.ts');
  const stdio = ['ignore', 'inherit', 'inherit', 'ipc'] as const;
  const net = fleetNet();
  // `ip netns exec` and `taskset` each exec the next program: the child is node itself, IPC channel and all.
  const child: ChildProcess = net
    ? spawn(net.prefix[0] as string, [...net.prefix.slice(1), process.execPath, '--import', 'tsx', script], {
        stdio: [...stdio],
      })
    : fork(script, [], { execArgv: ['--import', 'tsx'], stdio: [...stdio] });
  const start = net ? { ...options, addressing: 'ports' as const, portsAddress: net.address } : options;
  const request = <T extends FleetReply['type']>(m: FleetRequest, type: T) =>
    new Promise<Extract<FleetReply, { type: T }>>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`fleet process exited (${code})`));
      child.once('exit', onExit);
      child.once('message', (r: FleetReply) => {
        child.off('exit', onExit);
        if (r.type === type) resolve(r as Extract<FleetReply, { type: T }>);
        else reject(new Error(r.type === 'error' ? r.message : `unexpected ${r.type}`));
      });
      child.send(m);
    });
  return {
    /** Where the fleet runs, for the report. */
    where: net ? net.label : 'loopback, this machine',
    ready: request({ type: 'start', options: start }, 'ready'),
    counts: async () => (await request({ type: 'counts' }, 'counts')).counts,
    stop: () => request({ type: 'stop' }, 'stopped'),
    kill: () => child.kill(),
  };
}
