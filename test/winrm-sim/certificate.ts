/**
 * Self-signed certificates made at test time with the openssl CLI, as a workgroup Windows machine's
 * New-SelfSignedCertificate would make one for its WinRM HTTPS listener. Nothing is kept on disk.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { SimCertificate } from './server';

/** Whether the openssl CLI is here (tests that make certificates check it with needs()). */
export const hasOpenssl = (): boolean => spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;

/** A key, its self-signed certificate (PEM) and the certificate's DER. */
export interface MadeCertificate extends SimCertificate {
  der: Buffer;
}

/**
 * A fresh self-signed certificate for `cn`. `digest` is the signature's hash (channel bindings depend on it);
 * `key` 'ec' (P-256, fast) or 'rsa' (2048, what New-SelfSignedCertificate makes by default).
 */
export function makeCertificate(
  cn = 'WIN10-01',
  digest: 'sha1' | 'sha256' | 'sha384' | 'sha512' = 'sha256',
  key: 'ec' | 'rsa' = 'ec',
  extra: string[] = [],
): MadeCertificate {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-cert-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    const newkey =
      key === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'] : ['-newkey', 'rsa:2048'];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        ...newkey,
        '-nodes',
        `-${digest}`,
        '-days',
        '30',
        '-subj',
        `/CN=${cn}`,
        '-addext',
        `subjectAltName=DNS:${cn.toLowerCase()},IP:127.0.0.1`,
        '-keyout',
        keyFile,
        '-out',
        certFile,
        ...extra,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const cert = fs.readFileSync(certFile, 'utf8');
    return { key: fs.readFileSync(keyFile, 'utf8'), cert, der: new X509Certificate(cert).raw };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
