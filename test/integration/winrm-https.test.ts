/**
 * WinRM over HTTPS: Patchbay's client against the simulator's TLS listener on loopback. The certificate is
 * pinned like an SSH host key (first contact refused with its fingerprint, trusted, then used; a swapped
 * certificate refused before anything is sent), NTLM carries the certificate's channel bindings, bodies go
 * plain inside TLS, and Basic is used only over HTTPS when enabled.
 */
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';

import { afterEach, describe, expect, it } from 'vitest';

import { type HostKeyPolicy, memoryHostKeyStore } from '../../electron/ssh/host-keys';
import { CERT_KEY_TYPE, trustCertificate } from '../../electron/winrm/cert-pin';
import { certificateFingerprint } from '../../electron/winrm/certificate';
import { WinrmClient } from '../../electron/winrm/client';
import { WinrmError } from '../../electron/winrm/errors';
import type { WinrmTarget } from '../../electron/winrm/http-transport';
import { needs } from '../helpers/needs';
import { hasOpenssl, makeCertificate } from '../winrm-sim/certificate';
import { ScriptedExecutor } from '../winrm-sim/executor';
import { type SimulatorOptions, WinrmSimulator } from '../winrm-sim/server';

const available = needs('the openssl CLI (makes test certificates)', hasOpenssl(), 'apt-get install openssl');
const USER = 'Technician';
const PASSWORD = 'Pässword-123';

let sim: WinrmSimulator | undefined;
const closers: (() => void)[] = [];
afterEach(async () => {
  closers.splice(0).forEach((c) => c());
  await sim?.stop();
  sim = undefined;
});

function executor(): ScriptedExecutor {
  return new ScriptedExecutor().on(/^hostname$/, (cmd) => {
    cmd.stdout('WIN10-01\r\n');
    return 0;
  });
}

async function start(extra: Partial<SimulatorOptions> = {}) {
  const ex = executor();
  sim = new WinrmSimulator({ users: { technician: PASSWORD }, executor: ex.execute, ...extra });
  await sim.start();
  return { sim, ex };
}

function client(
  port: number,
  store = memoryHostKeyStore(),
  extra: Partial<WinrmTarget> = {},
  policy: HostKeyPolicy = 'pinned-only',
) {
  const c = new WinrmClient(
    {
      host: '127.0.0.1',
      port,
      scheme: 'https',
      user: USER,
      password: PASSWORD,
      trust: { store, policy, name: 'WIN10-01', now: () => 42 },
      ...extra,
    },
    1,
  );
  closers.push(() => c.close());
  return c;
}

/** Waits for a state the simulator reaches (no wall-clock guess of how long that takes). */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as WinrmError,
  );

describe.runIf(available)('WinRM over HTTPS with a pinned certificate', () => {
  const certA = makeCertificate('WIN10-01');
  const certB = makeCertificate('WIN10-01');

  it('first contact: not trusted yet, with the fingerprint, and not one HTTP request sent', async () => {
    const { sim, ex } = await start({ tls: certA, cbtHardening: 'strict' });
    const store = memoryHostKeyStore();
    const err = await failure(client(sim.port, store).run('hostname'));
    expect(err).toBeInstanceOf(WinrmError);
    expect(err?.kind).toBe('certificate-unknown');
    expect(err?.message).toContain(`not trusted yet: SHA-256 ${certificateFingerprint(certA.der)}`);
    expect(err?.problem?.certificate.fingerprint).toBe(certificateFingerprint(certA.der));
    // Once the refused connection is gone on the machine's side, everything it carried has been read.
    await until(() => sim.openConnections === 0);
    expect(sim.stats.connections).toBe(1);
    expect(sim.stats.requests).toBe(0);
    expect(ex.ran).toEqual([]);
    expect(store.all()).toEqual([]);

    // The user compares and trusts it; the rescan runs over one TLS connection with one NTLM handshake.
    trustCertificate(store, { address: '127.0.0.1', port: sim.port }, err!.problem!.certificate, 1);
    const c = client(sim.port, store);
    const r = await c.run('hostname');
    expect([r.stdout.toString(), r.exitCode]).toEqual(['WIN10-01\r\n', 0]);
    expect((await c.run('hostname')).exitCode).toBe(0);
    expect(sim.stats.handshakes).toBe(1);
    expect(sim.stats.failedLogons).toBe(0);
    expect(sim.wsman.shells.size).toBe(0);
    expect(c.transport.url).toBe(`https://127.0.0.1:${sim.port}/wsman`);
  });

  it('a swapped certificate is refused naming both fingerprints; nothing is sent after the handshake', async () => {
    const { sim, ex } = await start({ tls: certA });
    const store = memoryHostKeyStore();
    const c = client(sim.port, store, {}, 'trust-on-first-use');
    expect((await c.run('hostname')).exitCode).toBe(0);
    expect(store.all().map((k) => [k.keyType, k.source, k.fingerprint])).toEqual([
      [CERT_KEY_TYPE, 'tofu', certificateFingerprint(certA.der)],
    ]);
    const requests = sim.stats.requests;
    sim.swapCertificate(certB);
    const err = await failure(c.run('hostname'));
    await until(() => sim.openConnections === 0);
    expect(err?.kind).toBe('certificate-changed');
    expect(err?.message).toContain(`was SHA-256 ${certificateFingerprint(certA.der)}`);
    expect(err?.message).toContain(`now SHA-256 ${certificateFingerprint(certB.der)}`);
    expect(sim.stats.requests).toBe(requests);
    expect(ex.ran).toEqual(['hostname']);
    // Trust on first use never replaces a pin.
    expect(store.all().map((k) => k.fingerprint)).toEqual([certificateFingerprint(certA.der)]);
  });

  it('strict channel bindings: accepted from us directly, refused through a TLS-intercepting relay', async () => {
    const { sim, ex } = await start({ tls: certA, cbtHardening: 'strict' });
    expect((await client(sim.port, undefined, {}, 'trust-on-first-use').run('hostname')).exitCode).toBe(0);
    // A relay presenting its own certificate (the user was tricked into trusting it): our bindings name
    // that certificate, the machine expects its own, and Windows refuses the logon.
    const relay = tls.createServer({ ...certB }, (down) => {
      const up = tls.connect({ host: '127.0.0.1', port: sim.port, rejectUnauthorized: false });
      down.pipe(up).pipe(down);
      down.on('error', () => up.destroy());
      up.on('error', () => down.destroy());
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    closers.push(() => relay.close());
    const viaRelay = client((relay.address() as AddressInfo).port, undefined, {}, 'trust-on-first-use');
    const err = await failure(viaRelay.run('hostname'));
    expect(err?.kind).toBe('access-denied');
    expect(err?.message).toMatch(/CbtHardeningLevel Strict/);
    expect(sim.stats.failedLogons).toBe(1);
    expect(ex.ran).toEqual(['hostname']);
  });

  it('Basic: used over HTTPS when the machine enables it; refused when it does not; never over HTTP', async () => {
    const { sim, ex } = await start({ tls: certA, basic: true });
    const basic = client(sim.port, undefined, { auth: 'basic' }, 'trust-on-first-use');
    expect((await basic.run('hostname')).exitCode).toBe(0);
    expect(sim.stats.basicLogons).toBeGreaterThan(0);
    expect(sim.stats.handshakes).toBe(0);
    const wrong = client(sim.port, undefined, { auth: 'basic', password: 'nope' }, 'trust-on-first-use');
    expect((await failure(wrong.run('hostname')))?.kind).toBe('access-denied');
    // Outside Latin-1 Basic cannot carry a password reliably: refused before anything is sent.
    const requests = sim.stats.requests;
    const euro = client(sim.port, undefined, { auth: 'basic', password: 'Pr€ss' }, 'trust-on-first-use');
    expect((await failure(euro.run('hostname')))?.message).toMatch(/Use NTLM for this machine/);
    expect(sim.stats.requests).toBe(requests);
    await sim.stop();

    const off = await start({ tls: certA });
    const refused = await failure(
      client(off.sim.port, undefined, { auth: 'basic' }, 'trust-on-first-use').run('hostname'),
    );
    expect(refused?.kind).toBe('basic-refused');
    expect(refused?.message).toMatch(/does not accept Basic/);
    await off.sim.stop();

    const http = await start({});
    const overHttp = new WinrmClient({
      host: '127.0.0.1',
      port: http.sim.port,
      user: USER,
      password: PASSWORD,
      auth: 'basic',
    });
    closers.push(() => overHttp.close());
    const e = await failure(overHttp.run('hostname'));
    expect(e?.kind).toBe('basic-refused');
    expect(e?.message).toMatch(/only used over HTTPS/);
    expect(http.sim.stats.connections).toBe(0);
    expect(ex.ran).toEqual(['hostname']);
  });

  it('says WinRM HTTPS is not enabled when the port speaks plain HTTP or nothing listens', async () => {
    const { sim } = await start({});
    const plain = await failure(client(sim.port).run('hostname'));
    expect(plain?.kind).toBe('https-not-enabled');
    expect(plain?.message).toMatch(
      /WinRM HTTPS is not enabled on 127\.0\.0\.1:\d+ \(it answers, but not with TLS.*Transport=HTTPS/s,
    );
    const port = sim.port;
    await sim.stop();
    const none = await failure(client(port).run('hostname'));
    expect(none?.kind).toBe('https-not-enabled');
    expect(none?.message).toMatch(/connection refused/);
  });

  it('re-authenticates over a new TLS connection after the machine drops the idle one', async () => {
    const { sim } = await start({ tls: certA, cbtHardening: 'strict' });
    const c = client(sim.port, undefined, {}, 'trust-on-first-use');
    expect((await c.run('hostname')).exitCode).toBe(0);
    sim.dropConnections();
    await new Promise((r) => setImmediate(r));
    expect((await c.run('hostname')).exitCode).toBe(0);
    expect(sim.stats.handshakes).toBe(2);
    expect(sim.stats.tlsHandshakes).toBe(2);
  });
});
