import { createRequire } from 'node:module';

import { describe, expect, it } from 'vitest';

import { openDatabase } from '../db/open';
import { hostKeysRepo } from '../db/repos/host-keys';
import {
  decideHostKey,
  fingerprint,
  hostKeyAlgorithms,
  isDefaultHostKeyOrder,
  keyTypeOf,
  memoryHostKeyStore,
  type PinnedHostKey,
  trustHostKey,
} from './host-keys';

// An ed25519 public key and its fingerprint as `ssh-keygen -l` printed them.
const KEY = 'AAAAC3NzaC1lZDI1NTE5AAAAIKzfHS3jICnL45u8Ir1HAHU0x5dalhr3Hxd/MaaIWgke';
const FP = 'SHA256:dAd1iwKqcDNA4eGvUoCY5d2DZV5IXpDKz1iQGzm30h8';
const OTHER = 'AAAAC3NzaC1lZDI1NTE5AAAAIJJFm8V+RdDBrF7M1r1O26RI4GqatxOH4s13xDXCwr+g';
const OTHER_FP = 'SHA256:xL/eONIX0fLgJtAtLQKc+3uavpI+yBF1nY7syuIBmoQ';
const blob = (b64: string) => Buffer.from(b64, 'base64');
const DB01 = { name: 'db01', address: '192.0.2.5', port: 22 };
const pinned = (key: string, fp: string, keyType = 'ssh-ed25519'): PinnedHostKey => ({
  address: '192.0.2.5',
  port: 22,
  keyType,
  key,
  fingerprint: fp,
  trustedAt: 1,
  source: 'user',
});

describe('host keys', () => {
  it("fingerprints like OpenSSH and reads the key's type", () => {
    expect(fingerprint(blob(KEY))).toBe(FP);
    expect(keyTypeOf(blob(KEY))).toBe('ssh-ed25519');
    expect(keyTypeOf(Buffer.from([0, 0, 0, 9, 1]))).toBeNull();
  });

  it('accepts the pinned key, refuses an unknown one under pinned-only, pins it under TOFU', () => {
    expect(decideHostKey(DB01, blob(KEY), [pinned(KEY, FP)], 'pinned-only')).toEqual({ action: 'accept' });
    expect(decideHostKey(DB01, blob(KEY), [], 'trust-on-first-use')).toEqual({ action: 'pin' });
    const d = decideHostKey(DB01, blob(KEY), [], 'pinned-only');
    expect(d.action === 'refuse' && d.error.kind).toBe('host-key-unknown');
    expect(d.action === 'refuse' && d.error.hostKey).toEqual({
      keyType: 'ssh-ed25519',
      fingerprint: FP,
      key: KEY,
    });
  });

  it('refuses a changed key under every policy, naming both fingerprints', () => {
    for (const policy of ['pinned-only', 'trust-on-first-use'] as const) {
      const d = decideHostKey(DB01, blob(OTHER), [pinned(KEY, FP)], policy);
      if (d.action !== 'refuse') throw new Error('accepted a changed key');
      expect(d.error.kind).toBe('host-key-changed');
      expect(d.error.message).toContain(`it was ${FP} and is now ${OTHER_FP}`);
      expect(d.error.message).toMatch(/^The host key of db01 \(192.0.2.5:22\) changed since it was trusted/);
    }
  });

  it('treats a key of another type, where one type is pinned, as changed', () => {
    const d = decideHostKey(
      DB01,
      blob(KEY),
      [pinned(OTHER, OTHER_FP, 'ecdsa-sha2-nistp256')],
      'trust-on-first-use',
    );
    expect(d.action === 'refuse' && d.error.kind).toBe('host-key-changed');
    expect(d.action === 'refuse' && d.error.message).toMatch(
      /a ssh-ed25519 key, where a ecdsa-sha2-nistp256/,
    );
  });

  it('asks the server for the pinned key types first', () => {
    expect(hostKeyAlgorithms(['ssh-rsa']).slice(0, 3)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(hostKeyAlgorithms([])[0]).toBe('ssh-ed25519');
  });

  it("knows when the pinned order is ssh2's default, so that no list need be passed", () => {
    // Passing no list is the same only while ssh2's default is our default order: an ssh2 update that
    // changes its default must fail here.
    const ssh2Default = (
      createRequire(import.meta.url)('ssh2/lib/protocol/constants.js') as {
        DEFAULT_SERVER_HOST_KEY: string[];
      }
    ).DEFAULT_SERVER_HOST_KEY;
    expect(isDefaultHostKeyOrder(ssh2Default)).toBe(true);
    expect(isDefaultHostKeyOrder(hostKeyAlgorithms(['ssh-ed25519']))).toBe(true);
    expect(isDefaultHostKeyOrder(hostKeyAlgorithms([]))).toBe(true);
    expect(isDefaultHostKeyOrder(hostKeyAlgorithms(['ecdsa-sha2-nistp256']))).toBe(false);
    expect(isDefaultHostKeyOrder(hostKeyAlgorithms(['ssh-rsa']))).toBe(false);
    expect(isDefaultHostKeyOrder(hostKeyAlgorithms(['ssh-ed25519']).slice(1))).toBe(false);
  });

  it('trusts only a key whose fingerprint matches it', () => {
    const store = memoryHostKeyStore();
    expect(() =>
      trustHostKey(store, DB01, { keyType: 'ssh-ed25519', fingerprint: OTHER_FP, key: KEY }, 5),
    ).toThrow(/does not match/);
    trustHostKey(
      store,
      { ...DB01, address: 'DB01.Example.COM' },
      { keyType: 'ssh-ed25519', fingerprint: FP, key: KEY },
      5,
    );
    expect(store.list('db01.example.com', 22)).toEqual([
      {
        address: 'db01.example.com',
        port: 22,
        keyType: 'ssh-ed25519',
        key: KEY,
        fingerprint: FP,
        trustedAt: 5,
        source: 'user',
      },
    ]);
  });

  it('stores pinned keys in SQLite (migration 0002) per address, port and type', () => {
    const db = openDatabase({ path: ':memory:' });
    try {
      const repo = hostKeysRepo(db);
      repo.pin({ ...pinned(KEY, FP), address: 'DB01.example.com' });
      repo.pin({ ...pinned(OTHER, OTHER_FP), address: 'db01.example.com', source: 'tofu', trustedAt: 2 });
      repo.pin({ ...pinned(KEY, FP, 'ecdsa-sha2-nistp256'), address: 'db01.example.com', port: 2222 });
      expect(repo.list('db01.EXAMPLE.com', 22)).toEqual([
        {
          address: 'db01.example.com',
          port: 22,
          keyType: 'ssh-ed25519',
          key: OTHER,
          fingerprint: OTHER_FP,
          trustedAt: 2,
          source: 'tofu',
        },
      ]);
      expect(repo.all()).toHaveLength(2);
      expect(repo.remove('db01.example.com', 2222, 'ssh-ed25519')).toBe(0);
      expect(repo.remove('db01.example.com', 2222)).toBe(1);
      expect(() =>
        db.prepare("INSERT INTO host_keys VALUES ('UPPER', 22, 't', 'k', 'f', 1, 'user')").run(),
      ).toThrow(/CHECK/);
      expect(() => repo.pin({ ...pinned(KEY, FP), source: 'other' as never })).toThrow(/CHECK/);
    } finally {
      db.close();
    }
  });
});
