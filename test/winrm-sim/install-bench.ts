/**
 * The bench of the Windows install tests (test/integration/winrm-install.test.ts, winssh-install.test.ts,
 * winrm-https-install.test.ts): one simulated Windows machine (SimWindows on a ScriptedExecutor) reachable
 * over WinRM HTTP, WinRM HTTPS (a self-signed certificate) or OpenSSH (cmd.exe semantics), a file-backed core
 * with the machine added through core.dispatch, scanned (trusting its key or certificate on first contact) and
 * every Windows update approved. Tests call `cleanupInstallBenches` in afterEach.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Core } from '../../electron/core/create-core';
import { sshMachine } from '../helpers/inventory';
import { spawnChild } from '../rollout/crash-helpers';
import { type Call, callerOf, createRollout, openEngineCore } from '../rollout/engine-bench';
import type { MadeCertificate } from './certificate';
import { ScriptedExecutor } from './executor';
import { WinrmSimulator } from './server';
import { WindowsSshSimulator } from './ssh-server';
import { SimWindows, type SimWindowsOptions } from './windows-host';
import { WIN10_22H2, type WuaProfile } from './wua-profiles';

export const USER = 'Technician';
export const PASSWORD = 'Pässword-123';
/** The approvable updates of the Windows 10 profile (the superseded one is not listed by the scan). */
export const WIN10_KBS = ['KB2267602', 'KB5048652', 'KB890830', '00000112-5a1e-4c0d-9e57-000000000112'];

/** How Patchbay reaches the simulated machine. */
export type SimTransport =
  { kind: 'winrm' } | { kind: 'winrm-https'; cert: MadeCertificate } | { kind: 'ssh' };

export interface InstallBench {
  core: Core;
  call: Call;
  dir: string;
  /** The machine's listener: WinrmSimulator for WinRM (HTTP or HTTPS), WindowsSshSimulator for OpenSSH. */
  sim: WinrmSimulator | WindowsSshSimulator;
  win: SimWindows;
  ex: ScriptedExecutor;
  machineId: number;
}

const cleanups: (() => Promise<void> | void)[] = [];

/** Stops every simulator and closes every core the benches of the test opened (afterEach). */
export async function cleanupInstallBenches(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c();
}

/** Registers work for cleanupInstallBenches (a core opened again by a test). */
export const onCleanup = (c: () => Promise<void> | void): void => void cleanups.push(c);

async function simulate(profile: WuaProfile, transport: SimTransport, opts: SimWindowsOptions) {
  const ex = new ScriptedExecutor({ clixml: true });
  const users = { technician: PASSWORD };
  const sim =
    transport.kind === 'ssh'
      ? new WindowsSshSimulator({ users, executor: ex.execute, chunkBytes: 900 })
      : new WinrmSimulator({
          users,
          executor: ex.execute,
          chunkBytes: 900,
          ...(transport.kind === 'winrm-https' ? { tls: transport.cert } : {}),
        });
  const win = new SimWindows(profile, opts);
  win.attach(ex, sim);
  await sim.start();
  cleanups.push(async () => {
    win.dispose();
    await sim.stop();
  });
  return { ex, sim, win };
}

/** A core on `dir` with the engine's short test intervals. */
export const openInstallCore = (dir: string): Core =>
  openEngineCore(dir, { pollMs: 100, reconnectMs: 8_000 });

/**
 * A core with one simulated Windows 10 machine, scanned (its key or certificate trusted on first contact),
 * and its updates approved; with `password`, the machine's credential is then switched to that password.
 */
export async function installBench(
  opts: SimWindowsOptions = {},
  transport: SimTransport = { kind: 'winrm' },
  password = PASSWORD,
): Promise<InstallBench> {
  const { ex, sim, win } = await simulate(WIN10_22H2, transport, opts);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-wininstall-'));
  const core = openInstallCore(dir);
  cleanups.push(async () => {
    await core.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const call = callerOf(core);
  const kind = transport.kind === 'ssh' ? 'ssh-password' : 'winrm-password';
  const credential = (name: string, pw: string) =>
    call('credentials.create', { credential: { name, kind, keyPath: '', secrets: { password: pw } } });
  const cred = await credential('windows', PASSWORD);
  const input = sshMachine('win10', '127.0.0.1', {
    ...(transport.kind === 'ssh' ? {} : { transport: 'winrm' as const }),
    ...(transport.kind === 'winrm-https' ? { winrmHttps: true } : {}),
    port: sim.port,
    username: USER,
    credentialId: cred.id,
    client: 'acme',
  });
  const m = await call('machines.create', { machine: input });
  const scan = await call('scan.start', { machineIds: [m.id], trustNewHostKeys: true });
  await core.services.scanner.wait(scan.jobId);
  await call('decisions.decide', {
    select: { machineIds: [m.id], packageManager: 'wua' },
    scope: { kind: 'client', client: 'acme' },
    decision: 'approved',
  });
  if (password !== PASSWORD) {
    const wrong = await credential('wrong', password);
    await call('machines.update', { id: m.id, machine: { ...input, credentialId: wrong.id } });
  }
  return { core, call, dir, sim, win, ex, machineId: m.id };
}

/** The rollout's first host as the UI reads it. */
export const firstHost = async (b: InstallBench, id: number) =>
  (await b.call('rollouts.get', { id })).hosts[0];

/**
 * Kills Patchbay (a child process running the rollout, SIGKILL) once the machine restarts, then runs a
 * second child to the end: what both transports' "killed during the restart" tests check afterwards.
 */
export async function killDuringRestart(b: InstallBench): Promise<{ done: string | undefined }> {
  const created = await createRollout(b.call, [b.machineId], { reboot: 'always' });
  await b.call('rollouts.review', { id: created.id });
  await b.core.close();
  const first = spawnChild(b.dir, created.id, 1500);
  await first.ready;
  for (let i = 0; i < 600 && b.win.restarts === 0; i++) await new Promise((r) => setTimeout(r, 50));
  first.proc.kill('SIGKILL');
  if ((await first.exited) !== null) throw new Error('the first run ended before it was killed');
  const second = spawnChild(b.dir, created.id, 1500);
  if ((await second.exited) !== 0) throw new Error('the resumed run did not end cleanly');
  return { done: second.lines.find((l) => l.includes('"t":"done"')) };
}
