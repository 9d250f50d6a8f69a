// The fleet simulator in a child process, for benchmarks: its CPU and memory are then not Patchbay's.
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';

import type { FleetReply, FleetRequest } from '../sim/fleet-process';

/** Options of the simulated fleet, as test/sim/fleet-process.ts takes them. */
export type FleetChildOptions = Extract<FleetRequest, { type: 'start' }>['options'];

/** Starts the fleet in a child process, driven over IPC; `ready` resolves with its hosts. */
export function fleetProcess(options: FleetChildOptions) {
  const child: ChildProcess = fork(path.join(import.meta.dirname, '..', 'sim', 'fleet-process.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
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
    ready: request({ type: 'start', options }, 'ready'),
    counts: async () => (await request({ type: 'counts' }, 'counts')).counts,
    stop: () => request({ type: 'stop' }, 'stopped'),
    kill: () => child.kill(),
  };
}
