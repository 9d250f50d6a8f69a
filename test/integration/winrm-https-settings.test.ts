/**
 * WinRM HTTPS as the rest of Patchbay sees it, on a real SQLite file through the handlers the UI and CLI
 * use: a machine's HTTP/HTTPS and Basic choices (Basic only with HTTPS, also in the database), and
 * certificate pins stored beside host keys (listed, audited, forgotten), used by the client against the
 * simulator.
 */
import { describe, expect, it } from 'vitest';

import { runCli } from '../../electron/cli/main';
import { auditedHostKeys } from '../../electron/scan/host-key-audit';
import { trustHostKey } from '../../electron/ssh/host-keys';
import { CERT_KEY_TYPE, seenCertificate } from '../../electron/winrm/cert-pin';
import { certificateFingerprint } from '../../electron/winrm/certificate';
import { WinrmClient } from '../../electron/winrm/client';
import type { WinrmError } from '../../electron/winrm/errors';
import { ApiError } from '../../shared/wire';
import { sshMachine } from '../helpers/inventory';
import { needs } from '../helpers/needs';
import { fileCore, tempDir } from '../helpers/temp';
import { hasOpenssl, makeCertificate } from '../winrm-sim/certificate';
import { ScriptedExecutor } from '../winrm-sim/executor';
import { WinrmSimulator } from '../winrm-sim/server';

const available = needs('the openssl CLI (makes test certificates)', hasOpenssl(), 'apt-get install openssl');
const winrm = (over = {}) =>
  sshMachine('win01', '127.0.0.1', { transport: 'winrm', port: 5986, username: 'Technician', ...over });

describe('a machine’s WinRM transport choices', () => {
  it('stores HTTPS and Basic, keeps them when an edit leaves them out, audits a change', async () => {
    const { core } = fileCore();
    const m = await core.handlers['machines.create']({
      machine: winrm({ winrmHttps: true, winrmBasic: true }),
    });
    expect([m.winrmHttps, m.winrmBasic]).toEqual([true, true]);
    // An edit that does not name them (an import, an older client) keeps them.
    const kept = await core.handlers['machines.update']({ id: m.id, machine: winrm({ notes: 'x' }) });
    expect([kept.winrmHttps, kept.winrmBasic]).toEqual([true, true]);
    const before = core.services.audit.list({}).total;
    const http = await core.handlers['machines.update']({
      id: m.id,
      machine: winrm({ port: 5985, winrmHttps: false, winrmBasic: false }),
    });
    expect([http.winrmHttps, http.winrmBasic]).toEqual([false, false]);
    const [entry] = core.services.audit.list({ limit: 1 }).items;
    expect(core.services.audit.list({}).total).toBe(before + 1);
    expect(entry?.detail.changed).toMatchObject({
      winrmHttps: { from: true, to: false },
      winrmBasic: { from: true, to: false },
    });
    // A fresh machine defaults to HTTP and NTLM.
    const plain = await core.handlers['machines.create']({ machine: winrm({ address: '192.0.2.7' }) });
    expect([plain.winrmHttps, plain.winrmBasic]).toEqual([false, false]);
  });

  it('refuses Basic without HTTPS, in the request and in the database', async () => {
    const { core } = fileCore();
    const err = await core.handlers['machines.create']({ machine: winrm({ winrmBasic: true }) }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toMatch(/only used with WinRM over HTTPS/);
    const m = await core.handlers['machines.create']({
      machine: winrm({ winrmHttps: true, winrmBasic: true }),
    });
    // Turning HTTPS off while Basic stays on (left out of the edit) is refused too.
    await expect(
      core.handlers['machines.update']({ id: m.id, machine: winrm({ winrmHttps: false }) }),
    ).rejects.toThrow(/only used with WinRM over HTTPS/);
    expect(() => core.db.prepare('UPDATE machines SET winrm_https = 0 WHERE id = ?').run(m.id)).toThrow(
      /CHECK constraint failed/,
    );
  });
});

describe('the CLI’s machines add', () => {
  it('adds a WinRM HTTPS machine (port 5986 by default), Basic only with WinRM', async () => {
    const dir = tempDir();
    let out = '';
    let err = '';
    const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t) };
    const add = (...args: string[]) =>
      runCli(['--data-dir', dir, 'machines', 'add', '--user', 'Technician', '--json', ...args], io);
    expect(await add('--address', 'win01', '--transport', 'winrm', '--winrm-https', '--winrm-basic')).toBe(0);
    expect(JSON.parse(out)).toMatchObject({
      port: 5986,
      transport: 'winrm',
      winrmHttps: true,
      winrmBasic: true,
    });
    expect(await add('--address', 'lin01', '--winrm-https')).toBe(2);
    expect(err).toMatch(/need --transport winrm/);
    expect(await add('--address', 'win02', '--transport', 'winrm', '--winrm-basic')).toBe(1);
    expect(err).toMatch(/only used with WinRM over HTTPS/);
  });
});

describe.runIf(available)('certificate pins beside host keys', () => {
  it('trusted, listed, used by the client; pinned on first use with an audit entry; forgotten', async () => {
    const { core } = fileCore();
    const cert = makeCertificate('WIN10-01');
    const sim = new WinrmSimulator({
      users: { technician: 'pw' },
      executor: new ScriptedExecutor().on(/^hostname$/, (c) => (c.stdout('WIN10-01\r\n'), 0)).execute,
      tls: cert,
      cbtHardening: 'strict',
    });
    await sim.start();
    const endpoint = { address: '127.0.0.1', port: sim.port };
    const run = (policy: 'pinned-only' | 'trust-on-first-use') => {
      const store = auditedHostKeys(core.repos.hostKeys, core.services.audit);
      const c = new WinrmClient({
        host: '127.0.0.1',
        port: sim.port,
        scheme: 'https',
        user: 'technician',
        password: 'pw',
        trust: { store, policy },
      });
      return c.run('hostname').finally(() => c.close());
    };
    try {
      const unknown = (await run('pinned-only').catch((e: unknown) => e)) as WinrmError;
      expect(unknown.kind).toBe('certificate-unknown');
      // The trust request the scan's "Trust and rescan" makes (scan.trustHostKey → trustHostKey).
      trustHostKey(core.repos.hostKeys, endpoint, unknown.problem!.certificate, 7);
      expect(await core.handlers['hostKeys.list']({})).toEqual([
        {
          ...endpoint,
          keyType: CERT_KEY_TYPE,
          fingerprint: certificateFingerprint(cert.der),
          trustedAt: 7,
          source: 'user',
        },
      ]);
      expect((await run('pinned-only')).exitCode).toBe(0);

      const forgotten = await core.handlers['hostKeys.forget'](endpoint);
      expect(forgotten.removed).toBe(1);
      expect(core.services.audit.list({ limit: 1 }).items[0]).toMatchObject({ action: 'hostkey.forgotten' });
      expect((await run('trust-on-first-use')).exitCode).toBe(0);
      expect(core.services.audit.list({ limit: 1 }).items[0]).toMatchObject({
        action: 'hostkey.trusted',
        detail: { keyType: CERT_KEY_TYPE, fingerprint: certificateFingerprint(cert.der), firstUse: true },
      });
      // Something that is not the certificate it claims to be is not trusted.
      const other = seenCertificate(makeCertificate('OTHER').der);
      expect(() =>
        trustHostKey(core.repos.hostKeys, endpoint, { ...other, key: cert.der.toString('base64') }, 8),
      ).toThrow(/does not match/);
      expect(core.services.audit.verify()).toMatchObject({ ok: true });
    } finally {
      await sim.stop();
    }
  });
});
