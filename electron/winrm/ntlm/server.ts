import { randomBytes, timingSafeEqual } from 'node:crypto';

import { parseAuthenticate, zeroMic } from './authenticate';
import { type AvPair, findAv, parseAvPairs } from './av-pairs';
import { AV_FLAG_MIC_PRESENT, AvId, NegotiateFlag as F, REQUIRED_FLAGS } from './constants';
import { buildChallenge, parseNegotiate } from './messages';
import {
  channelBindingsHash,
  computeMic,
  decryptSessionKey,
  fileTime,
  hmacMd5,
  kxkey,
  ntowfv2,
} from './ntlmv2';
import { NtlmSession } from './session-security';
import { NtlmFormatError, utf16 } from './wire';

/** Why a server refused an AUTHENTICATE: a technician-readable reason, kept apart from malformed input. */
export class NtlmAuthError extends Error {
  constructor(message: string) {
    super(`NTLM: ${message}`);
    this.name = 'NtlmAuthError';
  }
}

/** The machine the server pretends to be and the accounts it knows. */
export interface NtlmServerOptions {
  /** NetBIOS name, e.g. "WIN10-01"; on a workgroup machine it is also the domain name NTLM shows. */
  computerName: string;
  dnsName?: string;
  /** Local accounts: name (matched case-insensitively, as Windows does) → password. */
  users: Record<string, string>;
  /**
   * HTTPS only: the RFC 5929 application data of this connection ("tls-server-end-point:" + certificate hash).
   * When set, the client's MsvAvChannelBindings must match it (Windows' CbtHardeningLevel=Strict).
   */
  channelBindings?: Buffer;
  /**
   * 'strict' (default when channelBindings is set): the bindings must match. 'relaxed' (Windows' default
   * CbtHardeningLevel for WinRM): a client that sends none — absent or all zero, MS-NLMP's "not CBT aware" —
   * is let in, but bindings that are present must match.
   */
  channelBindingPolicy?: 'strict' | 'relaxed';
  random?: (n: number) => Buffer;
  now?: () => number;
}

/** An accepted AUTHENTICATE: who, with which flags, and the session to seal with. */
export interface Accepted {
  user: string;
  domain: string;
  flags: number;
  session: NtlmSession;
}

// Flags the server echoes when the client asks for them (MS-NLMP 3.2.5.1.1); the rest it always sets.
const ECHOED =
  F.SIGN | F.SEAL | F.ALWAYS_SIGN | F.EXTENDED_SESSION_SECURITY | F.VERSION | F.N128 | F.KEY_EXCH | F.N56;
const ALWAYS = F.REQUEST_TARGET | F.NTLM | F.TARGET_TYPE_SERVER | F.TARGET_INFO;

/** Minimum NTLMv2 response: NTProofStr (16) + the blob's fixed 28 bytes + MsvAvEOL (4) + Z(4). */
const MIN_V2_RESPONSE = 16 + 28 + 4 + 4;

/**
 * The server side of one NTLM handshake — for the WinRM simulator. One instance per TCP connection: the
 * security context is bound to it, and a second AUTHENTICATE on the same challenge is refused (replay).
 */
export class NtlmServer {
  private negotiateMessage?: Buffer;
  private challengeMessage?: Buffer;
  private serverChallenge?: Buffer;
  private used = false;

  constructor(private readonly options: NtlmServerOptions) {}

  /** Answers a NEGOTIATE with a CHALLENGE carrying the AV pairs and timestamp a workgroup Windows sends. */
  challenge(negotiateMessage: Uint8Array): Buffer {
    const negotiate = parseNegotiate(negotiateMessage);
    // MS-NLMP 3.2.5.1.1: Unicode if the client offers it, else OEM (what python3-ntlm-auth offers), else refuse.
    const charset = negotiate.flags & F.UNICODE ? F.UNICODE : negotiate.flags & F.OEM ? F.OEM : 0;
    if (!charset) throw new NtlmAuthError('client offers neither Unicode nor OEM strings');
    const random = this.options.random ?? randomBytes;
    const now = this.options.now ?? Date.now;
    const name = this.options.computerName;
    const dns = this.options.dnsName ?? name.toLowerCase();
    const avPairs: AvPair[] = [
      { id: AvId.NB_DOMAIN_NAME, value: utf16(name) },
      { id: AvId.NB_COMPUTER_NAME, value: utf16(name) },
      { id: AvId.DNS_DOMAIN_NAME, value: utf16(dns) },
      { id: AvId.DNS_COMPUTER_NAME, value: utf16(dns) },
      { id: AvId.TIMESTAMP, value: fileTime(now()) },
    ];
    this.serverChallenge = random(8);
    this.negotiateMessage = negotiate.raw;
    this.challengeMessage = buildChallenge({
      flags: ((negotiate.flags & ECHOED) | ALWAYS | charset) >>> 0,
      serverChallenge: this.serverChallenge,
      targetName: name,
      avPairs,
    });
    return this.challengeMessage;
  }

  /**
   * Checks an AUTHENTICATE against the configured password: the NTLMv2 proof, the MIC when the client says
   * it sent one, the flags message encryption needs; derives the exported session key.
   */
  accept(authenticateMessage: Uint8Array): Accepted {
    if (!this.negotiateMessage || !this.challengeMessage || !this.serverChallenge) {
      throw new NtlmAuthError('AUTHENTICATE before CHALLENGE');
    }
    if (this.used) throw new NtlmAuthError('this challenge was already answered (replay)');
    this.used = true;
    const auth = parseAuthenticate(authenticateMessage);
    const missing = (REQUIRED_FLAGS & ~auth.flags) >>> 0;
    if (missing)
      throw new NtlmAuthError(`client did not negotiate message encryption (0x${missing.toString(16)})`);
    const nt = auth.ntChallengeResponse;
    if (nt.length < MIN_V2_RESPONSE)
      throw new NtlmAuthError('NTLMv1 or anonymous response refused (NTLMv2 only)');
    const password = this.lookup(auth.user);
    if (password === undefined) throw new NtlmAuthError('unknown user name or bad password');

    const responseKeyNT = ntowfv2(auth.user, auth.domain, password);
    const blob = nt.subarray(16);
    const proof = hmacMd5(responseKeyNT, this.serverChallenge, blob);
    if (!timingSafeEqual(proof, nt.subarray(0, 16)))
      throw new NtlmAuthError('unknown user name or bad password');
    if (blob[0] !== 1 || blob[1] !== 1) throw new NtlmFormatError('unknown NTLMv2 blob version');

    // The blob's AV pairs start after versions (2), Z(6), time (8), client challenge (8) and Z(4).
    const blobPairs = parseAvPairs(blob.subarray(28));
    const exported = this.exportedKey(
      auth.flags,
      hmacMd5(responseKeyNT, proof),
      auth.encryptedRandomSessionKey,
    );
    if (this.options.channelBindings) {
      const sent = findAv(blobPairs, AvId.CHANNEL_BINDINGS);
      const unaware = !sent || sent.equals(Buffer.alloc(16));
      const relaxed = this.options.channelBindingPolicy === 'relaxed';
      if (!(relaxed && unaware) && !sent?.equals(channelBindingsHash(this.options.channelBindings))) {
        throw new NtlmAuthError('channel bindings do not match this TLS connection');
      }
    }
    const avFlags = findAv(blobPairs, AvId.FLAGS);
    if (avFlags && avFlags.length === 4 && avFlags.readUInt32LE(0) & AV_FLAG_MIC_PRESENT) {
      if (!auth.mic) throw new NtlmAuthError('client announced a MIC but sent none');
      const mic = computeMic(exported, this.negotiateMessage, this.challengeMessage, zeroMic(auth.raw));
      if (!timingSafeEqual(mic, auth.mic))
        throw new NtlmAuthError('MIC does not verify (messages were altered)');
    }
    return {
      user: auth.user,
      domain: auth.domain,
      flags: auth.flags,
      session: new NtlmSession(exported, 'server'),
    };
  }

  private lookup(user: string): string | undefined {
    const wanted = user.toUpperCase();
    const match = Object.keys(this.options.users).find((u) => u.toUpperCase() === wanted);
    return match === undefined ? undefined : this.options.users[match];
  }

  private exportedKey(flags: number, sessionBaseKey: Buffer, encrypted: Buffer): Buffer {
    const keyExchangeKey = kxkey(sessionBaseKey);
    if (!(flags & F.KEY_EXCH)) return keyExchangeKey;
    if (encrypted.length !== 16) throw new NtlmFormatError('encrypted random session key must be 16 bytes');
    return decryptSessionKey(keyExchangeKey, encrypted);
  }
}
