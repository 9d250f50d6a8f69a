import fs from 'node:fs';

import type { Logger } from '../../electron/core/logger';
import type { SshError } from '../../electron/ssh/errors';
import {
  fingerprint,
  type HostKeyStore,
  memoryHostKeyStore,
  type PinnedHostKey,
} from '../../electron/ssh/host-keys';
import type { SshAuth, SshTarget } from '../../electron/ssh/types';
import { type KeyPair, makeKey, scratchDir, type Sshd, startSshd } from './sshd';

/** A passphrase that must never show up in an error or a log. */
export const RSA_PASSPHRASE = 'Corr3ct-horse-battery-STAPLE-xyzzy';

/** Client keys shared by a test file. */
export interface ClientKeys {
  ed25519: KeyPair;
  rsa: KeyPair;
  stranger: KeyPair;
}

/** Makes the client keys: an ed25519 key, an RSA key with a passphrase, and one the server does not know. */
export function clientKeys(dir = scratchDir()): ClientKeys {
  return {
    ed25519: makeKey(dir, 'id_ed25519', 'ed25519'),
    rsa: makeKey(dir, 'id_rsa', 'rsa', RSA_PASSPHRASE),
    stranger: makeKey(dir, 'id_stranger', 'ed25519'),
  };
}

/** An sshd that accepts the ed25519 and RSA client keys for root. */
export async function sshdFor(keys: ClientKeys, extra: Partial<Parameters<typeof startSshd>[0]> = {}) {
  return startSshd({
    dir: scratchDir('patchbay-sshd-'),
    authorizedKeys: [keys.ed25519.publicKey, keys.rsa.publicKey],
    ...extra,
  });
}

/** The pinned record of a server's host key, read from its .pub file. */
export function pinnedFor(sshd: Sshd, address = '127.0.0.1'): PinnedHostKey {
  const [keyType, key] = fs.readFileSync(sshd.hostKeyPublic, 'utf8').trim().split(/\s+/);
  return {
    address,
    port: sshd.port,
    keyType: keyType as string,
    key: key as string,
    fingerprint: fingerprint(Buffer.from(key as string, 'base64')),
    trustedAt: 1,
    source: 'user',
  };
}

/** A store that already trusts these servers. */
export function storeTrusting(...servers: Sshd[]): HostKeyStore & { all(): PinnedHostKey[] } {
  return memoryHostKeyStore(servers.map((s) => pinnedFor(s)));
}

/** root@127.0.0.1 on the server's port with the given login. */
export function loopTarget(sshd: Sshd, auth: SshAuth, extra: Partial<SshTarget> = {}): SshTarget {
  return { name: 'loop', address: '127.0.0.1', port: sshd.port, username: 'root', auth, ...extra };
}

/** A logger that keeps every line as JSON text, to search it for secrets. */
export function recordingLogger(): Logger & { text(): string } {
  const lines: string[] = [];
  const write = (level: string) => (event: string, fields?: object) =>
    void lines.push(JSON.stringify({ level, event, ...fields }));
  return { info: write('info'), error: write('error'), text: () => lines.join('\n') };
}

/** What a promise rejected with, or null when it resolved. */
export function rejection(p: Promise<unknown>): Promise<SshError | null> {
  return p.then(
    () => null,
    (e: unknown) => e as SshError,
  );
}
