// The simulated Windows fleet of bench:winrm, in a child process (its NTLM checks, sealing and XML are then not
// Patchbay's CPU): N WinRM simulators (test/winrm-sim) on 127.0.0.1, one port each, each answering Patchbay's
// Windows Update scan from one of the documented profiles after `latencyMs` (the search's time on the host).
// Driven over IPC by test/bench/winrm.ts.
import { ScriptedExecutor } from '../winrm-sim/executor';
import { WinrmSimulator } from '../winrm-sim/server';
import { WUA_PROFILES } from '../winrm-sim/wua-profiles';
import { wuaDocument, wuaOutput } from '../winrm-sim/wua-sim';
import { lateMs, loopDelay } from './loop-delay';

/** Requests to the child. */
export type WinrmFleetRequest =
  | { type: 'start'; hosts: number; latencyMs: number; user: string; password: string }
  | { type: 'stats' }
  | { type: 'stop' };

/** What one simulated host saw. */
export interface WinrmHostStats {
  port: number;
  profile: string;
  connections: number;
  handshakes: number;
  /** HTTP requests it answered (NTLM handshake legs included). */
  requests: number;
  scans: number;
  openShells: number;
}

/** Replies from the child. */
export type WinrmFleetReply =
  | { type: 'ready'; hosts: { port: number; profile: string }[] }
  | {
      type: 'stats';
      hosts: WinrmHostStats[];
      /** The simulators' CPU time so far, and their event-loop delay (ms) since the previous stats request. */
      cpuMs: number;
      loop: { p50: number; p99: number };
    }
  | { type: 'stopped'; cpuMs: number }
  | { type: 'error'; message: string };

const loop = loopDelay();
loop.enable();
const sims: { sim: WinrmSimulator; ex: ScriptedExecutor; profile: string }[] = [];
const send = (r: WinrmFleetReply) => process.send?.(r);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function start(o: Extract<WinrmFleetRequest, { type: 'start' }>): Promise<void> {
  for (let i = 0; i < o.hosts; i++) {
    const profile = WUA_PROFILES[i % WUA_PROFILES.length]!;
    const out = wuaOutput(wuaDocument(profile));
    const ex = new ScriptedExecutor({ clixml: true }).onPowerShell(/PATCHBAY-WUA-BEGIN/, async (_s, cmd) => {
      await sleep(o.latencyMs);
      cmd.stdout(out);
      return 0;
    });
    const sim = new WinrmSimulator({
      users: { [o.user.toLowerCase()]: o.password },
      executor: ex.execute,
      computerName: `WIN-${String(i).padStart(4, '0')}`,
    });
    await sim.start();
    sims.push({ sim, ex, profile: profile.name });
  }
  send({ type: 'ready', hosts: sims.map((s) => ({ port: s.sim.port, profile: s.profile })) });
}

process.on('message', (m: WinrmFleetRequest) => {
  if (m.type === 'start') {
    start(m).catch((err: unknown) => send({ type: 'error', message: String(err) }));
  } else if (m.type === 'stats') {
    send({
      type: 'stats',
      hosts: sims.map(({ sim, ex, profile }) => ({
        port: sim.port,
        profile,
        connections: sim.stats.connections,
        handshakes: sim.stats.handshakes,
        requests: sim.stats.requests,
        scans: ex.scriptsRan.length,
        openShells: sim.wsman.shells.size,
      })),
      cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
      loop: lateMs(loop),
    });
    loop.reset();
  } else if (m.type === 'stop') {
    void Promise.all(sims.map((s) => s.sim.stop())).then(() => {
      const u = process.cpuUsage();
      send({ type: 'stopped', cpuMs: (u.user + u.system) / 1000 });
      process.exit(0);
    });
  }
});
