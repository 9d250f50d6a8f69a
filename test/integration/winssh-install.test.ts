/**
 * Installing Windows updates over Windows OpenSSH through the rollout engine, against the simulated Windows
 * behind the OpenSSH simulator (cmd.exe as the default shell, its line limit, CLIXML noise, Task Scheduler,
 * E_ACCESSDENIED outside a SYSTEM task — an OpenSSH logon is a network logon too —, restarts that refuse
 * connections): approve → review → install via a SYSTEM scheduled task → restart → verify, over the same
 * PowerShell scripts as WinRM through the -EncodedCommand bootstrap, with the host key pinned by the scan.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { generateKey } from '../../electron/demo/sim-keys';
import { WINDOWS_SSH_COMMAND } from '../../electron/transport/windows-ssh';
import { createRollout, startToEnd } from '../rollout/engine-bench';
import { CMD_LINE_LIMIT } from '../winrm-sim/executor';
import {
  cleanupInstallBenches,
  type InstallBench,
  installBench,
  killDuringRestart,
  WIN10_KBS,
} from '../winrm-sim/install-bench';
import { WindowsSshSimulator } from '../winrm-sim/ssh-server';
import type { SimWindowsOptions } from '../winrm-sim/windows-host';

afterEach(cleanupInstallBenches);

async function bench(opts: SimWindowsOptions = {}, password?: string) {
  const b = await installBench(opts, { kind: 'ssh' }, password);
  if (!(b.sim instanceof WindowsSshSimulator)) throw new Error('expected the OpenSSH simulator');
  return { ...b, ssh: b.sim };
}

const pinned = async (b: InstallBench) => (await b.call('hostKeys.list', {})).map((k) => k.fingerprint);

describe('Windows install over OpenSSH (simulator)', () => {
  it('approve → review → install as SYSTEM → restart → verify: every update once, over the pinned host key', async () => {
    const b = await bench();
    // The scan found Windows over SSH and pinned the host key.
    const keys = await pinned(b);
    expect(keys).toHaveLength(1);
    const created = await createRollout(b.call, [b.machineId], { reboot: 'if-required' });
    const reviewed = await b.call('rollouts.review', { id: created.id });
    const h = reviewed.hosts[0];
    expect(h?.state).toBe('reviewed');
    expect(h?.packageManager).toBe('wua');
    expect(h?.items.map((i) => i.name).sort()).toEqual([...WIN10_KBS].sort());
    expect(h?.plan?.notes.join('\n')).toMatch(/Windows Update has no dry run/);
    expect(b.win.installRuns).toBe(0);

    const bootBefore = b.win.bootTime;
    const done = await startToEnd(b.core, created.id);
    const host = done.hosts[0];
    expect(host?.reason).toBe('');
    expect(host?.state).toBe('succeeded');
    expect(host?.result?.missing).toEqual([]);
    expect(host?.result?.installed.map((i) => i.name).sort()).toEqual([...WIN10_KBS].sort());
    expect(host?.bootIdAfter).not.toBe('');
    expect(host?.bootIdAfter).not.toBe(host?.bootIdBefore);
    expect(b.win.bootTime).not.toBe(bootBefore);
    expect(b.win.restarts).toBe(1);
    // One SYSTEM task, one install run, each update installed once; nothing installed in the SSH session.
    expect(b.win.installRuns).toBe(1);
    expect([...b.win.installed.values()]).toEqual([1, 1, 1, 1]);
    expect(b.win.accessDenied).toBe(0);
    expect(b.win.tasks.size).toBe(0);
    expect(b.win.ops.size).toBe(0);
    expect(b.ex.scriptsRan.some((s) => /CreateUpdateInstaller/.test(s.script))).toBe(false);
    // Every exec was the short bootstrap (scripts on stdin): none hit cmd.exe's line limit.
    expect(b.ssh.stats.tooLong).toBe(0);
    expect(WINDOWS_SSH_COMMAND.length).toBeLessThan(CMD_LINE_LIMIT);
    // The restart dropped the connection; the wait and the verify came back over new SSH connections.
    expect(b.ssh.stats.connections).toBeGreaterThan(2);
    expect(await pinned(b)).toEqual(keys);
    const details = await b.call('machines.scanDetails', { id: b.machineId });
    expect(details.patches).toEqual([]);
    expect(details.status?.rebootRequired).toBe(false);
    const out = await b.call('rollouts.output', { id: created.id, machineId: b.machineId });
    expect(JSON.stringify(out)).toMatch(/started as SYSTEM for 4 update/);
  }, 120_000);

  it('a connection dropped mid-install: the task keeps running, Patchbay reconnects over SSH and follows it', async () => {
    let dropped = 0;
    const b: Awaited<ReturnType<typeof bench>> = await bench({
      installMs: 2500,
      onPhase: (phase) => {
        if (phase === 'installing' && dropped === 0) {
          dropped++;
          b.ssh.dropConnections();
        }
      },
    });
    const created = await createRollout(b.call, [b.machineId], { reboot: 'never' });
    await b.call('rollouts.review', { id: created.id });
    const done = await startToEnd(b.core, created.id);
    expect(dropped).toBe(1);
    expect(done.hosts[0]?.state).toBe('needs-reboot');
    expect(b.win.installRuns).toBe(1);
    expect([...b.win.installed.values()]).toEqual([1, 1, 1, 1]);
    expect(b.win.restarts).toBe(0);
  }, 120_000);

  it('a host key changed between scan and install stops the host before anything is sent', async () => {
    const b = await bench();
    const created = await createRollout(b.call, [b.machineId], { reboot: 'never' });
    b.ssh.swapHostKey(generateKey());
    const ran = b.ex.scriptsRan.length;
    const execs = b.ssh.stats.execs;
    const reviewed = await b.call('rollouts.review', { id: created.id });
    const h = reviewed.hosts[0];
    expect(h?.state).toBe('failed');
    expect(h?.failureKind).toBe('host-key-changed');
    expect(h?.reason).toMatch(/host key .*changed/i);
    expect(b.ssh.stats.execs).toBe(execs);
    expect(b.ex.scriptsRan).toHaveLength(ran);
    expect(b.win.installRuns).toBe(0);
  }, 60_000);

  it('a machine that comes back from the restart with another host key fails the host, not trusted', async () => {
    const b = await bench({ rebootDownMs: 2500 });
    const created = await createRollout(b.call, [b.machineId], { reboot: 'always' });
    await b.call('rollouts.review', { id: created.id });
    await b.call('rollouts.start', { id: created.id });
    for (let i = 0; i < 600 && b.win.restarts === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(b.win.restarts).toBe(1);
    b.ssh.swapHostKey(generateKey());
    await b.core.services.rollouts.wait(created.id);
    const h = (await b.call('rollouts.get', { id: created.id })).hosts[0];
    expect(h?.state).toBe('failed');
    expect(h?.failureKind).toBe('host-key-changed');
    expect(b.win.installRuns).toBe(1);
    expect(b.win.restarts).toBe(1);
  }, 120_000);

  it('a wrong password fails the review with the login words; nothing runs on the machine', async () => {
    const b = await bench({}, 'not-the-password');
    const ran = b.ex.scriptsRan.length;
    const created = await createRollout(b.call, [b.machineId], { reboot: 'never' });
    const reviewed = await b.call('rollouts.review', { id: created.id });
    expect(reviewed.hosts[0]?.state).toBe('failed');
    expect(reviewed.hosts[0]?.failureKind).toBe('auth-failed');
    expect(b.ssh.stats.failedLogons).toBeGreaterThan(0);
    expect(b.ex.scriptsRan).toHaveLength(ran);
    expect(b.win.installRuns).toBe(0);
  }, 60_000);

  it('Patchbay killed while the machine restarts: resumed, it waits over SSH for the new boot time, no second restart', async () => {
    const b = await bench({ rebootDownMs: 3000 });
    expect((await killDuringRestart(b)).done).toMatch(/"succeeded"/);
    expect(b.win.restarts).toBe(1);
    expect(b.win.installRuns).toBe(1);
    expect([...b.win.installed.values()]).toEqual([1, 1, 1, 1]);
    expect(b.win.tasks.size).toBe(0);
  }, 180_000);
});
