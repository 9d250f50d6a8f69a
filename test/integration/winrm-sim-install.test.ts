/**
 * The simulated Windows' install behaviour, driven with Patchbay's own install scripts over a real WinRM
 * session (NTLMv2, sealed bodies): what the rollout engine relies on, checked on its own — installs refused
 * with E_ACCESSDENIED outside a SYSTEM task, a task registered as SYSTEM installing over time, a second
 * start of the same op refused, and a restart that refuses connections and returns with a new boot time.
 */
import { afterEach, describe, expect, it } from 'vitest';

import {
  E_ACCESSDENIED,
  parseWinBoot,
  parseWinCleanup,
  parseWinStart,
  parseWinStatus,
  resultFailure,
} from '../../electron/platforms/windows/wua-install-parse';
import {
  BOOT_SCRIPT,
  cleanupScript,
  REBOOT_SCRIPT,
  startScript,
  statusScript,
  workerScript,
} from '../../electron/platforms/windows/wua-install-script';
import type { RemoteSession } from '../../electron/transport/remote-session';
import { openWinrmSession } from '../../electron/winrm/winrm-session';
import { ScriptedExecutor } from '../winrm-sim/executor';
import { WinrmSimulator } from '../winrm-sim/server';
import { SimWindows } from '../winrm-sim/windows-host';
import { uid, WIN11_24H2 } from '../winrm-sim/wua-profiles';

const PASSWORD = 'Pässword-123';
const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

async function machine(opts: ConstructorParameters<typeof SimWindows>[1] = {}) {
  const ex = new ScriptedExecutor({ clixml: true });
  const sim = new WinrmSimulator({ users: { technician: PASSWORD }, executor: ex.execute });
  const win = new SimWindows(WIN11_24H2, { installMs: 600, ...opts });
  win.attach(ex, sim);
  await sim.start();
  stops.push(async () => {
    win.dispose();
    await sim.stop();
  });
  const open = (): RemoteSession => {
    const s = openWinrmSession({ host: '127.0.0.1', port: sim.port, user: 'Technician', password: PASSWORD });
    stops.push(() => s.close());
    return s;
  };
  return { ex, sim, win, open };
}

const ids = WIN11_24H2.updates.map((u) => u.Identity.UpdateID);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function statusUntilDone(s: RemoteSession, opId: string) {
  for (let i = 0; i < 100; i++) {
    const st = parseWinStatus((await s.run(statusScript(opId))).stdout);
    if (st.state !== 'running') return st;
    await sleep(100);
  }
  throw new Error('the task never finished');
}

describe('simulated Windows: installs, Task Scheduler and restarts', () => {
  it('refuses an install from the WinRM session itself with E_ACCESSDENIED', async () => {
    const { win, open } = await machine();
    const r = await open().run(workerScript(ids));
    expect(r.code).toBe(1);
    expect(r.errorText).toMatch(/0x80070005 \(E_ACCESSDENIED\)/);
    expect(win.accessDenied).toBe(1);
    expect(win.installRuns).toBe(0);
  });

  it('a task as SYSTEM installs over time; a second start of the op does nothing; cleanup removes it', async () => {
    const { win, open } = await machine();
    const s = open();
    expect(parseWinStart((await s.run(startScript('r1-m1-a1', ids, 60))).stdout)).toBe(true);
    const running = parseWinStatus((await s.run(statusScript('r1-m1-a1'))).stdout);
    expect(running).toMatchObject({ state: 'running', progress: { phase: 'searching' } });
    expect(parseWinStart((await s.run(startScript('r1-m1-a1', ids, 60))).stdout)).toBe(false);
    const done = await statusUntilDone(s, 'r1-m1-a1');
    expect(done.state).toBe('finished');
    if (done.state !== 'finished') return;
    expect(resultFailure(done.result)).toBeNull();
    // Every offered update installed once: Windows Update offers nothing any more.
    expect(done.result.ok && done.result.updates.map((u) => u.id).sort()).toEqual([...ids].sort());
    expect(win.current().updates).toEqual([]);
    expect([...win.installed.values()].every((n) => n === 1)).toBe(true);
    expect(win.installRuns).toBe(1);
    expect(parseWinCleanup((await s.run(cleanupScript([{ id: 'r1-m1-a1', ifLost: false }]))).stdout)).toEqual(
      ['r1-m1-a1'],
    );
    expect(win.tasks.size).toBe(0);
    expect(parseWinStatus((await s.run(statusScript('r1-m1-a1'))).stdout)).toEqual({ state: 'unknown' });
  });

  it('a task registered for the WinRM user instead of SYSTEM ends with E_ACCESSDENIED in its result', async () => {
    const { win, open } = await machine();
    const s = open();
    const asUser = startScript('r2-m1-a1', [uid(0x200)], 60).replace(
      "-UserId 'NT AUTHORITY\\SYSTEM' -LogonType ServiceAccount",
      "-UserId 'Technician' -LogonType Interactive",
    );
    expect(asUser).toMatch(/-UserId 'Technician'/);
    expect(parseWinStart((await s.run(asUser)).stdout)).toBe(true);
    const done = await statusUntilDone(s, 'r2-m1-a1');
    expect(done.state === 'finished' && resultFailure(done.result)).toMatchObject({
      kind: 'access-denied',
      message: expect.stringContaining(E_ACCESSDENIED) as string,
    });
    expect(win.installRuns).toBe(0);
  });

  it('shutdown /r: connections refused while it restarts, then a new LastBootUpTime; a killed task is lost', async () => {
    const { sim, win, open } = await machine({ installMs: 5000, rebootDownMs: 800 });
    const s = open();
    const before = parseWinBoot((await s.run(BOOT_SCRIPT)).stdout);
    parseWinStart((await s.run(startScript('r3-m1-a1', ids, 60))).stdout);
    await s.run(REBOOT_SCRIPT);
    for (let i = 0; i < 50 && sim.listening; i++) await sleep(20);
    expect(sim.listening).toBe(false);
    await expect(open().run(BOOT_SCRIPT)).rejects.toThrow();
    for (let i = 0; i < 100 && !sim.listening; i++) await sleep(50);
    const after = open();
    const boot = parseWinBoot((await after.run(BOOT_SCRIPT)).stdout);
    expect(Date.parse(boot)).toBeGreaterThan(Date.parse(before));
    // The task died with the restart: its folder is there, no result, no running task.
    expect(parseWinStatus((await after.run(statusScript('r3-m1-a1'))).stdout)).toEqual({
      state: 'lost',
      lastTaskResult: 0x41306,
    });
    expect(win.restarts).toBe(1);
  });
});
