import type { AnyAuthMethod, AuthenticationType } from 'ssh2';
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
});
