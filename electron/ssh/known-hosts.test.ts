import { describe, expect, it } from 'vitest';

import { memoryHostKeyStore } from './host-keys';
import { hostFieldMatches, importKnownHosts, matchKnownHosts, parseKnownHosts } from './known-hosts';

// Keys, fingerprints and hashed lines made with ssh-keygen (-t, -l, -H).
const K1 = 'AAAAC3NzaC1lZDI1NTE5AAAAIKzfHS3jICnL45u8Ir1HAHU0x5dalhr3Hxd/MaaIWgke';
const K1_FP = 'SHA256:dAd1iwKqcDNA4eGvUoCY5d2DZV5IXpDKz1iQGzm30h8';
const K2 = 'AAAAC3NzaC1lZDI1NTE5AAAAIJJFm8V+RdDBrF7M1r1O26RI4GqatxOH4s13xDXCwr+g';
const K2_FP = 'SHA256:xL/eONIX0fLgJtAtLQKc+3uavpI+yBF1nY7syuIBmoQ';
const K3 =
  'AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBHx1NnQ2KZNjoS3SXSRWoX3Y1j3QT1wloeo4K/Y4AXT6HRFrO5PcKkypOE1qTStNRuzPn5hoiwgiv4L/mRV3+nY=';
const K3_FP = 'SHA256:iOrD73JIEnr0Epmldb1cdem3U2WpBD+YLErKjcCCa8Q';
// `db01.example.com` (port 22) and `[db02.example.com]:2222`, hashed by ssh-keygen -H.
const HASHED_DB01 = `|1|30wDZ4P1dF3l0VE0U8AWg5TlV4c=|RITGn4rFN8M3u0sIuZq/fU5cuxE= ssh-ed25519 ${K1}`;
const HASHED_DB02 = `|1|M432IyYc1svlqApru1+L1WHd2Zg=|34TjOgsXo9eYPN6lMgNr9Fa01XU= ssh-ed25519 ${K2}`;

const FILE = [
  '# comment line',
  '',
  `web01,web01.example.com,192.0.2.10 ssh-ed25519 ${K1} ops@laptop`,
  `[web02.example.com]:2222,[192.0.2.11]:2222 ecdsa-sha2-nistp256 ${K3}`,
  `*.lab.example.com,!secret.lab.example.com ssh-ed25519 ${K2}`,
  HASHED_DB01,
  HASHED_DB02,
  `@cert-authority *.example.com ssh-ed25519 ${K2}`,
  `@revoked * ssh-ed25519 ${K2}`,
  'broken-line-without-key',
  `bad ssh-rsa ${K1}`,
  '@weird host ssh-ed25519 AAAA',
].join('\n');

describe('known_hosts', () => {
  it('parses entries with markers, fingerprints them, and reports broken lines', () => {
    const { entries, skipped } = parseKnownHosts(FILE);
    expect(entries.map((e) => [e.line, e.marker, e.keyType, e.fingerprint])).toEqual([
      [3, null, 'ssh-ed25519', K1_FP],
      [4, null, 'ecdsa-sha2-nistp256', K3_FP],
      [5, null, 'ssh-ed25519', K2_FP],
      [6, null, 'ssh-ed25519', K1_FP],
      [7, null, 'ssh-ed25519', K2_FP],
      [8, 'cert-authority', 'ssh-ed25519', K2_FP],
      [9, 'revoked', 'ssh-ed25519', K2_FP],
    ]);
    expect(skipped).toEqual([
      { line: 10, reason: 'not "hosts keytype key"' },
      // The blob says ssh-ed25519 while the line says ssh-rsa.
      { line: 11, reason: 'malformed ssh-rsa key' },
      { line: 12, reason: 'unknown marker @weird' },
    ]);
  });

  it('matches plain names in comma lists, case-insensitively, on port 22 only', () => {
    expect(matchKnownHosts(FILE, 'WEB01.example.com', 22).map((e) => e.line)).toEqual([3]);
    expect(matchKnownHosts(FILE, '192.0.2.10', 22).map((e) => e.line)).toEqual([3]);
    expect(matchKnownHosts(FILE, 'web01', 2222)).toEqual([]);
  });

  it('matches [host]:port forms only on that port', () => {
    expect(matchKnownHosts(FILE, 'web02.example.com', 2222).map((e) => e.key)).toEqual([K3]);
    expect(matchKnownHosts(FILE, '192.0.2.11', 2222)).toHaveLength(1);
    expect(matchKnownHosts(FILE, 'web02.example.com', 22)).toEqual([]);
  });

  it('matches hashed entries (HMAC-SHA1 of the name, or of [name]:port)', () => {
    expect(matchKnownHosts(FILE, 'db01.example.com', 22).map((e) => e.key)).toEqual([K1]);
    expect(matchKnownHosts(FILE, 'DB01.EXAMPLE.COM', 22)).toHaveLength(1);
    expect(matchKnownHosts(FILE, 'db02.example.com', 2222).map((e) => e.key)).toEqual([K2]);
    expect(matchKnownHosts(FILE, 'db02.example.com', 22)).toEqual([]);
    expect(matchKnownHosts(FILE, 'db03.example.com', 22)).toEqual([]);
  });

  it('honours wildcards and negations', () => {
    expect(hostFieldMatches('*.lab.example.com,!secret.lab.example.com', 'a.lab.example.com', 22)).toBe(true);
    expect(hostFieldMatches('*.lab.example.com,!secret.lab.example.com', 'secret.lab.example.com', 22)).toBe(
      false,
    );
    expect(hostFieldMatches('10.0.0.?', '10.0.0.7', 22)).toBe(true);
    expect(hostFieldMatches('10.0.0.?', '10.0.0.77', 22)).toBe(false);
    // Regex characters in a pattern are literal.
    expect(hostFieldMatches('a.b', 'axb', 22)).toBe(false);
    expect(hostFieldMatches('[::1]:2222', '::1', 2222)).toBe(true);
  });

  it('never returns marker lines as keys', () => {
    expect(matchKnownHosts(FILE, 'x.example.com', 22)).toEqual([]);
  });

  it('imports per machine, skips revoked keys, and leaves a different pinned key alone', () => {
    const store = memoryHostKeyStore([
      {
        address: 'web02.example.com',
        port: 2222,
        keyType: 'ecdsa-sha2-nistp256',
        key: K1,
        fingerprint: 'SHA256:previous',
        trustedAt: 1,
        source: 'user',
      },
    ]);
    const report = importKnownHosts(
      store,
      FILE,
      [
        { address: 'WEB01', port: 22 },
        { address: 'web01', port: 22 }, // the same machine twice: imported once
        { address: 'web02.example.com', port: 2222 },
        { address: 'a.lab.example.com', port: 22 },
        { address: 'db01.example.com', port: 22 },
        { address: 'nowhere.example.com', port: 22 },
      ],
      99,
    );
    expect(report.imported).toEqual([
      { address: 'web01', port: 22, keyType: 'ssh-ed25519', fingerprint: K1_FP },
      { address: 'db01.example.com', port: 22, keyType: 'ssh-ed25519', fingerprint: K1_FP },
    ]);
    expect(report.conflicts).toEqual([
      {
        address: 'web02.example.com',
        port: 2222,
        keyType: 'ecdsa-sha2-nistp256',
        pinnedFingerprint: 'SHA256:previous',
        knownHostsFingerprint: K3_FP,
      },
    ]);
    expect(report.revoked).toEqual([{ address: 'a.lab.example.com', port: 22, line: 9, fingerprint: K2_FP }]);
    expect(report.notFound).toEqual([{ address: 'nowhere.example.com', port: 22 }]);
    expect(report.skipped.map((s) => s.line)).toEqual([10, 11, 12, 8, 9]);
    expect(store.list('web01', 22)).toEqual([
      expect.objectContaining({ key: K1, source: 'known_hosts', trustedAt: 99 }),
    ]);
    expect(store.list('web02.example.com', 2222)[0]?.fingerprint).toBe('SHA256:previous');
  });
});
