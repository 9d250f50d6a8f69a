/**
 * Patchbay's NTLM (electron/winrm/ntlm) checked from outside by an independent implementation: Debian's
 * python3-impacket computes, verifies, seals and unseals; pywinrm frames and unframes WinRM's
 * multipart/encrypted bodies. The Python side (impacket-ntlm.py) uses only those libraries' own code.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { parseAuthenticate } from '../../electron/winrm/ntlm/authenticate';
import { findAv } from '../../electron/winrm/ntlm/av-pairs';
import { NtlmClient } from '../../electron/winrm/ntlm/client';
import { AvId, CLIENT_FLAGS } from '../../electron/winrm/ntlm/constants';
import {
  buildEncryptedBody,
  ENCRYPTED_CONTENT_TYPE,
  parseEncryptedBody,
} from '../../electron/winrm/ntlm/encrypted-body';
import { parseChallenge } from '../../electron/winrm/ntlm/messages';
import { computeV2, fileTime, ntHash, ntowfv2 } from '../../electron/winrm/ntlm/ntlmv2';
import { NtlmServer } from '../../electron/winrm/ntlm/server';
import type { NtlmSession } from '../../electron/winrm/ntlm/session-security';
import { needs } from '../helpers/needs';

const PY = '/usr/bin/python3';
const SCRIPT = path.resolve('test/integration/impacket-ntlm.py');
const hasImpacket =
  spawnSync(PY, ['-c', 'import impacket.ntlm, winrm.encryption, ntlm_auth.ntlm'], { stdio: 'ignore' })
    .status === 0;
const available = needs(
  'python3-impacket and python3-winrm (independent NTLM implementations)',
  hasImpacket,
  'apt-get install python3-impacket python3-winrm',
);

type Json = Record<string, unknown>;
function py<T = Json>(request: Json, env: NodeJS.ProcessEnv = process.env): T {
  const r = spawnSync(PY, [SCRIPT], {
    input: JSON.stringify(request),
    encoding: 'utf8',
    timeout: 30_000,
    env,
  });
  if (r.status !== 0) throw new Error(`impacket-ntlm.py ${String(request.op)} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const h = (s: string): Buffer => Buffer.from(s, 'hex');

const USER = 'Technician';
const PASSWORD = 'Pässword-123';
const DOMAIN = 'WIN10-01';
const messages = ['<s:Envelope>first</s:Envelope>', '', 'x'.repeat(5000), 'ünïcödé ✓'].map((m) =>
  Buffer.from(m),
);

function ours() {
  const client = new NtlmClient({
    user: USER,
    password: PASSWORD,
    domain: DOMAIN,
    targetName: 'HTTP/win10-01',
  });
  const server = new NtlmServer({ computerName: DOMAIN, users: { technician: PASSWORD } });
  const negotiate = client.negotiate();
  const challenge = server.challenge(negotiate);
  const result = client.authenticate(challenge);
  return { negotiate, challenge, result, server };
}

/** Seals `messages` with `session` and has impacket unseal them as the receiver of `mode`'s direction. */
function impacketUnseals(session: NtlmSession, flags: number, mode: 'Client' | 'Server') {
  const items = messages
    .map((m) => session.seal(m))
    .map((s) => ({ sealed: hex(s.sealed), signature: hex(s.signature) }));
  const r = py<{ items: { plaintext: string; ok: boolean }[] }>({
    op: 'unseal',
    flags,
    mode,
    exportedSessionKey: hex(session.exportedSessionKey),
    items,
  });
  expect(r.items.map((i) => i.ok)).toEqual(messages.map(() => true));
  expect(r.items.map((i) => h(i.plaintext).toString())).toEqual(messages.map((m) => m.toString()));
}

/** Has impacket seal `messages` as `mode` and checks that `session` unseals each, in order. */
function weUnseal(session: NtlmSession, flags: number, mode: 'Client' | 'Server') {
  const r = py<{ sealed: { sealed: string; signature: string }[] }>({
    op: 'seal',
    flags,
    mode,
    exportedSessionKey: hex(session.exportedSessionKey),
    messages: messages.map(hex),
  });
  const plain = r.sealed.map((s) => session.unseal(h(s.sealed), h(s.signature)).toString());
  expect(plain).toEqual(messages.map((m) => m.toString()));
}

describe.runIf(available)('NTLM against impacket (independent implementation)', () => {
  it('computes the same NT hash, NTOWFv2, NTLMv2 response and session base key for our inputs', () => {
    const { challenge, result } = ours();
    const blob = parseAuthenticate(result.authenticate).ntChallengeResponse.subarray(16);
    const input = {
      serverChallenge: parseChallenge(challenge).serverChallenge,
      clientChallenge: blob.subarray(16, 24),
      targetInfo: blob.subarray(28, blob.length - 4),
    };
    const responseKeyNT = ntowfv2(USER, DOMAIN, PASSWORD);
    // Zero timestamp, AV pairs exactly as our client sent them (impacket's TEST_CASE mode).
    const zero = computeV2({ ...input, responseKeyNT, timestamp: fileTime(-11_644_473_600_000) });
    const theirs = py({
      op: 'v2-response',
      testCase: true,
      flags: CLIENT_FLAGS,
      serverChallenge: hex(input.serverChallenge),
      clientChallenge: hex(input.clientChallenge),
      serverName: hex(input.targetInfo),
      user: USER,
      domain: DOMAIN,
      password: PASSWORD,
    });
    expect(theirs.ntHash).toBe(hex(ntHash(PASSWORD)));
    expect(theirs.ntowfv2).toBe(hex(responseKeyNT));
    expect(theirs.nt).toBe(hex(zero.ntChallengeResponse));
    expect(theirs.lm).toBe(hex(zero.lmChallengeResponse));
    expect(theirs.sessionBaseKey).toBe(hex(zero.sessionBaseKey));
  });

  it("matches impacket's real path byte for byte: server timestamp reused, MsvAvTargetName set", () => {
    // impacket always names the target cifs/<NetBIOS name>: give our client that SPN to compare whole responses.
    const client = new NtlmClient({
      user: USER,
      password: PASSWORD,
      domain: DOMAIN,
      targetName: `cifs/${DOMAIN}`,
    });
    const server = new NtlmServer({ computerName: DOMAIN, users: {} });
    const challenge = parseChallenge(server.challenge(client.negotiate()));
    const auth = parseAuthenticate(client.authenticate(challenge.raw).authenticate);
    const blob = auth.ntChallengeResponse.subarray(16);
    const theirs = py({
      op: 'v2-response',
      testCase: false,
      flags: CLIENT_FLAGS,
      serverChallenge: hex(challenge.serverChallenge),
      clientChallenge: hex(blob.subarray(16, 24)),
      serverName: hex(blob.subarray(28, blob.length - 4)),
      user: USER,
      domain: DOMAIN,
      password: PASSWORD,
    });
    expect(theirs.nt).toBe(hex(auth.ntChallengeResponse));
    expect(hex(blob.subarray(8, 16))).toBe(hex(findAv(challenge.avPairs, AvId.TIMESTAMP)!));
  });

  it('verifies our AUTHENTICATE: NTProofStr, MIC, MsvAvFlags, and recovers our exported session key', () => {
    const { negotiate, challenge, result } = ours();
    const v = py({
      op: 'verify-authenticate',
      negotiate: hex(negotiate),
      challenge: hex(challenge),
      authenticate: hex(result.authenticate),
      password: PASSWORD,
    });
    expect(v).toMatchObject({ user: USER, domain: DOMAIN, proofOk: true, micOk: true, avFlags: 2 });
    expect(v.lm).toBe('00'.repeat(24));
    expect(v.exportedSessionKey).toBe(hex(result.session.exportedSessionKey));
    // A wrong password on impacket's side must not verify: the check can fail.
    const wrong = py({
      op: 'verify-authenticate',
      negotiate: hex(negotiate),
      challenge: hex(challenge),
      authenticate: hex(result.authenticate),
      password: 'other',
    });
    expect(wrong.proofOk).toBe(false);
  });

  it('impacket unseals what our client sealed, and our client unseals what impacket sealed as the server', () => {
    const { result } = ours();
    impacketUnseals(result.session, result.flags, 'Client');
    weUnseal(result.session, result.flags, 'Server');
  });

  it('handshake: impacket is the client, ours the server; session keys match and messages cross both ways', () => {
    const server = new NtlmServer({ computerName: DOMAIN, users: { technician: PASSWORD } });
    const { negotiate } = py<{ negotiate: string }>({ op: 'client-negotiate' });
    const challenge = server.challenge(h(negotiate));
    const theirs = py<{ authenticate: string; exportedSessionKey: string; flags: number }>({
      op: 'client-authenticate',
      negotiate,
      challenge: hex(challenge),
      user: USER,
      password: PASSWORD,
      domain: DOMAIN,
    });
    const accepted = server.accept(h(theirs.authenticate));
    expect(accepted.user).toBe(USER);
    expect(hex(accepted.session.exportedSessionKey)).toBe(theirs.exportedSessionKey);
    weUnseal(accepted.session, theirs.flags, 'Client');
    impacketUnseals(accepted.session, theirs.flags, 'Server');

    // The same impacket client with a wrong password is refused by our server.
    const other = new NtlmServer({ computerName: DOMAIN, users: { technician: PASSWORD } });
    const bad = py<{ authenticate: string }>({
      op: 'client-authenticate',
      negotiate,
      challenge: hex(other.challenge(h(negotiate))),
      user: USER,
      password: 'wrong',
      domain: DOMAIN,
    });
    expect(() => other.accept(h(bad.authenticate))).toThrow(/bad password/);
  });

  it('handshake: ours is the client, impacket builds the CHALLENGE and verifies; keys match', () => {
    const client = new NtlmClient({ user: USER, password: PASSWORD, domain: DOMAIN });
    const negotiate = client.negotiate();
    const { challenge } = py<{ challenge: string }>({
      op: 'server-challenge',
      negotiate: hex(negotiate),
      computerName: DOMAIN,
      serverChallenge: '1122334455667788',
      fileTime: Number(fileTime(Date.now()).readBigUInt64LE(0)),
    });
    const result = client.authenticate(h(challenge));
    const v = py({
      op: 'verify-authenticate',
      negotiate: hex(negotiate),
      challenge,
      authenticate: hex(result.authenticate),
      password: PASSWORD,
    });
    expect(v).toMatchObject({ proofOk: true, micOk: true });
    expect(v.exportedSessionKey).toBe(hex(result.session.exportedSessionKey));
    impacketUnseals(result.session, result.flags, 'Client');
  });

  it("pywinrm's framing: we parse its sealed request body, it parses our sealed reply body", () => {
    const { result, server } = ours();
    const accepted = server.accept(result.authenticate);
    const payload = Buffer.from(
      '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">ü</s:Envelope>',
    );
    const common = { flags: result.flags, exportedSessionKey: hex(result.session.exportedSessionKey) };
    const framed = py<{ body: string }>({ ...common, op: 'pywinrm-frame', payload: hex(payload) });
    expect(
      parseEncryptedBody(accepted.session, h(framed.body), ENCRYPTED_CONTENT_TYPE).payload.equals(payload),
    ).toBe(true);
    const reply = buildEncryptedBody(accepted.session, payload);
    const back = py<{ payload: string }>({ ...common, op: 'pywinrm-unframe', body: hex(reply.body) });
    expect(h(back.payload).equals(payload)).toBe(true);
  });
});

describe.runIf(available)("NTLM against python3-ntlm-auth (pywinrm's NTLM engine) as the client", () => {
  const cb = Buffer.concat([Buffer.from('tls-server-end-point:'), Buffer.alloc(32, 0xab)]);
  const creds = { user: USER, password: PASSWORD, domain: DOMAIN, channelBindings: hex(cb) };
  // ntlm-auth needs MD4 from OpenSSL's legacy provider (see openssl-legacy.cnf): for its process only.
  const legacy = { ...process.env, OPENSSL_CONF: path.resolve('test/integration/openssl-legacy.cnf') };

  function run(serverBindings: Buffer) {
    const server = new NtlmServer({
      computerName: DOMAIN,
      users: { technician: PASSWORD },
      channelBindings: serverBindings,
    });
    const { negotiate } = py<{ negotiate: string }>({ ...creds, op: 'ntlm-auth-negotiate' }, legacy);
    const challenge = server.challenge(h(negotiate));
    const theirs = py<{
      authenticate: string;
      exportedSessionKey: string;
      sealed: { sealed: string; signature: string }[];
    }>(
      {
        ...creds,
        op: 'ntlm-auth-authenticate',
        challenge: hex(challenge),
        messages: messages.map(hex),
      },
      legacy,
    );
    return { server, theirs };
  }

  it('authenticates against our server with MIC and channel bindings; sealing works both ways', () => {
    const { server, theirs } = run(cb);
    expect(parseAuthenticate(h(theirs.authenticate)).mic?.equals(Buffer.alloc(16))).toBe(false);
    const accepted = server.accept(h(theirs.authenticate));
    expect(hex(accepted.session.exportedSessionKey)).toBe(theirs.exportedSessionKey);
    expect(theirs.sealed.map((s) => accepted.session.unseal(h(s.sealed), h(s.signature)).toString())).toEqual(
      messages.map((m) => m.toString()),
    );
    const replies = messages.map((m) => accepted.session.seal(m));
    const back = py<{ plaintexts: string[] }>({
      op: 'ntlm-auth-unwrap',
      flags: accepted.flags,
      exportedSessionKey: theirs.exportedSessionKey,
      items: replies.map((r) => ({ sealed: hex(r.sealed), signature: hex(r.signature) })),
    });
    expect(back.plaintexts.map((p) => h(p).toString())).toEqual(messages.map((m) => m.toString()));
  });

  it('is refused when its channel bindings are for another certificate', () => {
    const { server, theirs } = run(
      Buffer.concat([Buffer.from('tls-server-end-point:'), Buffer.alloc(32, 0xcd)]),
    );
    expect(() => server.accept(h(theirs.authenticate))).toThrow(/channel bindings do not match/);
  });
});
