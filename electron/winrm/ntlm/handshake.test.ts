import { describe, expect, it } from 'vitest';

import { parseAuthenticate } from './authenticate';
import { findAv, parseAvPairs } from './av-pairs';
import { NtlmClient, type NtlmClientOptions } from './client';
import { AV_FLAG_MIC_PRESENT, AvId, CLIENT_FLAGS, NegotiateFlag } from './constants';
import { buildNegotiate, parseChallenge } from './messages';
import { channelBindingsHash } from './ntlmv2';
import { NtlmAuthError, NtlmServer } from './server';
import { NtlmIntegrityError } from './session-security';

const serverOptions = {
  computerName: 'WIN10-01',
  users: { Technician: 'S3cret!pw' },
  now: () => 1_700_000_000_000,
};

function handshake(client: Partial<NtlmClientOptions> = {}) {
  const ntlm = new NtlmClient({ user: 'technician', password: 'S3cret!pw', domain: 'WIN10-01', ...client });
  const server = new NtlmServer(serverOptions);
  const negotiate = ntlm.negotiate();
  const challenge = server.challenge(negotiate);
  const result = ntlm.authenticate(challenge);
  return { ntlm, server, negotiate, challenge, result };
}

describe('NTLM client and server handshake', () => {
  it('negotiates with the flags a Windows WinRM client sends (those of the MS-NLMP 4.2.4 AUTHENTICATE)', () => {
    expect(CLIENT_FLAGS).toBe(0xe2888235);
    const negotiate = new NtlmClient({ user: 'u', password: 'p', domain: '' }).negotiate();
    expect(negotiate.length).toBe(40);
    expect(negotiate.toString('latin1', 0, 8)).toBe('NTLMSSP\0');
    expect([negotiate.readUInt32LE(8), negotiate.readUInt32LE(12)]).toEqual([1, 0xe2888235]);
    expect(negotiate.subarray(16, 32).equals(Buffer.alloc(16))).toBe(true); // no OEM domain/workstation
    expect(negotiate.readUInt8(39)).toBe(0x0f); // NTLMSSP revision 15
  });

  it('agrees on the exported session key and seals both ways over several messages', () => {
    const { server, result } = handshake({ targetName: 'HTTP/win10-01' });
    const accepted = server.accept(result.authenticate);
    expect(accepted.user).toBe('technician');
    expect(accepted.session.exportedSessionKey.equals(result.session.exportedSessionKey)).toBe(true);
    for (let i = 0; i < 3; i++) {
      const up = result.session.seal(Buffer.from(`request ${i}`));
      expect(up.sealed.toString()).not.toContain('request');
      expect(accepted.session.unseal(up.sealed, up.signature).toString()).toBe(`request ${i}`);
      const down = accepted.session.seal(Buffer.from(`reply ${i}`));
      expect(result.session.unseal(down.sealed, down.signature).toString()).toBe(`reply ${i}`);
    }
    expect(result.session.sequence).toEqual({ send: 3, receive: 3 });
  });

  it('sends what a WinRM client must: flags, MIC, timestamp echo, channel bindings, SPN, Z(24) LM', () => {
    const { challenge, result } = handshake({ targetName: 'HTTP/win10-01' });
    const auth = parseAuthenticate(result.authenticate);
    for (const flag of [
      'KEY_EXCH',
      'N128',
      'EXTENDED_SESSION_SECURITY',
      'SIGN',
      'SEAL',
      'ALWAYS_SIGN',
      'NTLM',
    ] as const) {
      expect(auth.flags & NegotiateFlag[flag], flag).toBeTruthy();
    }
    expect(auth.mic?.equals(Buffer.alloc(16))).toBe(false);
    expect(auth.lmChallengeResponse.equals(Buffer.alloc(24))).toBe(true);
    const blob = auth.ntChallengeResponse.subarray(16);
    const serverTime = findAv(parseChallenge(challenge).avPairs, AvId.TIMESTAMP);
    expect(blob.subarray(8, 16).equals(serverTime!)).toBe(true);
    const pairs = parseAvPairs(blob.subarray(28));
    expect(findAv(pairs, AvId.FLAGS)!.readUInt32LE(0) & AV_FLAG_MIC_PRESENT).toBeTruthy();
    expect(findAv(pairs, AvId.CHANNEL_BINDINGS)!.equals(Buffer.alloc(16))).toBe(true);
    expect(findAv(pairs, AvId.TARGET_NAME)!.toString('utf16le')).toBe('HTTP/win10-01');
  });

  it('puts the channel bindings hash in for HTTPS', () => {
    const cb = Buffer.concat([Buffer.from('tls-server-end-point:'), Buffer.alloc(32, 7)]);
    const { server, result } = handshake({ channelBindings: cb });
    const pairs = parseAvPairs(parseAuthenticate(result.authenticate).ntChallengeResponse.subarray(16 + 28));
    expect(findAv(pairs, AvId.CHANNEL_BINDINGS)!.equals(channelBindingsHash(cb))).toBe(true);
    expect(channelBindingsHash(cb).equals(Buffer.alloc(16))).toBe(false);
    expect(server.accept(result.authenticate).user).toBe('technician');
  });

  it('answers an OEM-only NEGOTIATE (python3-ntlm-auth sends one) in OEM, and refuses one with neither', () => {
    const server = new NtlmServer(serverOptions);
    const oem = buildNegotiate(((CLIENT_FLAGS & ~NegotiateFlag.UNICODE) | NegotiateFlag.OEM) >>> 0);
    const challenge = server.challenge(oem);
    const flags = challenge.readUInt32LE(20);
    expect([flags & NegotiateFlag.UNICODE, flags & NegotiateFlag.OEM]).toEqual([0, NegotiateFlag.OEM]);
    expect(challenge.toString('latin1', challenge.readUInt32LE(16), challenge.readUInt32LE(16) + 8)).toBe(
      'WIN10-01',
    );
    // Our own client speaks Unicode only and says so rather than guess at an OEM code page.
    const ours = new NtlmClient({ user: 'u', password: 'p', domain: '' });
    ours.negotiate();
    expect(() => ours.authenticate(challenge)).toThrow(/did not agree to Unicode/);
    const neither = buildNegotiate((CLIENT_FLAGS & ~NegotiateFlag.UNICODE) >>> 0);
    expect(() => new NtlmServer(serverOptions).challenge(neither)).toThrow(/neither Unicode nor OEM/);
  });

  it('refuses a wrong password and an unknown user with the same words', () => {
    const wrong = handshake({ password: 'nope' });
    expect(() => wrong.server.accept(wrong.result.authenticate)).toThrow(/unknown user name or bad password/);
    const nobody = handshake({ user: 'mallory' });
    expect(() => nobody.server.accept(nobody.result.authenticate)).toThrow(
      /unknown user name or bad password/,
    );
  });

  it('refuses a second AUTHENTICATE on the same challenge (replay)', () => {
    const { server, result } = handshake();
    server.accept(result.authenticate);
    expect(() => server.accept(result.authenticate)).toThrow(/replay/);
  });

  it('refuses an altered message: flags changed after the MIC, or a replayed AUTHENTICATE elsewhere', () => {
    const { server, result } = handshake();
    const altered = Buffer.from(result.authenticate);
    // Drop ALWAYS_SIGN: still a valid request, but the MIC no longer matches what the client sent.
    altered.writeUInt32LE((altered.readUInt32LE(60) & ~NegotiateFlag.ALWAYS_SIGN) >>> 0, 60);
    expect(() => server.accept(altered)).toThrow(/MIC does not verify/);
    const other = new NtlmServer(serverOptions);
    other.challenge(new NtlmClient({ user: 'x', password: 'y', domain: '' }).negotiate());
    expect(() => other.accept(result.authenticate)).toThrow(NtlmAuthError);
  });

  it('refuses a client that does not negotiate sealing', () => {
    const { server, result } = handshake();
    const unsealed = Buffer.from(result.authenticate);
    unsealed.writeUInt32LE((unsealed.readUInt32LE(60) & ~NegotiateFlag.SEAL) >>> 0, 60);
    expect(() => server.accept(unsealed)).toThrow(/message encryption/);
  });

  it('client refuses a server that will not seal', () => {
    const ntlm = new NtlmClient({ user: 'u', password: 'p', domain: '' });
    const challenge = Buffer.from(new NtlmServer(serverOptions).challenge(ntlm.negotiate()));
    challenge.writeUInt32LE((challenge.readUInt32LE(20) & ~NegotiateFlag.SEAL) >>> 0, 20);
    expect(() => ntlm.authenticate(challenge)).toThrow(/refused the flags/);
  });

  it('rejects a bad signature, a tampered body and a replayed sealed message', () => {
    const { server, result } = handshake();
    const accepted = server.accept(result.authenticate);
    const first = result.session.seal(Buffer.from('<s:Envelope/>'));
    const badSig = Buffer.from(first.signature);
    badSig.writeUInt8(badSig.readUInt8(6) ^ 1, 6);
    expect(() => accepted.session.unseal(first.sealed, badSig)).toThrow(NtlmIntegrityError);
    // After a failure the stream is out of step: even a genuine next message is refused, loudly.
    const next = result.session.seal(Buffer.from('<next/>'));
    expect(() => accepted.session.unseal(next.sealed, next.signature)).toThrow(/authenticate again/);

    // A fresh pair of sessions for the other cases (a failed check leaves the RC4 stream out of step).
    const again = handshake();
    const session = again.server.accept(again.result.authenticate).session;
    const one = again.result.session.seal(Buffer.from('one'));
    const tampered = Buffer.from(one.sealed);
    tampered.writeUInt8(tampered.readUInt8(0) ^ 0x20, 0);
    expect(() => session.unseal(tampered, one.signature)).toThrow(/does not verify/);

    const third = handshake();
    const s3 = third.server.accept(third.result.authenticate).session;
    const msg = third.result.session.seal(Buffer.from('once'));
    expect(s3.unseal(msg.sealed, msg.signature).toString()).toBe('once');
    expect(() => s3.unseal(msg.sealed, msg.signature)).toThrow(NtlmIntegrityError);
  });

  it('signs without sealing (GSS_GetMIC) and verifies in sequence', () => {
    const { server, result } = handshake();
    const accepted = server.accept(result.authenticate);
    const sig = result.session.sign(Buffer.from('hello'));
    accepted.session.verify(Buffer.from('hello'), sig);
    const sig2 = result.session.sign(Buffer.from('hello'));
    expect(sig2.readUInt32LE(12)).toBe(1);
    expect(() => accepted.session.verify(Buffer.from('hellO'), sig2)).toThrow(NtlmIntegrityError);
  });
});

describe('NTLM channel bindings as the server checks them (CbtHardeningLevel)', () => {
  const bindings = Buffer.concat([Buffer.from('tls-server-end-point:'), Buffer.alloc(32, 9)]);
  const other = Buffer.concat([Buffer.from('tls-server-end-point:'), Buffer.alloc(32, 8)]);
  function answer(policy: 'strict' | 'relaxed', sent?: Buffer) {
    const ntlm = new NtlmClient({
      user: 'technician',
      password: 'S3cret!pw',
      domain: '',
      channelBindings: sent,
    });
    const server = new NtlmServer({
      ...serverOptions,
      channelBindings: bindings,
      channelBindingPolicy: policy,
    });
    const challenge = server.challenge(ntlm.negotiate());
    return () => server.accept(ntlm.authenticate(challenge).authenticate);
  }

  it('strict: only the bindings of this connection pass; none (all zero) and other ones are refused', () => {
    expect(answer('strict', bindings)().user).toBe('technician');
    expect(answer('strict')).toThrow(/channel bindings do not match/);
    expect(answer('strict', other)).toThrow(/channel bindings do not match/);
  });

  it('relaxed: a client that sends none is let in, wrong ones are still refused', () => {
    expect(answer('relaxed')().user).toBe('technician');
    expect(answer('relaxed', bindings)().user).toBe('technician');
    expect(answer('relaxed', other)).toThrow(/channel bindings do not match/);
  });

  it('the client takes the bindings per handshake (from the connection the challenge came on)', () => {
    const ntlm = new NtlmClient({ user: 'technician', password: 'S3cret!pw', domain: '' });
    const server = new NtlmServer({ ...serverOptions, channelBindings: bindings });
    const challenge = server.challenge(ntlm.negotiate());
    expect(server.accept(ntlm.authenticate(challenge, bindings).authenticate).user).toBe('technician');
  });
});
