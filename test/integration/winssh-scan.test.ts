/**
 * Scanning Windows machines over OpenSSH end to end: simulated Windows OpenSSH servers on loopback (cmd.exe
 * as the default shell, its line limit, CLIXML progress noise on stderr, output split into small writes), SSH
 * machines and a password credential added through core.dispatch, the normal scan job, and the results read
 * back through the requests the UI makes. The first scan finds out that the host is Windows from the Unix
 * command's refusal on the same connection; later scans go straight to PowerShell.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { WINDOWS_SSH_COMMAND } from '../../electron/transport/windows-ssh';
import { sshMachine } from '../helpers/inventory';
import { fileCore } from '../helpers/temp';
import { type Call, callerOf } from '../rollout/engine-bench';
import { ScriptedExecutor } from '../winrm-sim/executor';
import { WindowsSshSimulator } from '../winrm-sim/ssh-server';
import { SERVER_2022, WIN11_24H2, type WuaProfile } from '../winrm-sim/wua-profiles';
import { onWuaScan } from '../winrm-sim/wua-sim';

const USER = 'Technician';
const PASSWORD = 'Pässword-123';

const sims: WindowsSshSimulator[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.stop()));
});

async function simulate(ex: ScriptedExecutor): Promise<WindowsSshSimulator> {
  // Small writes: the base64 result, and the CLIXML marker and its body, arrive in many SSH packets.
  const sim = new WindowsSshSimulator({
    users: { technician: PASSWORD },
    executor: ex.execute,
    chunkBytes: 300,
  });
  await sim.start();
  sims.push(sim);
  return sim;
}

const windows = (p: WuaProfile) => onWuaScan(new ScriptedExecutor({ clixml: true }), () => p);

async function credential(call: Call, password: string) {
  return call('credentials.create', {
    credential: { name: `ssh ${password}`, kind: 'ssh-password', keyPath: '', secrets: { password } },
  });
}

async function scan(call: Call, wait: (id: string) => Promise<void>, ids: number[], refreshLists = false) {
  const { jobId } = await call('scan.start', { machineIds: ids, trustNewHostKeys: true, refreshLists });
  await wait(jobId);
}

describe('Windows scan over OpenSSH against the simulator', () => {
  it('finds Windows on first contact, then scans it in one exec; the UI requests show its updates', async () => {
    const { core } = fileCore();
    try {
      const call = callerOf(core);
      const wait = (id: string) => core.services.scanner.wait(id);
      const cred = await credential(call, PASSWORD);
      const ex11 = windows(WIN11_24H2);
      const ex22 = windows(SERVER_2022);
      const [s11, s22] = [await simulate(ex11), await simulate(ex22)];
      const add = (name: string, port: number) =>
        call('machines.create', {
          machine: sshMachine(name, '127.0.0.1', { port, username: USER, credentialId: cred.id }),
        });
      const m11 = await add('win11', s11.port);
      const m22 = await add('srv2022', s22.port);

      // First scan, with list refresh asked for: sudo and /bin/sh are refused as cmd.exe refuses them.
      await scan(call, wait, [m11.id, m22.id], true);
      const d11 = await call('machines.scanDetails', { id: m11.id });
      expect(d11.lastError).toBeNull();
      expect(d11.status?.lastStatus).toBe('ok');
      expect(d11.lastOk).toMatchObject({
        packageManager: 'wua',
        osName: expect.stringMatching(/^Microsoft Windows 11 Enterprise 24H2 \(build 26100\./),
        eol: { name: 'Windows 11 24H2 (Enterprise/Education)' },
      });
      expect(d11.patches.length).toBeGreaterThan(0);
      expect(d11.patches.every((p) => p.packageManager === 'wua')).toBe(true);
      const d22 = await call('machines.scanDetails', { id: m22.id });
      expect(d22.lastOk?.eol.name).toBe('Windows Server 2022');
      expect(ex11.ran).toEqual([
        expect.stringMatching(/^env LC_ALL=C sudo /),
        '/bin/sh -s',
        WINDOWS_SSH_COMMAND,
      ]);
      expect(ex11.scriptsRan).toHaveLength(1);
      expect(ex11.scriptsRan[0]?.viaStdin).toBe(true);
      // The host key was pinned on first contact, like any SSH host.
      expect((await call('hostKeys.list', {})).map((k) => k.port).sort()).toEqual(
        [s11.port, s22.port].sort(),
      );
      const first = { ...d11.status };

      // The machine list now says Windows: the next scan is one exec on one connection.
      const listed = await call('machines.get', { id: m11.id });
      expect(listed.os).toMatch(/Windows 11/);
      await scan(call, wait, [m11.id]);
      expect(ex11.ran.slice(3)).toEqual([WINDOWS_SSH_COMMAND]);
      expect(s11.stats).toMatchObject({ connections: 2, execs: 4, tooLong: 0 });
      const again = await call('machines.scanDetails', { id: m11.id });
      expect(again.status).toMatchObject({ missing: first.missing, security: first.security });

      // The Patches page sees them like any other machine's.
      const fleet = await call('patches.fleet', { filter: {} });
      expect(fleet.filter((r) => r.packageManager === 'wua').length).toBeGreaterThan(0);
      expect(s22.stats.tooLong).toBe(0);
    } finally {
      await core.close();
    }
  });

  it('says why: wrong password, PowerShell failing before any result', async () => {
    const { core } = fileCore();
    try {
      const call = callerOf(core);
      const wait = (id: string) => core.services.scanner.wait(id);
      const good = await credential(call, PASSWORD);
      const bad = await credential(call, 'wrong');
      const sim = await simulate(windows(SERVER_2022));
      // PowerShell answers nothing this script expects: the error is the host's own.
      const broken = await simulate(new ScriptedExecutor({ clixml: true }));
      const add = (name: string, port: number, credentialId: number) =>
        call('machines.create', {
          machine: sshMachine(name, '127.0.0.1', { port, username: USER, credentialId }),
        });
      const denied = await add('denied', sim.port, bad.id);
      const nops = await add('broken', broken.port, good.id);
      await scan(call, wait, [denied.id, nops.id]);
      const err = async (id: number) => (await call('machines.scanDetails', { id })).lastError;
      expect(await err(denied.id)).toMatchObject({ kind: 'auth-failed' });
      expect(await err(nops.id)).toMatchObject({
        kind: 'output-unparseable',
        message: expect.stringMatching(/scan script failed on the host: simulator: no PowerShell handler/),
      });
      expect(sim.stats.failedLogons).toBeGreaterThan(0);
    } finally {
      await core.close();
    }
  });
});
