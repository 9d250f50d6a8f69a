/**
 * WinRM over HTTPS end to end: a machine set to WinRM HTTPS (migration 0012's column) scanned through the
 * normal scan job. First contact stops with the certificate's fingerprint and nothing sent; the user trusts
 * it from the failed result (the same "Trust and rescan" request as an SSH host key); the rescan stores the
 * Windows updates for the machine page and the Patches page; a changed certificate is refused before any
 * request reaches the machine. Basic, where the machine enables it, over HTTPS only.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { certificateFingerprint } from '../../electron/winrm/certificate';
import { sshMachine } from '../helpers/inventory';
import { needs } from '../helpers/needs';
import { fileCore } from '../helpers/temp';
import { type Call, callerOf } from '../rollout/engine-bench';
import { hasOpenssl, makeCertificate } from '../winrm-sim/certificate';
import { ScriptedExecutor } from '../winrm-sim/executor';
import { type SimulatorOptions, WinrmSimulator } from '../winrm-sim/server';
import { SERVER_2022 } from '../winrm-sim/wua-profiles';
import { onWuaScan } from '../winrm-sim/wua-sim';

const available = needs('the openssl CLI (makes test certificates)', hasOpenssl(), 'apt-get install openssl');
const USER = 'Technician';
const PASSWORD = 'Pässword-123';

const sims: WinrmSimulator[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.stop()));
});

async function simulate(o: Partial<SimulatorOptions>) {
  const ex = onWuaScan(new ScriptedExecutor({ clixml: true }), () => SERVER_2022);
  const sim = new WinrmSimulator({ users: { technician: PASSWORD }, executor: ex.execute, ...o });
  await sim.start();
  sims.push(sim);
  return { sim, ex };
}

async function setup(call: Call, port: number, basic = false) {
  const cred = await call('credentials.create', {
    credential: { name: 'winrm', kind: 'winrm-password', keyPath: '', secrets: { password: PASSWORD } },
  });
  return call('machines.create', {
    machine: sshMachine('srv2022', '127.0.0.1', {
      transport: 'winrm',
      port,
      username: USER,
      credentialId: cred.id,
      winrmHttps: true,
      winrmBasic: basic,
    }),
  });
}

describe.runIf(available)('scanning a WinRM HTTPS machine', () => {
  const cert = makeCertificate('SRV2022');
  const impostor = makeCertificate('SRV2022');

  it('first contact shows the fingerprint; trusted, scanned and stored; a changed certificate refused', async () => {
    const { core } = fileCore();
    try {
      const call = callerOf(core);
      const { sim, ex } = await simulate({ tls: cert, cbtHardening: 'strict' });
      const m = await setup(call, sim.port);
      const scan = async (trustNewHostKeys = false) => {
        const { jobId } = await call('scan.start', { machineIds: [m.id], trustNewHostKeys });
        await core.services.scanner.wait(jobId);
        return call('machines.scanDetails', { id: m.id });
      };

      const first = await scan();
      expect(first.lastError).toMatchObject({
        kind: 'host-key-unknown',
        message: expect.stringContaining(`not trusted yet: SHA-256 ${certificateFingerprint(cert.der)}`),
        hostKey: { keyType: 'x509-sha256', fingerprint: certificateFingerprint(cert.der), changed: false },
      });
      expect(sim.stats.requests).toBe(0);
      expect(ex.scriptsRan).toHaveLength(0);

      // "Trust and rescan": the certificate from the failed result is pinned (and audited).
      await call('scan.trustHostKey', { resultId: first.lastError!.resultId });
      expect(core.services.audit.list({ limit: 1 }).items[0]).toMatchObject({ action: 'hostkey.trusted' });
      const ok = await scan();
      expect(ok.lastError).toBeNull();
      expect(ok.lastOk).toMatchObject({ packageManager: 'wua', eol: { name: 'Windows Server 2022' } });
      expect(ok.patches.length).toBeGreaterThan(0);
      expect(ok.status).toMatchObject({ lastStatus: 'ok', missing: ok.patches.length });
      const fleet = await call('patches.fleet', { filter: {} });
      expect(
        fleet
          .filter((r) => r.packageManager === 'wua')
          .map((r) => r.name)
          .sort(),
      ).toEqual(ok.patches.map((p) => p.name).sort());
      expect(ex.scriptsRan).toHaveLength(1);

      // The machine now presents another certificate: refused before any request, even with TOFU asked for.
      sim.swapCertificate(impostor);
      const requests = sim.stats.requests;
      const changed = await scan(true);
      expect(changed.lastError).toMatchObject({
        kind: 'host-key-changed',
        message: expect.stringMatching(/certificate of .* changed since it was trusted/),
        hostKey: {
          fingerprint: certificateFingerprint(impostor.der),
          previousFingerprint: certificateFingerprint(cert.der),
          changed: true,
        },
      });
      expect(sim.stats.requests).toBe(requests);
      expect(ex.scriptsRan).toHaveLength(1);
      // The stored results are the last good ones, untouched.
      expect(changed.lastOk?.at).toBe(ok.lastOk?.at);
    } finally {
      await core.close();
    }
  });

  it('trusts on first use when the scan asks for it; Basic where the machine enables it', async () => {
    const { core } = fileCore();
    try {
      const call = callerOf(core);
      const { sim } = await simulate({ tls: cert, basic: true });
      const m = await setup(call, sim.port, true);
      const { jobId } = await call('scan.start', { machineIds: [m.id], trustNewHostKeys: true });
      await core.services.scanner.wait(jobId);
      const d = await call('machines.scanDetails', { id: m.id });
      expect(d.lastError).toBeNull();
      expect(d.status?.lastStatus).toBe('ok');
      expect(sim.stats.basicLogons).toBeGreaterThan(0);
      expect(sim.stats.handshakes).toBe(0);
      expect(await call('hostKeys.list', {})).toMatchObject([
        { port: sim.port, keyType: 'x509-sha256', fingerprint: certificateFingerprint(cert.der) },
      ]);
    } finally {
      await core.close();
    }
  });
});
