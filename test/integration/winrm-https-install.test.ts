/**
 * Installing Windows updates over WinRM HTTPS through the rollout engine, against the simulated Windows
 * behind a TLS listener with a self-signed certificate (as a workgroup machine's WinRM HTTPS listener has):
 * the scan pins the certificate on first contact; approve → review → install via a SYSTEM task → restart →
 * verify runs over HTTPS with that certificate only, the restart wait included; a certificate changed
 * after the scan stops the host before any request reaches the machine, in plain words.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { certificateFingerprint } from '../../electron/winrm/certificate';
import { needs } from '../helpers/needs';
import { createRollout, startToEnd } from '../rollout/engine-bench';
import { hasOpenssl, makeCertificate } from '../winrm-sim/certificate';
import { cleanupInstallBenches, installBench, WIN10_KBS } from '../winrm-sim/install-bench';
import { WinrmSimulator } from '../winrm-sim/server';
import type { SimWindowsOptions } from '../winrm-sim/windows-host';

const available = needs('the openssl CLI (makes test certificates)', hasOpenssl(), 'apt-get install openssl');

afterEach(cleanupInstallBenches);

describe.runIf(available)('Windows install over WinRM HTTPS (simulator)', () => {
  const cert = makeCertificate('WIN10-01');
  const impostor = makeCertificate('WIN10-01');

  async function bench(opts: SimWindowsOptions = {}) {
    const b = await installBench(opts, { kind: 'winrm-https', cert });
    if (!(b.sim instanceof WinrmSimulator)) throw new Error('expected the WinRM simulator');
    return { ...b, winrm: b.sim };
  }

  it('approve → review → install as SYSTEM → restart → verify over HTTPS, the certificate pinned by the scan', async () => {
    const b = await bench();
    expect(await b.call('hostKeys.list', {})).toMatchObject([
      { port: b.winrm.port, keyType: 'x509-sha256', fingerprint: certificateFingerprint(cert.der) },
    ]);
    const created = await createRollout(b.call, [b.machineId], { reboot: 'if-required' });
    const reviewed = await b.call('rollouts.review', { id: created.id });
    expect(reviewed.hosts[0]?.state).toBe('reviewed');
    expect(reviewed.hosts[0]?.items.map((i) => i.name).sort()).toEqual([...WIN10_KBS].sort());

    const done = await startToEnd(b.core, created.id);
    const host = done.hosts[0];
    expect(host?.state).toBe('succeeded');
    expect(host?.result?.missing).toEqual([]);
    expect(host?.result?.installed.map((i) => i.name).sort()).toEqual([...WIN10_KBS].sort());
    expect(host?.bootIdAfter).not.toBe('');
    expect(host?.bootIdAfter).not.toBe(host?.bootIdBefore);
    expect(b.win.restarts).toBe(1);
    expect(b.win.installRuns).toBe(1);
    expect([...b.win.installed.values()]).toEqual([1, 1, 1, 1]);
    expect(b.win.accessDenied).toBe(0);
    expect(b.win.tasks.size).toBe(0);
    expect(b.win.ops.size).toBe(0);
    // Everything went over TLS (every connection a handshake), the restart's reconnects included.
    expect(b.winrm.stats.tlsHandshakes).toBeGreaterThan(1);
    const details = await b.call('machines.scanDetails', { id: b.machineId });
    expect(details.patches).toEqual([]);
    expect(details.status?.rebootRequired).toBe(false);
  }, 120_000);

  it('a certificate changed after the scan: the review stops before any request reaches the machine', async () => {
    const b = await bench();
    const created = await createRollout(b.call, [b.machineId], { reboot: 'never' });
    b.winrm.swapCertificate(impostor);
    const requests = b.winrm.stats.requests;
    const ran = b.ex.scriptsRan.length;
    const reviewed = await b.call('rollouts.review', { id: created.id });
    const h = reviewed.hosts[0];
    expect(h?.state).toBe('failed');
    expect(h?.failureKind).toBe('host-key-changed');
    expect(h?.reason).toMatch(/certificate of .* changed since it was trusted/);
    expect(b.winrm.stats.requests).toBe(requests);
    expect(b.ex.scriptsRan).toHaveLength(ran);
    expect(b.win.installRuns).toBe(0);
  }, 60_000);

  it('a certificate changed between review and start: the host stops before the pre-flight sends anything', async () => {
    const b = await bench();
    const created = await createRollout(b.call, [b.machineId], { reboot: 'always' });
    expect((await b.call('rollouts.review', { id: created.id })).hosts[0]?.state).toBe('reviewed');
    b.winrm.swapCertificate(impostor);
    const requests = b.winrm.stats.requests;
    const ran = b.ex.scriptsRan.length;
    const done = await startToEnd(b.core, created.id);
    const h = done.hosts[0];
    expect(h?.state).toBe('failed');
    expect(h?.failureKind).toBe('host-key-changed');
    expect(h?.reason).toMatch(/certificate of .* changed since it was trusted/);
    expect(b.winrm.stats.requests).toBe(requests);
    expect(b.ex.scriptsRan).toHaveLength(ran);
    expect(b.win.installRuns).toBe(0);
    expect(b.win.restarts).toBe(0);
    expect(b.win.tasks.size).toBe(0);
    // The pinned certificate is still the scan's: nothing was trusted on the way.
    expect((await b.call('hostKeys.list', {})).map((k) => k.fingerprint)).toEqual([
      certificateFingerprint(cert.der),
    ]);
  }, 60_000);

  it('a machine that comes back from the restart with another certificate fails the host, not trusted', async () => {
    const b = await bench({ rebootDownMs: 2500 });
    const created = await createRollout(b.call, [b.machineId], { reboot: 'always' });
    await b.call('rollouts.review', { id: created.id });
    await b.call('rollouts.start', { id: created.id });
    for (let i = 0; i < 600 && b.win.restarts === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(b.win.restarts).toBe(1);
    b.winrm.swapCertificate(impostor);
    await b.core.services.rollouts.wait(created.id);
    const h = (await b.call('rollouts.get', { id: created.id })).hosts[0];
    expect(h?.state).toBe('failed');
    expect(h?.failureKind).toBe('host-key-changed');
    expect(h?.reason).toMatch(/certificate of .* changed since it was trusted/);
    expect(b.win.installRuns).toBe(1);
    expect(b.win.restarts).toBe(1);
  }, 120_000);
});
