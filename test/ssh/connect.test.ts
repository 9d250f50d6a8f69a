import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SshError } from '../../electron/ssh/errors';
import { memoryHostKeyStore, trustHostKey } from '../../electron/ssh/host-keys';
import { openSession } from '../../electron/ssh/session';
import type { SshAuth } from '../../electron/ssh/types';
import {
  type ClientKeys,
  clientKeys,
  loopTarget,
  recordingLogger,
  RSA_PASSPHRASE,
  sshdFor,
  storeTrusting,
} from './fixture';
import { freePort, removeScratchDirs, scratchDir, silentListener, type Sshd, sshdAvailable } from './sshd';

const available = sshdAvailable();

/** The SshError a promise rejects with (fails the test if it resolves or throws something else). */
async function sshError(p: Promise<unknown>): Promise<SshError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SshError);
  return err as SshError;
}

describe.skipIf(!available)('SSH connections to a real OpenSSH server', () => {
  let keys: ClientKeys;
  let sshd: Sshd;
  beforeAll(async () => {
    keys = clientKeys();
    sshd = await sshdFor(keys);
  });
  afterAll(async () => {
    await sshd?.stop();
    removeScratchDirs();
  });
  const run = async (auth: SshAuth) => {
    const session = await openSession(loopTarget(sshd, auth), { hostKeys: storeTrusting(sshd) });
    try {
      return (await session.exec('printf ok')).stdout.toString();
    } finally {
      session.close();
    }
  };

  it('logs in with an ed25519 key given as text', async () => {
    expect(await run({ privateKey: keys.ed25519.privateKey })).toBe('ok');
  });

  it('logs in with a passphrase-protected RSA key read from a file', async () => {
    expect(await run({ keyPath: keys.rsa.privatePath, passphrase: RSA_PASSPHRASE })).toBe('ok');
  });

  it('logs in through ssh-agent', async () => {
    const dir = scratchDir();
    const socket = path.join(dir, 'agent.sock');
    const agent: ChildProcess = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 100 && !fs.existsSync(socket); i++) await new Promise((r) => setTimeout(r, 20));
      execFileSync('ssh-add', ['-q', keys.ed25519.privatePath], { env: { SSH_AUTH_SOCK: socket } });
      expect(await run({ agent: socket })).toBe('ok');
    } finally {
      if (agent.pid) process.kill(agent.pid, 'SIGTERM');
    }
  });

  it('reports a key the server does not accept as auth-failed', async () => {
    const err = await sshError(run({ privateKey: keys.stranger.privateKey }));
    expect(err.kind).toBe('auth-failed');
    expect(err.message).toMatch(/rejected the login for user "root" \(tried: publickey\)/);
  });

  it('reports a wrong passphrase as such, and never shows a secret in errors or logs', async () => {
    const logger = recordingLogger();
    const password = 'Pa55word-that-must-not-leak-42';
    const wrong = 'wrong-passphrase-must-not-leak-7';
    const auth = { keyPath: keys.rsa.privatePath, passphrase: wrong, password };
    const err = await sshError(
      openSession(loopTarget(sshd, auth), { hostKeys: storeTrusting(sshd), logger }),
    );
    expect(err.kind).toBe('auth-failed');
    expect(err.message).toMatch(/could not be decrypted — is the passphrase right\?/);
    // The server only allows keys, so the password was never even offered; the message says what was.
    expect(err.message).toMatch(/tried: password/);
    const everything = [
      err.message,
      err.stack ?? '',
      err.detail,
      JSON.stringify(err.toShape()),
      logger.text(),
    ];
    for (const text of everything) {
      for (const secret of [password, wrong, RSA_PASSPHRASE, keys.rsa.privateKey.split('\n')[1] as string]) {
        expect(text).not.toContain(secret);
      }
    }
    expect(logger.text()).toContain('ssh.connect-failed');
  });

  it('refuses an unknown host under pinned-only and reports the fingerprint ssh-keygen shows', async () => {
    const store = memoryHostKeyStore();
    const target = loopTarget(sshd, { privateKey: keys.ed25519.privateKey });
    const err = await sshError(openSession(target, { hostKeys: store }));
    expect(err.kind).toBe('host-key-unknown');
    expect(err.hostKey?.fingerprint).toBe(sshd.hostKeyFingerprint);
    expect(err.hostKey?.keyType).toBe('ssh-ed25519');
    expect(err.message).toContain(sshd.hostKeyFingerprint);
    expect(store.all()).toEqual([]);

    // The user compares and trusts it: the next connection goes through.
    trustHostKey(store, err.endpoint, err.hostKey!, 1000);
    const session = await openSession(target, { hostKeys: store });
    expect(session.hostKey).toEqual({
      keyType: 'ssh-ed25519',
      fingerprint: sshd.hostKeyFingerprint,
      pinnedNow: false,
    });
    session.close();
    expect(store.all()).toMatchObject([
      { address: '127.0.0.1', port: sshd.port, source: 'user', trustedAt: 1000 },
    ]);
  });

  it('pins on first use when the policy says so, then accepts the pinned key', async () => {
    const store = memoryHostKeyStore();
    const target = loopTarget(sshd, { privateKey: keys.ed25519.privateKey });
    const first = await openSession(target, {
      hostKeys: store,
      hostKeyPolicy: 'trust-on-first-use',
      now: () => 7,
    });
    expect(first.hostKey.pinnedNow).toBe(true);
    first.close();
    expect(store.all()).toEqual([
      expect.objectContaining({
        keyType: 'ssh-ed25519',
        fingerprint: sshd.hostKeyFingerprint,
        source: 'tofu',
        trustedAt: 7,
      }),
    ]);
    const second = await openSession(target, { hostKeys: store });
    expect(second.hostKey.pinnedNow).toBe(false);
    second.close();
  });

  it('pins once when many first connections race under TOFU', async () => {
    const store = memoryHostKeyStore();
    const target = loopTarget(sshd, { privateKey: keys.ed25519.privateKey });
    const sessions = await Promise.all(
      Array.from({ length: 6 }, () =>
        openSession(target, { hostKeys: store, hostKeyPolicy: 'trust-on-first-use' }),
      ),
    );
    for (const s of sessions) s.close();
    expect(store.all().map((k) => k.fingerprint)).toEqual([sshd.hostKeyFingerprint]);
  });

  it('refuses a changed host key, naming the old and the new fingerprint, even under TOFU', async () => {
    const dir = scratchDir('patchbay-sshd-');
    const before = await sshdFor(keys, { dir });
    const store = storeTrusting(before);
    const oldFp = before.hostKeyFingerprint;
    await before.stop();
    const after = await sshdFor(keys, { dir, port: before.port, newHostKey: true });
    try {
      expect(after.hostKeyFingerprint).not.toBe(oldFp);
      for (const policy of ['pinned-only', 'trust-on-first-use'] as const) {
        const target = loopTarget(after, { privateKey: keys.ed25519.privateKey });
        const err = await sshError(openSession(target, { hostKeys: store, hostKeyPolicy: policy }));
        expect(err.kind).toBe('host-key-changed');
        expect(err.message).toContain(oldFp);
        expect(err.message).toContain(after.hostKeyFingerprint);
        expect(err.pinnedFingerprint).toBe(oldFp);
      }
      expect(store.all().map((k) => k.fingerprint)).toEqual([oldFp]);
    } finally {
      await after.stop();
    }
  });

  it('says a closed port refused the connection', async () => {
    const port = await freePort();
    const target = { ...loopTarget(sshd, { privateKey: keys.ed25519.privateKey }), name: 'db01', port };
    const err = await sshError(openSession(target, { hostKeys: memoryHostKeyStore() }));
    expect(err.kind).toBe('refused');
    expect(err.message).toBe(
      `db01 (127.0.0.1:${port}) refused the connection — is SSH running on that port?`,
    );
  });

  it('says a name that does not resolve is a DNS problem', async () => {
    const target = {
      ...loopTarget(sshd, { privateKey: keys.ed25519.privateKey }),
      address: 'no-such-host.patchbay.invalid',
    };
    const err = await sshError(openSession(target, { hostKeys: memoryHostKeyStore() }));
    expect(err.kind).toBe('dns');
    expect(err.message).toMatch(/no-such-host.patchbay.invalid.*DNS|DNS.*no-such-host/);
  });

  it('times out on a port that accepts but never speaks SSH', async () => {
    const silent = await silentListener();
    try {
      const target = { ...loopTarget(sshd, { privateKey: keys.ed25519.privateKey }), port: silent.port };
      const started = Date.now();
      const err = await sshError(
        openSession(target, { hostKeys: memoryHostKeyStore(), connectTimeoutMs: 700 }),
      );
      expect(err.kind).toBe('timeout');
      expect(err.message).toMatch(/accepted the connection but did not complete the SSH login within 0.7 s/);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await silent.close();
    }
  });

  it('cancels a connection attempt when its signal aborts', async () => {
    const silent = await silentListener();
    try {
      const target = { ...loopTarget(sshd, { privateKey: keys.ed25519.privateKey }), port: silent.port };
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const err = await openSession(target, {
        hostKeys: memoryHostKeyStore(),
        signal: controller.signal,
      }).catch((e: unknown) => e);
      expect((err as Error).name).toBe('AbortError');
    } finally {
      await silent.close();
    }
  });
});
