import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openDatabase } from '../../electron/db/open';
import { hostKeysRepo } from '../../electron/db/repos/host-keys';
import { importKnownHosts, matchKnownHosts } from '../../electron/ssh/known-hosts';
import { openSession } from '../../electron/ssh/session';
import { type ClientKeys, clientKeys, loopTarget, sshdFor } from './fixture';
import { removeScratchDirs, scratchDir, type Sshd, sshdAvailable } from './sshd';

const available = sshdAvailable();

/** known_hosts lines for a server, written by OpenSSH's own ssh-keyscan. */
function keyscan(sshd: Sshd): string {
  return execFileSync('ssh-keyscan', ['-p', String(sshd.port), '-t', 'ed25519', '127.0.0.1'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
}

/** The same lines hashed in place by `ssh-keygen -H`, as HashKnownHosts would store them. */
function hashed(text: string): string {
  const file = path.join(scratchDir(), 'known_hosts');
  fs.writeFileSync(file, text);
  execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
  return fs.readFileSync(file, 'utf8');
}

describe.skipIf(!available)('importing ~/.ssh/known_hosts', () => {
  let keys: ClientKeys;
  let a: Sshd;
  let b: Sshd;
  beforeAll(async () => {
    keys = clientKeys();
    a = await sshdFor(keys);
    b = await sshdFor(keys, { hostKeyType: 'rsa' });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    removeScratchDirs();
  });

  it('finds a [host]:port entry written by ssh-keyscan, plain and hashed, as ssh-keygen -F does', () => {
    const plain = keyscan(a);
    expect(plain).toMatch(new RegExp(`^\\[127\\.0\\.0\\.1\\]:${a.port} ssh-ed25519 `, 'm'));
    const hash = hashed(plain);
    expect(hash).toMatch(/^\|1\|[^|]+\|[^ ]+ ssh-ed25519 /m);
    for (const text of [plain, hash]) {
      const found = matchKnownHosts(text, '127.0.0.1', a.port);
      expect(found.map((e) => e.fingerprint)).toEqual([a.hostKeyFingerprint]);
      expect(matchKnownHosts(text, '127.0.0.1', 22)).toEqual([]);
      expect(matchKnownHosts(text, '127.0.0.2', a.port)).toEqual([]);
      // OpenSSH's own lookup agrees on the line.
      const file = path.join(scratchDir(), 'kh');
      fs.writeFileSync(file, text);
      const line = execFileSync('ssh-keygen', ['-F', `[127.0.0.1]:${a.port}`, '-f', file], {
        encoding: 'utf8',
      });
      expect(line).toContain(found[0]?.key);
    }
  });

  it('imports hashed and plain entries into the pinned store, then connects with pinned-only', async () => {
    const db = openDatabase({ path: ':memory:' });
    try {
      const repo = hostKeysRepo(db);
      const text = [
        '# my laptop',
        hashed(keyscan(a)),
        execFileSync('ssh-keyscan', ['-p', String(b.port), '-t', 'rsa', '127.0.0.1'], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        }),
        `@cert-authority *.example.com ${keys.stranger.publicKey}`,
      ].join('\n');
      const machines = [
        { address: '127.0.0.1', port: a.port },
        { address: '127.0.0.1', port: b.port },
        { address: 'elsewhere.example', port: 22 },
      ];
      const report = importKnownHosts(repo, text, machines, 42);
      expect(report.imported).toEqual([
        { address: '127.0.0.1', port: a.port, keyType: 'ssh-ed25519', fingerprint: a.hostKeyFingerprint },
        { address: '127.0.0.1', port: b.port, keyType: 'ssh-rsa', fingerprint: b.hostKeyFingerprint },
      ]);
      expect(report.notFound).toEqual([{ address: 'elsewhere.example', port: 22 }]);
      expect(report.skipped.map((s) => s.reason)).toEqual([expect.stringMatching(/^@cert-authority/)]);
      expect(repo.all().every((k) => k.source === 'known_hosts' && k.trustedAt === 42)).toBe(true);

      for (const server of [a, b]) {
        const session = await openSession(loopTarget(server, { privateKey: keys.ed25519.privateKey }), {
          hostKeys: repo,
        });
        expect(session.hostKey.fingerprint).toBe(server.hostKeyFingerprint);
        session.close();
      }
      // Importing again changes nothing and says so.
      const again = importKnownHosts(repo, text, machines, 43);
      expect(again.imported).toEqual([]);
      expect(again.unchanged).toHaveLength(2);
    } finally {
      db.close();
    }
  });
});
