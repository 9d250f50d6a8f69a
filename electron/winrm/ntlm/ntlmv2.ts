import { createHash, createHmac } from 'node:crypto';

import { md4 } from './md4';
import { rc4 } from './rc4';
import { utf16 } from './wire';

/** HMAC-MD5 (node:crypto still has MD5 and HMAC; only MD4 and RC4 are missing). */
export const hmacMd5 = (key: Uint8Array, ...data: Uint8Array[]): Buffer => {
  const h = createHmac('md5', key);
  for (const d of data) h.update(d);
  return h.digest();
};

const md5 = (...data: Uint8Array[]): Buffer => {
  const h = createHash('md5');
  for (const d of data) h.update(d);
  return h.digest();
};

/** NT hash: MD4(UTF-16LE(password)). */
export const ntHash = (password: string): Buffer => md4(utf16(password));

/**
 * NTOWFv2 (MS-NLMP 3.3.2): HMAC_MD5(NT hash, UTF-16LE(uppercase(user) + domain)). The user name is
 * case-insensitive, the domain is not (it is used exactly as given). LMOWFv2 is the same function.
 */
export const ntowfv2 = (user: string, domain: string, password: string): Buffer =>
  hmacMd5(ntHash(password), utf16(user.toUpperCase() + domain));

/** The 8-byte FILETIME (100 ns ticks since 1601) for a Unix time in milliseconds. */
export function fileTime(unixMs: number): Buffer {
  const ticks = (BigInt(Math.floor(unixMs)) + 11_644_473_600_000n) * 10_000n;
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(ticks, 0);
  return out;
}

/** Inputs to an NTLMv2 response. `targetInfo` is the serialised AV pairs the client puts in its blob. */
export interface V2Input {
  responseKeyNT: Buffer;
  serverChallenge: Buffer;
  clientChallenge: Buffer;
  timestamp: Buffer;
  targetInfo: Buffer;
}

/** The NTLMv2 response and the session base key (MS-NLMP 3.3.2). */
export interface V2Response {
  ntProofStr: Buffer;
  ntChallengeResponse: Buffer;
  lmChallengeResponse: Buffer;
  sessionBaseKey: Buffer;
}

/** The NTLMv2_CLIENT_CHALLENGE ("temp"): versions 1/1, Z(6), time, client challenge, Z(4), AV pairs, Z(4). */
export function clientBlob(timestamp: Buffer, clientChallenge: Buffer, targetInfo: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from([1, 1, 0, 0, 0, 0, 0, 0]),
    timestamp,
    clientChallenge,
    Buffer.alloc(4),
    targetInfo,
    Buffer.alloc(4),
  ]);
}

/** Computes NTProofStr, the NT and LM challenge responses and the session base key. */
export function computeV2(input: V2Input): V2Response {
  const temp = clientBlob(input.timestamp, input.clientChallenge, input.targetInfo);
  const ntProofStr = hmacMd5(input.responseKeyNT, input.serverChallenge, temp);
  return {
    ntProofStr,
    ntChallengeResponse: Buffer.concat([ntProofStr, temp]),
    // ResponseKeyLM = LMOWFv2 = NTOWFv2.
    lmChallengeResponse: Buffer.concat([
      hmacMd5(input.responseKeyNT, input.serverChallenge, input.clientChallenge),
      input.clientChallenge,
    ]),
    sessionBaseKey: hmacMd5(input.responseKeyNT, ntProofStr),
  };
}

/** KXKEY for NTLMv2 is the session base key itself (MS-NLMP 3.4.5.1). */
export const kxkey = (sessionBaseKey: Buffer): Buffer => sessionBaseKey;

/** With NTLMSSP_NEGOTIATE_KEY_EXCH the exported session key travels RC4-encrypted under the KXKEY. */
export const encryptSessionKey = (keyExchangeKey: Buffer, exportedSessionKey: Buffer): Buffer =>
  rc4(keyExchangeKey, exportedSessionKey);

/** The inverse, on the server: RC4 is its own inverse. */
export const decryptSessionKey = encryptSessionKey;

/** MIC = HMAC_MD5(ExportedSessionKey, NEGOTIATE || CHALLENGE || AUTHENTICATE with the MIC zeroed). */
export const computeMic = (
  exportedSessionKey: Buffer,
  negotiate: Uint8Array,
  challenge: Uint8Array,
  authenticateZeroMic: Uint8Array,
): Buffer => hmacMd5(exportedSessionKey, negotiate, challenge, authenticateZeroMic);

/** The four directional keys (MS-NLMP 3.4.5.2 / 3.4.5.3, extended session security, 128-bit). */
export interface SessionKeys {
  clientSigning: Buffer;
  clientSealing: Buffer;
  serverSigning: Buffer;
  serverSealing: Buffer;
}

const magic = (text: string): Buffer => Buffer.from(`session key to ${text} key magic constant\0`, 'latin1');

/** SIGNKEY and SEALKEY for both directions from the exported session key. */
export function sessionKeys(exportedSessionKey: Buffer): SessionKeys {
  return {
    clientSigning: md5(exportedSessionKey, magic('client-to-server signing')),
    clientSealing: md5(exportedSessionKey, magic('client-to-server sealing')),
    serverSigning: md5(exportedSessionKey, magic('server-to-client signing')),
    serverSealing: md5(exportedSessionKey, magic('server-to-client sealing')),
  };
}

/**
 * Channel bindings hash for MsvAvChannelBindings: MD5 of the gss_channel_bindings_struct whose application
 * data is "tls-server-end-point:" + the certificate hash (RFC 5929), with zero initiator/acceptor addresses.
 * Over plain HTTP there is no channel: 16 zero bytes.
 */
export function channelBindingsHash(applicationData?: Buffer): Buffer {
  if (!applicationData) return Buffer.alloc(16);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(applicationData.length, 0);
  // initiator addrtype+length, acceptor addrtype+length: all zero (4 x uint32), then the application data.
  return md5(Buffer.alloc(16), len, applicationData);
}
