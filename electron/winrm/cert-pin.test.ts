import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { needs } from '../../test/helpers/needs';
import { hasOpenssl, makeCertificate } from '../../test/winrm-sim/certificate';
import { memoryHostKeyStore } from '../ssh/host-keys';
import { CERT_KEY_TYPE, decideCertificate, seenCertificate, trustCertificate } from './cert-pin';
import {
  certificateFingerprint,
  certificateThumbprint,
  signatureHash,
  tlsServerEndPoint,
} from './certificate';
import type { WinrmError } from './errors';

const available = needs('the openssl CLI (makes test certificates)', hasOpenssl(), 'apt-get install openssl');
const endpoint = { name: 'WIN10-01', address: '192.0.2.10', port: 5986 };

describe.runIf(available)('WinRM HTTPS certificate pinning', () => {
  const a = makeCertificate('WIN10-01');
  const b = makeCertificate('WIN10-01');

  it('fingerprints as openssl does (SHA-256 hex with colons) and thumbprints as Windows lists it (SHA-1)', () => {
    const openssl = (digest: string) =>
      execFileSync('openssl', ['x509', '-noout', '-fingerprint', `-${digest}`], { input: a.cert })
        .toString()
        .trim()
        .split('=')[1];
    expect(certificateFingerprint(a.der)).toBe(openssl('sha256'));
    expect(certificateThumbprint(a.der)).toBe(openssl('sha1')?.replace(/:/g, ''));
    expect(certificateFingerprint(a.der)).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('first contact: refused as not trusted yet, naming the fingerprint; trusted, then accepted', () => {
    const store = memoryHostKeyStore();
    const first = decideCertificate(endpoint, a.der, store.list('192.0.2.10', 5986), 'pinned-only', 1);
    expect(first.action).toBe('refuse');
    const error = (first as { error: WinrmError }).error;
    expect(error.kind).toBe('certificate-unknown');
    expect(error.message).toContain(certificateFingerprint(a.der));
    expect(error.message).toContain(certificateThumbprint(a.der));
    expect(error.problem?.certificate).toEqual(seenCertificate(a.der));

    const pin = trustCertificate(store, endpoint, error.problem!.certificate, 1000);
    expect(pin).toMatchObject({ keyType: CERT_KEY_TYPE, source: 'user', port: 5986, trustedAt: 1000 });
    expect(decideCertificate(endpoint, a.der, store.list('192.0.2.10', 5986), 'pinned-only', 2)).toEqual({
      action: 'accept',
    });
  });

  it('a changed certificate is refused under every policy, naming both fingerprints', () => {
    const store = memoryHostKeyStore();
    trustCertificate(store, endpoint, seenCertificate(a.der), 1);
    for (const policy of ['pinned-only', 'trust-on-first-use'] as const) {
      const d = decideCertificate(endpoint, b.der, store.list('192.0.2.10', 5986), policy, 2);
      const error = (d as { error: WinrmError }).error;
      expect(error.kind).toBe('certificate-changed');
      expect(error.message).toContain(`was SHA-256 ${certificateFingerprint(a.der)}`);
      expect(error.message).toContain(`now SHA-256 ${certificateFingerprint(b.der)}`);
      expect(error.problem?.pinnedFingerprint).toBe(certificateFingerprint(a.der));
    }
  });

  it('trust on first use pins (source tofu); SSH keys of the same endpoint are not a certificate pin', () => {
    const ssh = {
      address: '192.0.2.10',
      port: 5986,
      keyType: 'ssh-ed25519',
      key: 'AAAA',
      fingerprint: 'SHA256:x',
      trustedAt: 1,
      source: 'user' as const,
    };
    const d = decideCertificate(endpoint, a.der, [ssh], 'trust-on-first-use', 5);
    expect(d).toMatchObject({ action: 'pin', pin: { keyType: CERT_KEY_TYPE, source: 'tofu', trustedAt: 5 } });
  });

  it('refuses to trust a certificate whose fingerprint does not match it, or that is not one', () => {
    const store = memoryHostKeyStore();
    const seen = seenCertificate(a.der);
    expect(() =>
      trustCertificate(store, endpoint, { ...seen, fingerprint: certificateFingerprint(b.der) }, 1),
    ).toThrow(/does not match/);
    const junk = Buffer.from('not a certificate');
    const fake = { ...seen, key: junk.toString('base64'), fingerprint: certificateFingerprint(junk) };
    expect(() => trustCertificate(store, endpoint, fake, 1)).toThrow(/does not match/);
    expect(store.all()).toEqual([]);
  });

  it('channel bindings hash with the signature hash; MD5/SHA-1 signatures become SHA-256 (RFC 5929 4.1)', () => {
    const cases = [
      ['sha1', 'sha256'],
      ['sha256', 'sha256'],
      ['sha384', 'sha384'],
      ['sha512', 'sha512'],
    ] as const;
    for (const [signed, expected] of cases) {
      const c = makeCertificate('WIN10-01', signed);
      expect(signatureHash(c.der)).toBe(signed);
      const cb = tlsServerEndPoint(c.der);
      expect(cb.subarray(0, 21).toString()).toBe('tls-server-end-point:');
      expect(cb.subarray(21).equals(createHash(expected).update(c.der).digest())).toBe(true);
    }
  });

  it('reads the hash of an RSASSA-PSS signature from its parameters', () => {
    const pss = makeCertificate('WIN10-01', 'sha384', 'rsa', ['-sigopt', 'rsa_padding_mode:pss']);
    expect(signatureHash(pss.der)).toBe('sha384');
    expect(() => signatureHash(Buffer.from([0x30, 0x05, 0x30]))).toThrow(/truncated|runs past/);
  });
});
