import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

import { cacheDir } from './base-tree';
import { run } from './run';

/** An ed25519 host key pair as files' contents. */
export interface HostKey {
  privateKey: string;
  publicKey: string;
}

/** OpenSSH's `SHA256:…` fingerprint of a public key line (`ssh-ed25519 AAAA… comment`). */
export function fingerprintSha256(publicKeyLine: string): string {
  const blob = publicKeyLine.trim().split(/\s+/)[1];
  if (!blob) throw new Error('not an OpenSSH public key line');
  const digest = crypto.createHash('sha256').update(Buffer.from(blob, 'base64')).digest('base64');
  return `SHA256:${digest.replace(/=+$/, '')}`;
}

/** Generates a fresh ed25519 key pair with ssh-keygen (ed25519: milliseconds, where RSA costs ~0.6 s). */
export async function generateHostKey(name: string, scratchDir: string): Promise<HostKey> {
  const dir = await fsp.mkdtemp(path.join(scratchDir, 'hostkey-'));
  try {
    const file = path.join(dir, 'ssh_host_ed25519_key');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `root@${name}`, '-f', file]);
    return {
      privateKey: await fsp.readFile(file, 'utf8'),
      publicKey: await fsp.readFile(`${file}.pub`, 'utf8'),
    };
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

/**
 * The host key of target `name`, generated once and cached under cacheDir()/host-keys/<name>, so a
 * restarted target (or the next test run) presents the same key, as a real host does.
 */
export async function cachedHostKey(name: string): Promise<HostKey> {
  const dir = path.join(cacheDir(), 'host-keys', name);
  const file = path.join(dir, 'ssh_host_ed25519_key');
  if (!fs.existsSync(`${file}.pub`)) {
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    const key = await generateHostKey(name, dir);
    // Private key first, public key last: the .pub's presence marks a complete pair.
    await fsp.writeFile(`${file}.tmp`, key.privateKey, { mode: 0o600 });
    await fsp.rename(`${file}.tmp`, file);
    await fsp.writeFile(`${file}.pub.tmp`, key.publicKey);
    await fsp.rename(`${file}.pub.tmp`, `${file}.pub`);
  }
  return {
    privateKey: await fsp.readFile(file, 'utf8'),
    publicKey: await fsp.readFile(`${file}.pub`, 'utf8'),
  };
}

/** The `SHA256:…` fingerprint of the ed25519 key an SSH server serves (ssh-keyscan), or null. */
export async function servedFingerprint(address: string, port: number): Promise<string | null> {
  const scan = await run('ssh-keyscan', ['-T', '5', '-t', 'ed25519', '-p', String(port), address], {
    allowFail: true,
  });
  const line = scan.stdout.split('\n').find((l) => l.includes(' ssh-ed25519 '));
  return line ? fingerprintSha256(line.split(/\s+/).slice(1).join(' ')) : null;
}
