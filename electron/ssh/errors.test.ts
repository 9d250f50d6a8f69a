import { describe, expect, it } from 'vitest';

import { classifyConnectError, classifyForwardError, describeEndpoint, redact, SshError } from './errors';

const DB01 = { name: 'db01', address: '192.0.2.5', port: 22 };
const ctx = { connected: false, timeoutMs: 15_000, username: 'ops', tried: [] as string[] };
const err = (code: string, extra: object = {}) =>
  Object.assign(new Error(`connect ${code}`), { code, level: 'client-socket', ...extra });

describe('SSH error classification', () => {
  it('names endpoints the way a technician reads them', () => {
    expect(describeEndpoint(DB01)).toBe('db01 (192.0.2.5:22)');
    expect(describeEndpoint({ address: '192.0.2.5', port: 2222 })).toBe('192.0.2.5:2222');
    expect(describeEndpoint({ address: '2001:db8::1', port: 22, jump: true })).toBe(
      'jump host [2001:db8::1]:22',
    );
  });

  it.each([
    ['ENOTFOUND', 'dns'],
    ['EAI_AGAIN', 'dns'],
    ['ECONNREFUSED', 'refused'],
    ['EHOSTUNREACH', 'unreachable'],
    ['ENETUNREACH', 'unreachable'],
    ['ETIMEDOUT', 'timeout'],
    ['ECONNRESET', 'refused'],
  ])('maps %s to %s', (code, kind) => {
    expect(classifyConnectError(err(code), DB01, ctx).kind).toBe(kind);
  });

  it('says what a refused connection means', () => {
    expect(classifyConnectError(err('ECONNREFUSED'), DB01, ctx).message).toBe(
      'db01 (192.0.2.5:22) refused the connection — is SSH running on that port?',
    );
  });

  it('tells a silent port from a stalled login', () => {
    const silent = classifyConnectError(err('ETIMEDOUT'), DB01, ctx);
    expect(silent.message).toMatch(/did not answer within 15 s/);
    const stalled = classifyConnectError(err('ETIMEDOUT'), DB01, { ...ctx, connected: true });
    expect(stalled.message).toMatch(/accepted the connection but did not complete the SSH login/);
    const keepalive = Object.assign(new Error('Keepalive timeout'), { level: 'client-timeout' });
    expect(classifyConnectError(keepalive, DB01, ctx).message).toMatch(/stopped answering/);
  });

  it('maps ssh2 auth failure and lists the methods tried', () => {
    const e = Object.assign(new Error('All configured authentication methods failed'), {
      level: 'client-authentication',
    });
    const out = classifyConnectError(e, DB01, {
      ...ctx,
      tried: ['publickey', 'password'],
      authNote: 'Note.',
    });
    expect(out.kind).toBe('auth-failed');
    expect(out.message).toBe(
      'db01 (192.0.2.5:22) rejected the login for user "ops" (tried: publickey, password). Note. ' +
        'Check the user name and the credential.',
    );
  });

  it('passes an SshError through unchanged', () => {
    const e = new SshError('host-key-changed', DB01, 'changed');
    expect(classifyConnectError(e, DB01, ctx)).toBe(e);
  });

  it('maps jump host forwarding failures', () => {
    const jump = { address: '10.0.0.1', port: 22, jump: true };
    const prohibited = Object.assign(new Error('(SSH) Channel open failure: administratively prohibited'), {
      reason: 1,
    });
    expect(classifyForwardError(prohibited, jump, DB01).message).toMatch(/does not allow forwarding/);
    const refused = Object.assign(new Error('(SSH) Channel open failure: Connection refused'), { reason: 2 });
    expect(classifyForwardError(refused, jump, DB01).kind).toBe('refused');
  });

  it('gives plain data for IPC', () => {
    const e = new SshError('host-key-unknown', DB01, 'unknown', {
      hostKey: { keyType: 'ssh-ed25519', fingerprint: 'SHA256:x', key: 'AAAA' },
    });
    expect(JSON.parse(JSON.stringify(e.toShape()))).toEqual({
      kind: 'host-key-unknown',
      message: 'unknown',
      endpoint: DB01,
      hostKey: { keyType: 'ssh-ed25519', fingerprint: 'SHA256:x', key: 'AAAA' },
    });
  });

  it('redacts secrets as a last line of defence', () => {
    expect(redact('sudo said hunter22 twice: hunter22', ['hunter22', undefined, ''])).toBe(
      'sudo said *** twice: ***',
    );
  });
});
