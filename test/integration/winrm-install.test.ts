/**
 * Installing Windows updates through the rollout engine against the simulated Windows (test/winrm-sim:
 * NTLMv2, sealed bodies, CLIXML noise, Task Scheduler, E_ACCESSDENIED outside a SYSTEM task, restarts that
 * refuse connections): approve → review (a fresh Windows Update search) → install via a SYSTEM scheduled
 * task → reboot → verify by rescan, and the faults of issue 10. The simulator counts installs, so "never a
 * second install" is checked on the machine, not inferred.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { spawnChild } from '../rollout/crash-helpers';
import { callerOf, createRollout, startToEnd } from '../rollout/engine-bench';
import {
  cleanupInstallBenches,
  firstHost as hostOf,
  type InstallBench as Bench,
  installBench,
  killDuringRestart,
  onCleanup,
  openInstallCore as openCore,
  WIN10_KBS,
} from '../winrm-sim/install-bench';
import type { SimWindowsOptions } from '../winrm-sim/windows-host';
import { WIN10_22H2 } from '../winrm-sim/wua-profiles';

afterEach(cleanupInstallBenches);

/** A core with one simulated Windows 10 machine over WinRM HTTP, scanned, and its updates approved. */
const bench = (opts: SimWindowsOptions = {}, password?: string) =>
  installBench(opts, { kind: 'winrm' }, password);

describe('Windows install through the rollout engine (WinRM simulator)', () => {
  it('approve → review → install as SYSTEM → reboot → verify: every approved update once, no leftovers', async () => {
    const b = await bench();
    const created = await createRollout(b.call, [b.machineId], { reboot: 'if-required' });
    const reviewed = await b.call('rollouts.review', { id: created.id });
    const h = reviewed.hosts[0];
    expect(h?.state).toBe('reviewed');
    expect(h?.items.map((i) => i.name).sort()).toEqual([...WIN10_KBS].sort());
    expect(h?.plan?.notes.join('\n')).toMatch(/Windows Update has no dry run/);
    // The offered updates' MaxDownloadSize, summed (the profile's cumulative update alone is 658 MB).
    expect(h?.plan?.downloadBytes).toBe(
      WIN10_22H2.updates
        .filter((u) =>
          h?.items.some((i) => i.version === `${u.Identity.UpdateID}.${u.Identity.RevisionNumber}`),
        )
        .reduce((n, u) => n + u.MaxDownloadSize, 0),
    );
    expect(h?.plan?.downloadBytes).toBeGreaterThan(658 * 1048576);
    expect(h?.plan?.notes.join('\n')).toMatch(/KB5048652: Security Updates: .*always requires a reboot/);
    // Reviewing ran a fresh search on the host, and installed nothing.
    expect(b.win.installRuns).toBe(0);

    const bootBefore = b.win.bootTime;
    const done = await startToEnd(b.core, created.id);
    const host = done.hosts[0];
    expect(host?.state).toBe('succeeded');
    expect(host?.result?.missing).toEqual([]);
    expect(host?.result?.installed.map((i) => i.name).sort()).toEqual([...WIN10_KBS].sort());
    expect(host?.bootIdAfter).not.toBe('');
    expect(host?.bootIdAfter).not.toBe(host?.bootIdBefore);
    expect(b.win.bootTime).not.toBe(bootBefore);
    expect(b.win.restarts).toBe(1);
    // One SYSTEM task, one install run, each update installed once; its task and folder are gone.
    expect(b.win.installRuns).toBe(1);
    expect([...b.win.installed.values()]).toEqual([1, 1, 1, 1]);
    expect(b.win.accessDenied).toBe(0);
    expect(b.win.tasks.size).toBe(0);
    expect(b.win.ops.size).toBe(0);
    // No install script ever ran in the WinRM session itself.
    expect(b.ex.scriptsRan.some((s) => /CreateUpdateInstaller/.test(s.script))).toBe(false);
    // The rescan after the reboot is what the machine page shows: nothing missing, no reboot pending.
    const details = await b.call('machines.scanDetails', { id: b.machineId });
    expect(details.patches).toEqual([]);
    expect(details.status?.rebootRequired).toBe(false);
    const out = await b.call('rollouts.output', { id: created.id, machineId: b.machineId });
    expect(JSON.stringify(out)).toMatch(/started as SYSTEM for 4 update/);
  }, 120_000);

  it('a connection dropped mid-install: the task keeps running, Patchbay reconnects and follows it', async () => {
    let dropped = 0;
    const opts: SimWindowsOptions = {
      installMs: 2500,
      onPhase: (phase) => {
        if (phase === 'installing' && dropped === 0) {
          dropped++;
          b.sim.dropConnections();
        }
      },
    };
    const b: Bench = await bench(opts);
    const created = await createRollout(b.call, [b.machineId], { reboot: 'never' });
    await b.call('rollouts.review', { id: created.id });
    const done = await startToEnd(b.core, created.id);
    expect(dropped).toBe(1);
    expect(done.hosts[0]?.state).toBe('needs-reboot');
    expect(b.win.installRuns).toBe(1);
    expect(b.win.restarts).toBe(0);
  }, 120_000);

  it('a reboot that never returns fails the host in plain words after the wait', async () => {
    const b = await bench({ rebootNeverReturns: true });
    const created = await createRollout(b.call, [b.machineId], { reboot: 'always', rebootReturnMs: 10_000 });
    await b.call('rollouts.review', { id: created.id });
    const done = await startToEnd(b.core, created.id);
    const h = done.hosts[0];
    expect(h?.state).toBe('failed');
    expect(h?.failureKind).toBe('reboot-timeout');
    expect(h?.reason).toMatch(/did not come back within 10 seconds/);
    expect(b.win.installRuns).toBe(1);
  }, 120_000);

  it('a wrong password fails the review with the login words; nothing runs on the machine', async () => {
    const b = await bench({}, 'not-the-password');
    const created = await createRollout(b.call, [b.machineId], { reboot: 'never' });
    const reviewed = await b.call('rollouts.review', { id: created.id });
    expect(reviewed.hosts[0]?.state).toBe('failed');
    expect(reviewed.hosts[0]?.failureKind).toBe('auth-failed');
    expect(reviewed.hosts[0]?.reason).toMatch(/password|denied|logon|credential/i);
    expect(b.win.installRuns).toBe(0);
  }, 60_000);

  it('an account without administrator rights fails the pre-flight before anything changes', async () => {
    const b = await bench({ admin: false });
    const created = await createRollout(b.call, [b.machineId], { reboot: 'never' });
    await b.call('rollouts.review', { id: created.id });
    const done = await startToEnd(b.core, created.id);
    expect(done.hosts[0]?.state).toBe('failed');
    expect(done.hosts[0]?.failureKind).toBe('preflight');
    expect(done.hosts[0]?.reason).toMatch(/not an administrator.*LocalAccountTokenFilterPolicy/);
    expect(b.win.tasks.size).toBe(0);
    expect(b.win.installRuns).toBe(0);
  }, 60_000);

  it('an update Windows fails to install: the host ends partly, in Windows Update words; nothing retried', async () => {
    const cu = WIN10_22H2.updates.find((u) => u.KBArticleIDs.includes('5048652'));
    const b = await bench({ failUpdates: [cu?.Identity.UpdateID ?? ''] });
    const created = await createRollout(b.call, [b.machineId], { reboot: 'never' });
    await b.call('rollouts.review', { id: created.id });
    const done = await startToEnd(b.core, created.id);
    const h = done.hosts[0];
    expect(h?.state).toBe('partly');
    expect(h?.result?.missing.map((m) => m.name)).toEqual(['KB5048652']);
    expect(h?.result?.installed).toHaveLength(3);
    expect(h?.reason).toMatch(
      /^Windows Update says the install succeeded with errors: .*failed \(0x80240022\)/,
    );
    expect(b.win.installRuns).toBe(1);
  }, 60_000);

  it('too little free space on the system drive for the download fails the pre-flight', async () => {
    const b = await bench({ freeBytes: 2.5 * 1024 ** 3 });
    const created = await createRollout(b.call, [b.machineId], { reboot: 'never' });
    await b.call('rollouts.review', { id: created.id });
    const done = await startToEnd(b.core, created.id);
    expect(done.hosts[0]?.state).toBe('failed');
    expect(done.hosts[0]?.reason).toMatch(/^2560 MB free on C:, \d+ MB needed$/);
    expect(b.win.installRuns).toBe(0);
  }, 60_000);

  it('Patchbay closed mid-install and opened again: it follows the same task, no second install', async () => {
    const b = await bench({ installMs: 3000 });
    const created = await createRollout(b.call, [b.machineId], { reboot: 'never' });
    await b.call('rollouts.review', { id: created.id });
    await b.call('rollouts.start', { id: created.id });
    for (let i = 0; i < 200 && b.win.installRuns === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await hostOf(b, created.id))?.state).toBe('installing');
    await b.core.close();
    // The install goes on without Patchbay; a new core resumes the running rollout.
    const core = openCore(b.dir);
    onCleanup(() => core.close());
    const call = callerOf(core);
    for (let i = 0; i < 600; i++) {
      const r = await call('rollouts.get', { id: created.id });
      if (r.state === 'finished') break;
      await new Promise((res) => setTimeout(res, 100));
    }
    const r = await call('rollouts.get', { id: created.id });
    expect(r.hosts[0]?.state).toBe('needs-reboot');
    expect(b.win.installRuns).toBe(1);
    expect([...b.win.installed.values()].every((n) => n === 1)).toBe(true);
    expect(b.win.tasks.size).toBe(0);
  }, 120_000);

  it('Patchbay killed (SIGKILL) mid-install, started again: it resumes, follows the same task, no second install', async () => {
    const b = await bench({ installMs: 4000 });
    const created = await createRollout(b.call, [b.machineId], { reboot: 'if-required' });
    await b.call('rollouts.review', { id: created.id });
    await b.core.close();
    const first = spawnChild(b.dir, created.id, 1500);
    await first.ready;
    for (let i = 0; i < 600 && b.win.installRuns === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(b.win.installRuns).toBe(1);
    first.proc.kill('SIGKILL');
    expect(await first.exited).toBe(null);
    // The SYSTEM task runs on without Patchbay.
    expect([...b.win.tasks.values()].map((t) => t.state)).toEqual(['Running']);
    const second = spawnChild(b.dir, created.id, 1500);
    expect(await second.exited).toBe(0);
    const done = JSON.parse(second.lines.find((l) => l.includes('"t":"done"')) ?? '{}') as {
      hosts?: [string, string, string][];
    };
    expect(done.hosts?.[0]?.[1]).toBe('succeeded');
    expect(b.win.installRuns).toBe(1);
    expect([...b.win.installed.values()]).toEqual([1, 1, 1, 1]);
    expect(b.win.restarts).toBe(1);
    expect(b.win.tasks.size).toBe(0);
    expect(b.win.ops.size).toBe(0);
  }, 180_000);

  it('Patchbay killed while the machine restarts: resumed, it waits for the new boot time, no second restart', async () => {
    const b = await bench({ rebootDownMs: 3000 });
    expect((await killDuringRestart(b)).done).toMatch(/"succeeded"/);
    expect(b.win.restarts).toBe(1);
    expect(b.win.installRuns).toBe(1);
  }, 180_000);

  it('cancelled mid-install: the task is followed to its end and verified, no restart', async () => {
    const b = await bench({ installMs: 2500 });
    const created = await createRollout(b.call, [b.machineId], { reboot: 'always' });
    await b.call('rollouts.review', { id: created.id });
    await b.call('rollouts.start', { id: created.id });
    for (let i = 0; i < 600 && b.win.installRuns === 0; i++) await new Promise((r) => setTimeout(r, 50));
    await b.call('rollouts.cancel', { id: created.id });
    await b.core.services.rollouts.wait(created.id);
    const h = (await b.call('rollouts.get', { id: created.id })).hosts[0];
    expect(h?.result?.installed).toHaveLength(4);
    expect(h?.state).toBe('needs-reboot');
    expect(b.win.restarts).toBe(0);
    expect(b.win.tasks.size).toBe(0);
  }, 60_000);

  it('a Patchbay task still running blocks the install; once ended, the next pre-flight removes it', async () => {
    const b = await bench();
    const sys = 'NT AUTHORITY\\SYSTEM';
    // Left by an earlier rollout whose Patchbay crashed: its task still runs.
    b.win.tasks.set('Patchbay-r90-m1-a1', { state: 'Running', userId: sys, lastResult: 0x41301, timers: [] });
    b.win.ops.set('r90-m1-a1', { worker: '' });
    const first = await createRollout(b.call, [b.machineId], { reboot: 'never' });
    await b.call('rollouts.review', { id: first.id });
    const blocked = await startToEnd(b.core, first.id);
    expect(blocked.hosts[0]?.state).toBe('failed');
    expect(blocked.hosts[0]?.reason).toMatch(/a Patchbay install task is still running .*Patchbay-r90-m1-a1/);
    expect(b.win.installRuns).toBe(0);
    expect(b.win.tasks.size).toBe(1);

    // It ended (its result written): the next rollout's pre-flight unregisters it and removes its folder.
    b.win.tasks.set('Patchbay-r90-m1-a1', { state: 'Ready', userId: sys, lastResult: 0, timers: [] });
    b.win.ops.set('r90-m1-a1', { worker: '', result: '{}' });
    const second = await createRollout(b.call, [b.machineId], { reboot: 'never' });
    await b.call('rollouts.review', { id: second.id });
    const done = await startToEnd(b.core, second.id);
    expect(done.hosts[0]?.state).toBe('needs-reboot');
    expect(b.win.installRuns).toBe(1);
    expect(b.win.tasks.size).toBe(0);
    expect(b.win.ops.size).toBe(0);
  }, 120_000);
});
