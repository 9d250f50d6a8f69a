/**
 * MS-NLMP section 4.2.4 (NTLMv2 authentication): every value the spec lists, computed by our code from the
 * spec's inputs. User "User", domain "Domain", password "Password", server "Server", workstation "COMPUTER",
 * random session key 0x55 x 16, time 0, client challenge 0xaa x 8, server challenge 0123456789abcdef.
 */
import { describe, expect, it } from 'vitest';

import { parseAuthenticate } from './authenticate';
import { buildAvPairs } from './av-pairs';
import { AvId } from './constants';
import { CLIENT_FLAGS } from './constants';
import { buildChallenge, buildNegotiate, parseChallenge } from './messages';
import { computeV2, encryptSessionKey, hmacMd5, kxkey, ntHash, ntowfv2, sessionKeys } from './ntlmv2';
import { NtlmServer } from './server';
import { NtlmSession } from './session-security';

const h = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const serverChallenge = h('0123456789abcdef');
const clientChallenge = Buffer.alloc(8, 0xaa);
const randomSessionKey = Buffer.alloc(16, 0x55);
const time = Buffer.alloc(8);
// 4.2.4 AV pairs: MsvAvNbDomainName "Domain", MsvAvNbComputerName "Server", MsvAvEOL.
const targetInfo = h('02000c0044006f006d00610069006e00 01000c00530065007200760065007200 00000000');

// 4.2.4.3: the CHALLENGE_MESSAGE and AUTHENTICATE_MESSAGE as the spec prints them.
const specChallenge =
  h(`4e544c4d53535000020000000c000c003800000033828ae20123456789abcdef00000000000000002400240044000000
  060070170000000f53006500720076006500720002000c0044006f006d00610069006e0001000c0053006500720076006500720000000000`);
const specAuthenticate = h(`4e544c4d535350000300000018001800 6c00000054005400840000000c000c00
  48000000080008005400000010001000 5c00000010001000d8000000358288e2 0501280a0000000f44006f006d006100
  69006e00550073006500720043004f00 4d005000550054004500520086c35097 ac9cec102554764a57cccc19aaaaaaaa
  aaaaaaaa68cd0ab851e51c96aabc927b ebef6a1c010100000000000000000000 00000000aaaaaaaaaaaaaaaa00000000
  02000c0044006f006d00610069006e00 01000c00530065007200760065007200 0000000000000000c5dad2544fc97990
  94ce1ce90bc9d03e`);

describe('MS-NLMP 4.2.4 NTLMv2 test vectors', () => {
  const responseKeyNT = ntowfv2('User', 'Domain', 'Password');
  const v2 = computeV2({ responseKeyNT, serverChallenge, clientChallenge, timestamp: time, targetInfo });

  it('4.2.4.1.1 NTOWFv2 (and LMOWFv2, the same function)', () => {
    expect(hex(ntHash('Password'))).toBe('a4f49c406510bdcab6824ee7c30fd852');
    expect(hex(responseKeyNT)).toBe('0c868a403bfd7a93a3001ef22ef02e3f');
    // The user name is case-insensitive, the domain is not.
    expect(hex(ntowfv2('USER', 'Domain', 'Password'))).toBe(hex(responseKeyNT));
    expect(hex(ntowfv2('User', 'DOMAIN', 'Password'))).not.toBe(hex(responseKeyNT));
  });

  it('4.2.4.1.2 session base key and 4.2.4.1.3 key exchange key', () => {
    expect(hex(v2.sessionBaseKey)).toBe('8de40ccadbc14a82f15cb0ad0de95ca3');
    expect(hex(kxkey(v2.sessionBaseKey))).toBe('8de40ccadbc14a82f15cb0ad0de95ca3');
  });

  it('4.2.4.2.1 LMv2 response', () => {
    expect(hex(v2.lmChallengeResponse)).toBe('86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa');
  });

  it('4.2.4.2.2 NTLMv2 response: temp, NTProofStr, the whole response', () => {
    const temp =
      '01010000000000000000000000000000aaaaaaaaaaaaaaaa00000000' +
      '02000c0044006f006d00610069006e0001000c005300650072007600650072000000000000000000';
    expect(hex(v2.ntProofStr)).toBe('68cd0ab851e51c96aabc927bebef6a1c');
    expect(hex(v2.ntChallengeResponse)).toBe('68cd0ab851e51c96aabc927bebef6a1c' + temp);
  });

  it('4.2.4.2.3 encrypted session key', () => {
    expect(hex(encryptSessionKey(kxkey(v2.sessionBaseKey), randomSessionKey))).toBe(
      'c5dad2544fc9799094ce1ce90bc9d03e',
    );
  });

  it('4.2.4.3 CHALLENGE_MESSAGE: parses, and we build the same bytes (bar the informational version)', () => {
    const parsed = parseChallenge(specChallenge);
    expect(parsed.flags).toBe(0xe28a8233);
    expect(hex(parsed.serverChallenge)).toBe('0123456789abcdef');
    expect(parsed.targetName).toBe('Server');
    expect(hex(parsed.targetInfo)).toBe(hex(targetInfo));
    expect(parsed.avPairs.map((p) => [p.id, p.value.toString('utf16le')])).toEqual([
      [AvId.NB_DOMAIN_NAME, 'Domain'],
      [AvId.NB_COMPUTER_NAME, 'Server'],
    ]);
    const ours = buildChallenge({
      flags: 0xe28a8233,
      serverChallenge,
      targetName: 'Server',
      avPairs: parsed.avPairs,
    });
    expect(hex(ours.subarray(0, 48))).toBe(hex(specChallenge.subarray(0, 48)));
    expect(hex(ours.subarray(56))).toBe(hex(specChallenge.subarray(56)));
    expect(hex(buildAvPairs(parsed.avPairs))).toBe(hex(targetInfo));
  });

  it('4.2.4.3 AUTHENTICATE_MESSAGE: parses to the vector values (no MIC in this 72-byte header)', () => {
    const auth = parseAuthenticate(specAuthenticate);
    expect(auth.flags).toBe(0xe2888235);
    expect([auth.domain, auth.user, auth.workstation]).toEqual(['Domain', 'User', 'COMPUTER']);
    expect(hex(auth.lmChallengeResponse)).toBe(hex(v2.lmChallengeResponse));
    expect(hex(auth.ntChallengeResponse)).toBe(hex(v2.ntChallengeResponse));
    expect(hex(auth.encryptedRandomSessionKey)).toBe('c5dad2544fc9799094ce1ce90bc9d03e');
    expect(auth.mic).toBeUndefined();
  });

  it('4.2.4.3: our server accepts the spec AUTHENTICATE and recovers the random session key', () => {
    const server = new NtlmServer({
      computerName: 'Server',
      users: { user: 'Password' },
      random: (n) => (n === 8 ? serverChallenge : Buffer.alloc(n)),
    });
    server.challenge(buildNegotiate(CLIENT_FLAGS));
    const accepted = server.accept(specAuthenticate);
    expect(accepted.user).toBe('User');
    expect(hex(accepted.session.exportedSessionKey)).toBe(hex(randomSessionKey));
  });

  it('4.2.4.4 sealing and signing keys (client to server)', () => {
    const keys = sessionKeys(randomSessionKey);
    expect(hex(keys.clientSealing)).toBe('59f600973cc4960a25480a7c196e4c58');
    expect(hex(keys.clientSigning)).toBe('4788dc861b4782f35d43fd98fe1a2d39');
  });

  it('4.2.4.4 GSS_WrapEx: the sealed "Plaintext", its checksum and signature at SeqNum 0', () => {
    const plaintext = Buffer.from('Plaintext', 'utf16le');
    const keys = sessionKeys(randomSessionKey);
    const rawChecksum = hmacMd5(keys.clientSigning, Buffer.alloc(4), plaintext).subarray(0, 8);
    expect(hex(rawChecksum)).toBe('70352851f2564309');
    const { sealed, signature } = new NtlmSession(randomSessionKey, 'client').seal(plaintext);
    expect(hex(sealed)).toBe('54e50165bf1936dc996020c1811b0f06fb5f');
    expect(hex(signature)).toBe('010000007fb38ec5c55d497600000000');
    // And the receiving side gets the plaintext back from exactly these bytes.
    const server = new NtlmSession(randomSessionKey, 'server');
    expect(server.unseal(sealed, signature).toString('utf16le')).toBe('Plaintext');
  });
});
