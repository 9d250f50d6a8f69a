import { describe, expect, it } from 'vitest';

import { NtlmClient } from './client';
import { authorizationHeader, offersScheme, tokenFromHeader } from './http-auth';
import { parseChallenge, parseNegotiate } from './messages';
import { NtlmServer } from './server';

describe('NTLM in HTTP headers', () => {
  it('carries the three messages as Negotiate tokens, both directions', () => {
    const client = new NtlmClient({ user: 'admin', password: 'pw', domain: 'HOST' });
    const server = new NtlmServer({ computerName: 'HOST', users: { admin: 'pw' } });
    const auth1 = authorizationHeader(client.negotiate());
    expect(auth1).toMatch(/^Negotiate TlRMTVNTUAAB/); // base64 of "NTLMSSP\0" + type 1
    const negotiate = tokenFromHeader(auth1)!;
    expect(parseNegotiate(negotiate).flags).toBeGreaterThan(0);
    // Windows sends its schemes as repeated headers; Node joins them with ", ".
    const www = `Negotiate ${server.challenge(negotiate).toString('base64')}, Kerberos`;
    const challenge = tokenFromHeader(www)!;
    expect(parseChallenge(challenge).targetName).toBe('HOST');
    const auth3 = authorizationHeader(client.authenticate(challenge).authenticate);
    expect(server.accept(tokenFromHeader(auth3)!).user).toBe('admin');
  });

  it('tells a bare offer from a token and reads the NTLM scheme too', () => {
    expect(offersScheme(['Negotiate', 'Kerberos'])).toBe(true);
    expect(offersScheme('Basic realm="WSMAN"')).toBe(false);
    expect(tokenFromHeader(['Negotiate', 'Kerberos'])).toBeUndefined();
    expect(tokenFromHeader('NTLM TlRMTVNTUAAC', 'NTLM')?.toString('latin1', 0, 7)).toBe('NTLMSSP');
    expect(tokenFromHeader(undefined)).toBeUndefined();
  });

  it('refuses a hostile token before decoding it', () => {
    expect(() => tokenFromHeader(`Negotiate ${'A'.repeat(200_000)}`)).toThrow(/too large/);
    expect(() => tokenFromHeader('Negotiate <script>')).toThrow(/not base64/);
  });
});
