/**
 * Scanning Windows machines over WinRM end to end: simulated Windows hosts on loopback (NTLMv2, sealed bodies,
 * CLIXML progress noise on stderr, output split across Receive chunks), WinRM machines and a WinRM password
 * credential added through core.dispatch, the normal scan job, and the results read back through the same
 * requests the UI makes (machine page, machine list counts, Patches page).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { sshMachine } from '../helpers/inventory';
import { fileCore } from '../helpers/temp';
import { type Call, callerOf } from '../rollout/engine-bench';
import { ScriptedExecutor } from '../winrm-sim/executor';
import { WinrmSimulator } from '../winrm-sim/server';
import {
  SERVER_2019,
  SERVER_2022,
  SERVER_2025,
  WIN10_22H2,
  WIN11_24H2,
  type WuaProfile,
} from '../winrm-sim/wua-profiles';
import { onWuaScan } from '../winrm-sim/wua-sim';

const USER = 'Technician';
const PASSWORD = 'Pässword-123';

const sims: WinrmSimulator[] = [];
const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.stop()));
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function simulate(profile: WuaProfile): Promise<{ sim: WinrmSimulator; ex: ScriptedExecutor }> {
  const ex = onWuaScan(new ScriptedExecutor({ clixml: true }), () => profile);
  // Small chunks: the base64 result, and the CLIXML marker and its body, arrive over several Receives.
  const sim = new WinrmSimulator({
    users: { technician: PASSWORD },
    executor: ex.execute,
    chunkBytes: 700,
    computerName: profile.name.replace(/\W/g, '').slice(0, 15),
  });
  await sim.start();
  sims.push(sim);
  return { sim, ex };
}

async function addWindows(call: Call, name: string, port: number, credentialId: number) {
  return call('machines.create', {
    machine: sshMachine(name, '127.0.0.1', { transport: 'winrm', port, username: USER, credentialId }),
  });
}

async function credential(call: Call, password: string) {
  return call('credentials.create', {
    credential: { name: `winrm ${password}`, kind: 'winrm-password', keyPath: '', secrets: { password } },
  });
}

describe('Windows scan over WinRM against the simulator', () => {
  it('scans five Windows profiles through the normal scan job; the UI requests show their updates', async () => {
    const { core } = fileCore();
    try {
      const call = callerOf(core);
      const cred = await credential(call, PASSWORD);
      const profiles = [WIN10_22H2, WIN11_24H2, SERVER_2019, SERVER_2022, SERVER_2025];
      const ids: Record<string, number> = {};
      const started = [];
      for (const p of profiles) {
        const s = await simulate(p);
        started.push(s);
        ids[p.name] = (await addWindows(call, p.name, s.sim.port, cred.id)).id;
      }
      const { jobId, total } = await call('scan.start', { machineIds: Object.values(ids) });
      expect(total).toBe(5);
      await core.services.scanner.wait(jobId);

      const win10 = await call('machines.scanDetails', { id: ids[WIN10_22H2.name]! });
      expect(win10.status?.lastStatus).toBe('ok');
      expect(win10.lastOk).toMatchObject({
        packageManager: 'wua',
        osName: 'Microsoft Windows 10 Pro 22H2 (build 19045.5131)',
        kernel: '10.0.19045.5131',
        rebootReasons: [
          'Component Based Servicing: RebootPending',
          'Session Manager: PendingFileRenameOperations',
        ],
        notes: [expect.stringMatching(/^1 superseded update/)],
        eol: { name: 'Windows 10 (22H2)', ends: '2025-10-14', extendedEnds: '2026-10-13' },
      });
      expect(['extended', 'eol']).toContain(win10.lastOk?.eol.state);
      // The superseded November update is not listed; the driver without a KB is named by its UpdateID.
      expect(win10.patches.map((p) => p.name).sort()).toEqual(
        ['KB2267602', 'KB5048652', 'KB890830', '00000112-5a1e-4c0d-9e57-000000000112'].sort(),
      );
      expect(win10.patches.find((p) => p.name === 'KB5048652')).toMatchObject({
        packageManager: 'wua',
        security: true,
        severity: 'Critical',
        cves: ['CVE-2024-49112', 'CVE-2024-49138', 'CVE-2024-49118'],
      });
      expect(win10.status).toMatchObject({ missing: 4, security: 1, rebootRequired: true });

      const win11 = await call('machines.scanDetails', { id: ids[WIN11_24H2.name]! });
      expect(win11.lastOk?.eol).toMatchObject({
        name: 'Windows 11 24H2 (Enterprise/Education)',
        ends: '2027-10-12',
      });
      const s2019 = await call('machines.scanDetails', { id: ids[SERVER_2019.name]! });
      expect(s2019.lastOk?.warnings).toEqual([expect.stringMatching(/search with errors/)]);
      expect(s2019.lastOk?.eol.name).toBe('Windows Server 2019');

      // The machine list (fleet counts) and the Patches page see the Windows updates like Linux patches.
      expect(await call('machines.summary', {})).toMatchObject({
        winrm: 5,
        scanned: 5,
        failedLastScan: 0,
        missingPatches: 13,
        securityPatches: 4,
        needsSecurity: 4,
        needsReboot: 3,
      });
      const fleet = await call('patches.fleet', { filter: {} });
      const cu = fleet.filter((r) => r.packageManager === 'wua' && r.name.startsWith('KB50486'));
      expect(cu.map((r) => [r.name, r.machines, r.security]).sort()).toEqual([
        ['KB5048652', 1, true],
        ['KB5048654', 1, true],
        ['KB5048661', 1, true],
        ['KB5048667', 1, true],
      ]);
      expect(fleet.find((r) => r.name === 'KB2267602')).toMatchObject({ machines: 3, security: false });
      expect(fleet.find((r) => r.name === 'KB890830')).toMatchObject({ machines: 2 });

      // One script per host, on the command line (it fits: no stdin to send); every shell deleted.
      for (const { sim, ex } of started) {
        expect(ex.scriptsRan).toHaveLength(1);
        expect(ex.scriptsRan[0]?.viaStdin).toBe(false);
        expect(sim.wsman.shells.size).toBe(0);
        expect(sim.stats.unsealedRefused).toBe(0);
      }
    } finally {
      await core.close();
    }
  });

  it('says why in a technician’s words: access denied, WinRM not enabled, NTLM refused, no result', async () => {
    const { core } = fileCore();
    try {
      const call = callerOf(core);
      const good = await credential(call, PASSWORD);
      const bad = await credential(call, 'wrong');
      const { sim } = await simulate(SERVER_2022);
      const denied = await addWindows(call, 'denied', sim.port, bad.id);

      // A port nobody listens on: a server started and closed again.
      const closed = http.createServer();
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
      const closedPort = (closed.address() as AddressInfo).port;
      await new Promise((r) => closed.close(r));
      const off = await addWindows(call, 'off', closedPort, good.id);

      // A listener that offers only Kerberos (a domain setup with Negotiate turned off).
      const kerberos = http.createServer((_req, res) => {
        res.writeHead(401, { 'WWW-Authenticate': 'Kerberos', Server: 'Microsoft-HTTPAPI/2.0' });
        res.end();
      });
      await new Promise<void>((r) => kerberos.listen(0, '127.0.0.1', r));
      servers.push(kerberos);
      const krb = await addWindows(call, 'kerberos', (kerberos.address() as AddressInfo).port, good.id);

      // A machine where PowerShell fails before the script prints anything.
      const broken = new WinrmSimulator({
        users: { technician: PASSWORD },
        executor: new ScriptedExecutor({ clixml: true }).execute,
      });
      await broken.start();
      sims.push(broken);
      const nops = await addWindows(call, 'broken', broken.port, good.id);

      const { jobId } = await call('scan.start', { machineIds: [denied.id, off.id, krb.id, nops.id] });
      await core.services.scanner.wait(jobId);
      const err = async (id: number) => (await call('machines.scanDetails', { id })).lastError;

      expect(await err(denied.id)).toMatchObject({
        kind: 'auth-failed',
        message: expect.stringMatching(/access denied.*LocalAccountTokenFilterPolicy = 1/s),
      });
      expect(await err(off.id)).toMatchObject({
        kind: 'refused',
        message: expect.stringMatching(/WinRM does not answer .*Enable-PSRemoting -Force/),
      });
      expect(await err(krb.id)).toMatchObject({
        kind: 'auth-failed',
        message: expect.stringMatching(/refused NTLM .*Kerberos-only setups are not supported/),
      });
      expect(await err(nops.id)).toMatchObject({
        kind: 'output-unparseable',
        message: expect.stringMatching(/scan script failed on the host: simulator: no PowerShell handler/),
      });
      expect(sim.stats.failedLogons).toBeGreaterThan(0);
      expect(broken.wsman.shells.size).toBe(0);
    } finally {
      await core.close();
    }
  });
});
