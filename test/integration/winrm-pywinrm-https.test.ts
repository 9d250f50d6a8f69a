/**
 * The simulator's HTTPS listener checked by an independent client: Debian's pywinrm 0.3 with
 * message_encryption='auto' (plain bodies inside TLS, as over HTTPS on Windows) and requests-ntlm's channel
 * bindings. It must get what Patchbay's client gets; bindings for another certificate (a TLS-intercepting
 * relay) must fail under CbtHardeningLevel Strict; Basic works only where the machine enables it.
 */
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';

import { afterEach, describe, expect, it } from 'vitest';

import { memoryHostKeyStore } from '../../electron/ssh/host-keys';
import { tlsServerEndPoint } from '../../electron/winrm/certificate';
import { WinrmClient } from '../../electron/winrm/client';
import { runPowerShell } from '../../electron/winrm/powershell';
import { needs } from '../helpers/needs';
import { hasOpenssl, makeCertificate } from '../winrm-sim/certificate';
import { ScriptedExecutor } from '../winrm-sim/executor';
import { type SimulatorOptions, WinrmSimulator } from '../winrm-sim/server';
import { pywinrmAvailable, runPywinrm } from './pywinrm';

const available =
  pywinrmAvailable() &&
  needs('the openssl CLI (makes test certificates)', hasOpenssl(), 'apt-get install openssl');
const USER = 'Technician';
const PASSWORD = 'Pässword-123';

interface PyResult {
  ok: boolean;
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  error?: string;
}
type Op = { kind: 'cmd'; command: string; args?: string[] } | { kind: 'ps'; script: string };
const OPS: Op[] = [
  { kind: 'cmd', command: 'ipconfig', args: ['/all'] },
  { kind: 'cmd', command: 'exit 5' },
  { kind: 'ps', script: '$PSVersionTable.PSVersion.ToString()' },
];
const text = (b64 = ''): string => Buffer.from(b64, 'base64').toString('utf8');

async function pywinrm(url: string, extra: object = {}): Promise<PyResult[]> {
  const request = { url, user: USER, password: PASSWORD, ops: OPS, encryption: 'auto', ...extra };
  return (await runPywinrm<{ results: PyResult[] }>(request)).results;
}

function executor(): ScriptedExecutor {
  return new ScriptedExecutor()
    .on(/^ipconfig \/all$/, (cmd) => {
      cmd.stdout('Windows IP Configuration\r\n'.repeat(300));
      cmd.stderr('note\r\n');
      return 0;
    })
    .on(/^exit 5$/, () => 5)
    .onPowerShell(/^\$PSVersionTable/, (_script, cmd) => {
      cmd.stdout('5.1.19041.5247\r\n');
      return 0;
    });
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(extra: Partial<SimulatorOptions>) {
  const sim = new WinrmSimulator({
    users: { technician: PASSWORD },
    executor: executor().execute,
    chunkBytes: 1500,
    ...extra,
  });
  await sim.start();
  cleanups.push(() => sim.stop());
  return sim;
}

describe.runIf(available)('pywinrm (independent WinRM client) against the simulator over HTTPS', () => {
  const cert = makeCertificate('WIN10-01', 'sha384', 'rsa');
  const relayCert = makeCertificate('MITM');

  it('requests-ntlm hashes certificates for channel bindings as Patchbay does (RFC 5929)', async () => {
    for (const c of [cert, makeCertificate('A', 'sha1'), makeCertificate('B', 'sha512'), relayCert]) {
      const { hash } = await runPywinrm<{ hash: string }>({ certificateHash: c.der.toString('base64') });
      expect(hash).toBe(tlsServerEndPoint(c.der).subarray(21).toString('hex').toUpperCase());
    }
  });

  it('NTLM with channel bindings (Strict) and plain bodies inside TLS: same results as Patchbay’s client', async () => {
    const sim = await start({ tls: cert, cbtHardening: 'strict' });
    const theirs = await pywinrm(sim.url);
    expect(theirs.map((r) => r.error ?? 'ok')).toEqual(OPS.map(() => 'ok'));
    expect(sim.stats.failedLogons).toBe(0);
    expect(sim.stats.handshakes).toBeGreaterThan(0);

    const client = new WinrmClient({
      host: '127.0.0.1',
      port: sim.port,
      scheme: 'https',
      user: USER,
      password: PASSWORD,
      trust: { store: memoryHostKeyStore(), policy: 'trust-on-first-use' },
    });
    cleanups.push(() => client.close());
    const ours = [];
    for (const op of OPS) {
      ours.push(
        op.kind === 'cmd' ? await client.run(op.command, op.args) : await runPowerShell(client, op.script),
      );
    }
    expect(theirs.map((r) => [text(r.stdout), text(r.stderr), r.exitCode])).toEqual(
      ours.map((r) => [r.stdout.toString(), r.stderr.toString(), r.exitCode]),
    );
    expect(theirs.map((r) => r.exitCode)).toEqual([0, 5, 0]);
    expect(sim.wsman.shells.size).toBe(0);
  });

  it('bindings for another certificate (through a TLS-intercepting relay) are refused under Strict', async () => {
    const sim = await start({ tls: cert, cbtHardening: 'strict' });
    const relay = tls.createServer({ ...relayCert }, (down) => {
      const up = tls.connect({ host: '127.0.0.1', port: sim.port, rejectUnauthorized: false });
      down.pipe(up).pipe(down);
      down.on('error', () => up.destroy());
      up.on('error', () => down.destroy());
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => relay.close(() => r())));
    const [r] = await pywinrm(`https://127.0.0.1:${(relay.address() as AddressInfo).port}/wsman`);
    expect(r?.ok).toBe(false);
    expect(r?.error).toBe('InvalidCredentialsError');
    expect(sim.stats.failedLogons).toBeGreaterThan(0);
    expect(sim.stats.handshakes).toBe(0);
  });

  it('Basic over HTTPS works where the machine enables it and is refused where it does not', async () => {
    const on = await start({ tls: cert, basic: true });
    const ok = await pywinrm(on.url, { transport: 'basic' });
    expect(ok.map((r) => r.exitCode)).toEqual([0, 5, 0]);
    expect(on.stats.basicLogons).toBeGreaterThan(0);
    const off = await start({ tls: cert });
    const [refused] = await pywinrm(off.url, { transport: 'basic' });
    expect(refused?.error).toBe('InvalidCredentialsError');
    expect(off.stats.basicLogons).toBe(0);
  });
});
