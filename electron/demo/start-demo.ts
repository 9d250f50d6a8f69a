import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Core } from '../core/create-core';
import { openNodeCore } from '../core/node-core';
import { seedDemoHistory } from './demo-history';
import { demoPlan } from './demo-plan';
import { type DemoSummary, seedDemo } from './seed';
import { type Fleet, startFleet } from './sim-fleet';

/** Options of {@link startDemo}. */
export interface DemoOptions {
  /** Simulated machines (default 300, or PATCHBAY_DEMO_HOSTS). */
  hosts?: number;
  /**
   * Opens the core that seeds the folder; it is closed again before startDemo returns. Electron must
   * pass a core built like its own (same secret store), or the demo credential will not unlock there.
   */
  openCore?: (dataDir: string) => Core;
  /** Days of simulated past scans before the first one (default 120; 0 = none), for the trend chart. */
  historyDays?: number;
}

/** A running demo: a throwaway data folder and the simulated fleet it points at. */
export interface Demo {
  dataDir: string;
  fleet: Fleet;
  summary: DemoSummary;
  /** One line to print, so nobody mistakes the demo data for their own. */
  notice: string;
  /** Stops the fleet and deletes the data folder. Close the core that uses the folder first. */
  stop(): Promise<void>;
}

const PREFIX = 'patchbay-demo-';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes demo folders left by demo processes that died without cleaning up (a crash, a kill -9). */
function removeLeftovers(): void {
  for (const name of fs.readdirSync(os.tmpdir())) {
    const pid = Number(/^patchbay-demo-(\d+)-/.exec(name)?.[1]);
    if (pid && pid !== process.pid && !alive(pid))
      fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
}

/**
 * Demo mode: a throwaway data folder with a few hundred simulated machines (served by the fleet simulator
 * in this process, on loopback), their keys trusted and a first scan done. Open the app's core on
 * `dataDir` afterwards; call `stop()` on exit.
 */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  removeLeftovers();
  const n = options.hosts ?? (Number(process.env.PATCHBAY_DEMO_HOSTS) || 300);
  const plan = demoPlan(n);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `${PREFIX}${process.pid}-`));
  let fleet: Fleet | null = null;
  try {
    fleet = await startFleet({
      hosts: n,
      name: (i) => plan[i]?.name ?? `demo-${i}`,
      profiles: (i) => plan[i]?.profile ?? '',
      faults: Object.fromEntries(plan.flatMap((m) => (m.fault ? [[m.name, m.fault]] : []))),
      // Fresh keys each time: the folder is new too, and nothing should outlive the demo.
      keyCache: null,
    });
    const core = (options.openCore ?? ((dir: string) => openNodeCore(dir, 'browser')))(dataDir);
    let summary: DemoSummary;
    try {
      summary = await seedDemo(core, fleet, plan);
      const historyDays = options.historyDays ?? 120;
      if (historyDays > 0) await seedDemoHistory(core, historyDays, Date.now());
    } finally {
      await core.close();
    }
    // The first scan ran at full speed; later ones take a realistic while per host.
    for (const m of plan) fleet.setLatency(m.name, m.latencyMs);
    const running = fleet;
    return {
      dataDir,
      fleet: running,
      summary,
      notice:
        `DEMO MODE: ${n} simulated machines (not real hosts, served by this process on ${running.mode === 'ports' ? '127.0.0.1' : 'loopback addresses'}). ` +
        `Data folder ${dataDir} is deleted on exit.`,
      async stop() {
        try {
          await running.stop();
        } finally {
          // The folder goes whatever happened to the simulator: demo data must not outlive the demo.
          fs.rmSync(dataDir, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    await fleet?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}
