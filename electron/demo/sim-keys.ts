import fs from 'node:fs';
import path from 'node:path';

import type { ParsedKey } from 'ssh2';

import { fingerprint } from '../ssh/host-keys';
import { sshUtils as utils } from './ssh2-module';

/** An ed25519 key pair in OpenSSH format, and what an SSH client sees of its public half. */
export interface SimKey {
  /** OpenSSH private key text. */
  privateKey: string;
  /** `ssh-ed25519 AAAA…` line, as in authorized_keys. */
  publicKey: string;
  keyType: string;
  /** Base64 of the public key blob, as the host-key store keeps it. */
  key: string;
  /** OpenSSH `SHA256:…` fingerprint. */
  fingerprint: string;
}

type Pair = { private: string; public: string };

const parsed = (text: string): ParsedKey | null => {
  const k = utils.parseKey(text);
  const one = Array.isArray(k) ? k[0] : k;
  return one && !(one instanceof Error) ? one : null;
};

/** Fills in the public facts of a pair; null when ssh2 cannot read it back. */
function describe(pair: Pair): SimKey | null {
  const priv = parsed(pair.private);
  const pub = parsed(pair.public);
  if (!priv || !pub) return null;
  const blob = pub.getPublicSSH();
  return {
    privateKey: pair.private,
    publicKey: pair.public.trim(),
    keyType: pub.type,
    key: blob.toString('base64'),
    fingerprint: fingerprint(blob),
  };
}

/**
 * A fresh ed25519 key pair. ssh2 1.17's generator strips every leading zero byte of the public key
 * (mscdex/ssh2#1390, #1513), so about one key in 256 comes out malformed and unreadable by ssh2 itself:
 * such keys are thrown away and generated again.
 */
export function generateKey(): SimKey {
  for (let attempt = 0; attempt < 32; attempt++) {
    const key = describe(utils.generateKeyPairSync('ed25519'));
    if (key) return key;
  }
  throw new Error('ssh2 kept generating unreadable ed25519 keys');
}

/**
 * Host keys by host name, kept in one JSON file so a fleet keeps its keys from run to run (stable
 * fingerprints, and no key generation on the hot path of a 1,000-host benchmark). Without a file the keys
 * live only in memory.
 */
export function hostKeyCache(file: string | null) {
  const pairs = new Map<string, Pair>();
  if (file) {
    try {
      const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Pair>;
      for (const [name, pair] of Object.entries(stored)) pairs.set(name, pair);
    } catch {
      // Missing or unreadable: start empty, the file is rewritten on save().
    }
  }
  let dirty = false;
  return {
    /** The key of a host, generated on first use. */
    get(name: string): SimKey {
      const stored = pairs.get(name);
      const known = stored ? describe(stored) : null;
      if (known) return known;
      const key = generateKey();
      pairs.set(name, { private: key.privateKey, public: key.publicKey });
      dirty = true;
      return key;
    },
    /** Writes new keys to the file (atomically: parallel runs may share the cache). */
    save(): void {
      if (!file || !dirty) return;
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(Object.fromEntries(pairs)), { mode: 0o600 });
      fs.renameSync(tmp, file);
      dirty = false;
    },
  };
}
