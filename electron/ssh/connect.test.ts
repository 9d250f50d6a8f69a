import { describe, expect, it } from 'vitest';

import { type HostKeyCheck, verifyHostKey } from './connect';
import type { PinnedHostKey } from './host-keys';

// Two ed25519 public keys and their fingerprints as `ssh-keygen -l` printed them.
const KEY = 'AAAAC3NzaC1lZDI1NTE5AAAAIKzfHS3jICnL45u8Ir1HAHU0x5dalhr3Hxd/MaaIWgke';
const FP = 'SHA256:dAd1iwKqcDNA4eGvUoCY5d2DZV5IXpDKz1iQGzm30h8';
const OTHER = 'AAAAC3NzaC1lZDI1NTE5AAAAIJJFm8V+RdDBrF7M1r1O26RI4GqatxOH4s13xDXCwr+g';
const OTHER_FP = 'SHA256:xL/eONIX0fLgJtAtLQKc+3uavpI+yBF1nY7syuIBmoQ';
const DB01 = { name: 'db01', address: '192.0.2.5', port: 22 };
const PINNED: PinnedHostKey[] = [
  {
    address: '192.0.2.5',
    port: 22,
    keyType: 'ssh-ed25519',
    key: KEY,
    fingerprint: FP,
    trustedAt: 1,
    source: 'user',
  },
];
const blob = (b64: string) => Buffer.from(b64, 'base64');
const fresh = (): HostKeyCheck => ({ refusal: null, toPin: null, hostKey: null });

describe("ssh2's host verifier", () => {
  it('refuses a changed key under either policy, before any login, and keeps why', () => {
    for (const policy of ['pinned-only', 'trust-on-first-use'] as const) {
      const check = fresh();
      expect(verifyHostKey(DB01, blob(OTHER), PINNED, policy, check)).toBe(false);
      expect(check.refusal?.kind).toBe('host-key-changed');
      expect(check.refusal?.message).toContain(OTHER_FP);
      expect(check.toPin).toBeNull();
      expect(check.hostKey).toBeNull();
    }
  });

  it('refuses an unknown key under pinned-only', () => {
    const check = fresh();
    expect(verifyHostKey(DB01, blob(KEY), [], 'pinned-only', check)).toBe(false);
    expect(check.refusal?.kind).toBe('host-key-unknown');
    expect(check.toPin).toBeNull();
  });

  it('accepts the pinned key without pinning anything', () => {
    const check = fresh();
    expect(verifyHostKey(DB01, blob(KEY), PINNED, 'pinned-only', check)).toBe(true);
    expect(check).toEqual({
      refusal: null,
      toPin: null,
      hostKey: { keyType: 'ssh-ed25519', fingerprint: FP, pinnedNow: false },
    });
  });

  it('accepts an unknown key under trust-on-first-use, to be pinned after the key exchange', () => {
    const check = fresh();
    expect(verifyHostKey(DB01, blob(OTHER), [], 'trust-on-first-use', check)).toBe(true);
    expect(check.toPin?.equals(blob(OTHER))).toBe(true);
    expect(check.hostKey).toEqual({ keyType: 'ssh-ed25519', fingerprint: OTHER_FP, pinnedNow: true });
    expect(check.refusal).toBeNull();
  });
});
