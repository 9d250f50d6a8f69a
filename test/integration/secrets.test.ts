import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { fileCore, tempDir } from '../helpers/temp';

const SECRETS = {
  password: 'Hunter2-very-secret-password',
  passphrase: 'correct horse battery staple 42',
  sudoPassword: 'sudo-Secret-9f8e7d',
  privateKey:
    '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAUNIQUEKEYMATERIALxyz123\n-----END OPENSSH PRIVATE KEY-----',
};

/** Every file of a data folder, concatenated: the DB, its WAL, logs, anything else written there. */
function everythingWritten(dir: string): Buffer {
  const parts: Buffer[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else parts.push(fs.readFileSync(p));
    }
  };
  walk(dir);
  return Buffer.concat(parts);
}

describe('credentials are stored encrypted', () => {
  it('never writes a secret in plain text to the database, its WAL or the logs', async () => {
    const { core, dataDir } = fileCore();
    const key = await core.handlers['credentials.create']({
      credential: {
        name: 'ops key',
        kind: 'ssh-key',
        keyPath: '',
        secrets: {
          privateKey: SECRETS.privateKey,
          passphrase: SECRETS.passphrase,
          sudoPassword: SECRETS.sudoPassword,
        },
      },
    });
    const pw = await core.dispatch('credentials.create', {
      credential: {
        name: 'winrm admin',
        kind: 'winrm-password',
        keyPath: '',
        secrets: { password: SECRETS.password },
      },
    });
    expect(pw.ok).toBe(true);
    // A rejected request carrying a secret must not leak it to the log either.
    await core.dispatch('credentials.create', {
      credential: {
        name: 'bad\u0001',
        kind: 'ssh-password',
        keyPath: '',
        secrets: { password: SECRETS.password },
      },
    });
    // What the UI receives says which secrets exist, never what they are.
    const listed = JSON.stringify(await core.handlers['credentials.list']({}));
    expect(key).toMatchObject({
      hasPrivateKey: true,
      hasPassphrase: true,
      hasSudoPassword: true,
      hasPassword: false,
    });
    // The core itself can open them again (for the transports).
    expect(core.services.credentials.unlock(key.id)).toMatchObject({
      privateKey: SECRETS.privateKey,
      passphrase: SECRETS.passphrase,
    });
    const before = everythingWritten(dataDir);
    core.close();
    const after = everythingWritten(dataDir);
    for (const secret of Object.values(SECRETS)) {
      for (const probe of [secret, secret.slice(0, 12)]) {
        expect(listed.includes(probe)).toBe(false);
        expect(before.includes(probe)).toBe(false);
        expect(after.includes(probe)).toBe(false);
        expect(after.includes(Buffer.from(probe, 'utf16le'))).toBe(false);
      }
    }
    // The probe itself works: the non-secret name is in the file.
    expect(after.includes('winrm admin')).toBe(true);
  });

  it('creates the key file readable by its owner only, and refuses one others can read', async () => {
    const { core, files, dataDir } = fileCore();
    core.close();
    expect(fs.statSync(files.keyFile).mode & 0o777).toBe(0o600);
    fs.chmodSync(files.keyFile, 0o644);
    expect(() => fileCore(dataDir)).toThrow(/can be read by other users.*chmod 600/s);
  });

  it('with a passphrase: opens with the right one, refuses a wrong one', async () => {
    const dir = tempDir();
    const env = { PATCHBAY_PASSPHRASE: 'a long enough passphrase' };
    const { core } = fileCore(dir, env);
    const c = await core.handlers['credentials.create']({
      credential: { name: 'pw', kind: 'ssh-password', keyPath: '', secrets: { password: SECRETS.password } },
    });
    core.close();
    expect(() => fileCore(dir, { PATCHBAY_PASSPHRASE: 'not the same passphrase' })).toThrow(
      /not the passphrase/,
    );
    const { core: again } = fileCore(dir, env);
    expect(again.services.credentials.unlock(c.id).password).toBe(SECRETS.password);
    again.close();
  });

  it('reports a credential sealed by another secret store as locked instead of failing to decrypt', async () => {
    const dir = tempDir();
    const { core } = fileCore(dir);
    const c = await core.handlers['credentials.create']({
      credential: { name: 'pw', kind: 'ssh-password', keyPath: '', secrets: { password: SECRETS.password } },
    });
    core.close();
    const { core: other } = fileCore(dir, { PATCHBAY_PASSPHRASE: 'a different secret store' });
    const [summary] = await other.handlers['credentials.list']({});
    expect(summary?.unlockable).toBe(false);
    expect(() => other.services.credentials.unlock(c.id)).toThrow(/different secret store/);
    other.close();
  });

  it('validates credentials: a key needs a path or a pasted key, a password kind needs a password', async () => {
    const { core } = fileCore();
    const noKey = await core.dispatch('credentials.create', {
      credential: { name: 'k', kind: 'ssh-key', keyPath: '', secrets: {} },
    });
    expect(noKey).toMatchObject({ ok: false, error: { code: 'invalid' } });
    const notAKey = await core.dispatch('credentials.create', {
      credential: { name: 'k', kind: 'ssh-key', keyPath: '', secrets: { privateKey: 'hello' } },
    });
    expect(notAKey.ok ? '' : notAKey.error.message).toMatch(/does not look like a private key/);
    const noPw = await core.dispatch('credentials.create', {
      credential: { name: 'p', kind: 'winrm-password', keyPath: '', secrets: {} },
    });
    expect(noPw.ok).toBe(false);
    core.close();
  });
});
