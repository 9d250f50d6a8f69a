import crypto from 'node:crypto';

import ssh2, { type AnyAuthMethod, type AuthenticationType, type ParsedKey } from 'ssh2';
import { describe, expect, it } from 'vitest';

import { prepareAuth } from './auth';
import { SshError } from './errors';

const DB01 = { name: 'db01', address: '192.0.2.5', port: 22 };

/** Drives the auth handler the way ssh2 does and returns the methods it offered, in order. */
function offered(handler: ReturnType<typeof prepareAuth>['handler'], serverAllows: AuthenticationType[]) {
  const out: string[] = [];
  let left: AuthenticationType[] | null = null;
  for (let i = 0; i < 10; i++) {
    let next: AnyAuthMethod | false = false;
    handler(left as AuthenticationType[], false, (m) => (next = m as AnyAuthMethod | false));
    if (next === false) break;
    out.push((next as AnyAuthMethod).type);
    left = serverAllows;
  }
  return out;
}

describe('login preparation', () => {
  it('offers key, agent, password and keyboard-interactive in order, skipping what the server refuses', () => {
    const auth = { agent: '/tmp/agent.sock', password: 'pw-secret' };
    const a = prepareAuth(DB01, 'ops', auth);
    expect(offered(a.handler, ['publickey', 'password', 'keyboard-interactive'])).toEqual([
      'agent',
      'password',
      'keyboard-interactive',
    ]);
    const b = prepareAuth(DB01, 'ops', auth);
    expect(offered(b.handler, ['publickey'])).toEqual(['agent']);
    expect(b.tried).toEqual(['agent']);
  });

  it('answers password prompts only, and notes a prompt it cannot answer', () => {
    const a = prepareAuth(DB01, 'ops', { password: 'pw-secret' });
    let kbd: AnyAuthMethod | undefined;
    a.handler(null as never, false, () => {});
    a.handler(['keyboard-interactive'], false, (m) => (kbd = m as AnyAuthMethod));
    if (kbd?.type !== 'keyboard-interactive') throw new Error('no keyboard-interactive');
    let answers: string[] = [];
    kbd.prompt('', '', '', [{ prompt: 'Password: ', echo: false }], (x) => (answers = x));
    expect(answers).toEqual(['pw-secret']);
    kbd.prompt('', '', '', [{ prompt: 'Verification code: ', echo: false }], (x) => (answers = x));
    expect(answers).toEqual(['']);
    expect(a.note).toMatch(/asked "Verification code:", which Patchbay cannot answer/);
  });

  it('fails at once, as auth-failed, when nothing usable is configured', () => {
    const cases = [
      [{}, /holds no key, password or agent/],
      [{ keyPath: '/nonexistent/id_ed25519' }, /the key file \/nonexistent\/id_ed25519 does not exist/],
      [{ privateKey: 'not a key' }, /is not a private key Patchbay can read/],
      [{ agent: true as const }, /No ssh-agent is running \(SSH_AUTH_SOCK is not set\)/],
    ] as const;
    for (const [auth, message] of cases) {
      let err: unknown;
      try {
        prepareAuth(DB01, 'ops', auth, {});
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SshError);
      expect((err as SshError).kind).toBe('auth-failed');
      expect((err as SshError).message).toMatch(message);
    }
  });

  /** The key the handler offers first. */
  const offeredKey = (auth: Parameters<typeof prepareAuth>[2]): ParsedKey => {
    let key: ParsedKey | undefined;
    prepareAuth(DB01, 'ops', auth).handler(null as never, false, (m) => {
      key = (m as { key?: ParsedKey }).key;
    });
    if (!key) throw new Error('no key offered');
    return key;
  };

  it('reads and decrypts a key once per credential object, not once per connection', () => {
    const { private: text } = ssh2.utils.generateKeyPairSync('ed25519', {
      passphrase: 'pp',
      cipher: 'aes256-ctr',
      rounds: 2,
    });
    const auth = { privateKey: text, passphrase: 'pp' };
    expect(offeredKey(auth)).toBe(offeredKey(auth));
    // Another object (another credential, or the next job) reads it again.
    expect(offeredKey({ ...auth })).not.toBe(offeredKey(auth));
  });

  it.each([
    ['ed25519', undefined, [undefined]],
    ['ecdsa', 256, [undefined]],
    ['rsa', 2048, [undefined, 'sha256', 'sha512']],
  ] as const)('signs logins with a %s key as the server verifies them', (type, bits, algos) => {
    const pair = ssh2.utils.generateKeyPairSync(type, bits ? { bits } : {});
    const key = offeredKey({ privateKey: pair.private });
    const pub = ssh2.utils.parseKey(pair.public) as ParsedKey;
    const data = crypto.randomBytes(64);
    // Signed from a KeyObject (an own method), not by ssh2's prototype method re-reading the PEM.
    expect(Object.hasOwn(key, 'sign')).toBe(true);
    for (const algo of algos) {
      const sig = key.sign(data, algo);
      expect(sig).toBeInstanceOf(Buffer);
      expect(pub.verify(data, sig, algo), `${type} ${algo ?? 'default'}`).toBe(true);
      expect(pub.verify(Buffer.from('other data'), sig, algo)).toBe(false);
    }
  });
});
