import { describe, expect, it } from 'vitest';

import { NtlmClient } from './client';
import {
  buildEncryptedBody,
  ENCRYPTED_CONTENT_TYPE,
  EncryptedBodyError,
  encryptedBoundary,
  parseEncryptedBody,
} from './encrypted-body';
import { NtlmServer } from './server';
import { NtlmIntegrityError } from './session-security';

function sessions() {
  const client = new NtlmClient({ user: 'admin', password: 'pw', domain: 'HOST' });
  const server = new NtlmServer({ computerName: 'HOST', users: { admin: 'pw' } });
  const result = client.authenticate(server.challenge(client.negotiate()));
  return { client: result.session, server: server.accept(result.authenticate).session };
}

const soap = Buffer.from(
  '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body/></s:Envelope>',
);

describe('WinRM multipart/encrypted body', () => {
  it('frames a sealed SOAP message as MS-WSMV describes and unseals it on the other side', () => {
    const { client, server } = sessions();
    const { body, contentType } = buildEncryptedBody(client, soap);
    expect(contentType).toBe(
      'multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="Encrypted Boundary"',
    );
    const text = body.toString('latin1');
    expect(
      text.startsWith(
        '--Encrypted Boundary\r\n\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n',
      ),
    ).toBe(true);
    expect(text).toContain(
      `\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=${soap.length}\r\n`,
    );
    expect(text).toContain('--Encrypted Boundary\r\n\tContent-Type: application/octet-stream\r\n\x10\0\0\0');
    expect(text.endsWith('--Encrypted Boundary--\r\n')).toBe(true);
    expect(text).not.toContain('Envelope');
    const parsed = parseEncryptedBody(server, body, contentType);
    expect(parsed.payload.equals(soap)).toBe(true);
    expect(parsed.originalType).toBe('application/soap+xml;charset=UTF-8');
    // Replies go the other way with the server's keys.
    const reply = buildEncryptedBody(server, Buffer.from('<reply/>'));
    expect(parseEncryptedBody(client, reply.body, reply.contentType).payload.toString()).toBe('<reply/>');
  });

  it('reads the boundary and protocol from the Content-Type, quoted or not', () => {
    expect(encryptedBoundary(ENCRYPTED_CONTENT_TYPE)).toBe('Encrypted Boundary');
    expect(
      encryptedBoundary(
        'Multipart/Encrypted; boundary=xyz; protocol="application/HTTP-SPNEGO-session-encrypted"',
      ),
    ).toBe('xyz');
    expect(() => encryptedBoundary('application/soap+xml;charset=UTF-8')).toThrow(/not multipart\/encrypted/);
    expect(() =>
      encryptedBoundary(
        'multipart/encrypted;protocol="application/HTTP-CredSSP-session-encrypted";boundary="b"',
      ),
    ).toThrow(/unsupported protocol/);
  });

  it('refuses a Length that does not match, a wrong signature length, a missing trailer', () => {
    const { client, server } = sessions();
    const { body, contentType } = buildEncryptedBody(client, soap);
    const text = body.toString('latin1');
    const cases: [string, Buffer][] = [
      [
        'longer Length',
        Buffer.from(text.replace(`Length=${soap.length}`, `Length=${soap.length + 5}`), 'latin1'),
      ],
      [
        'shorter Length',
        Buffer.from(text.replace(`Length=${soap.length}`, `Length=${soap.length - 1}`), 'latin1'),
      ],
      ['signature length', Buffer.from(text.replace('stream\r\n\x10', 'stream\r\n\x11'), 'latin1')],
      ['no trailer', body.subarray(0, body.length - 24)],
      ['no header', body.subarray(30)],
    ];
    for (const [name, bad] of cases) {
      expect(() => parseEncryptedBody(server, bad, contentType), name).toThrow(EncryptedBodyError);
    }
    // The untouched body still verifies: the failures above never reached the RC4 stream.
    expect(parseEncryptedBody(server, body, contentType).payload.equals(soap)).toBe(true);
  });

  it('refuses a body sealed with another session', () => {
    const a = sessions();
    const b = sessions();
    const { body, contentType } = buildEncryptedBody(a.client, soap);
    expect(() => parseEncryptedBody(b.server, body, contentType)).toThrow(NtlmIntegrityError);
  });
});
