import { randomBytes } from 'node:crypto';

import { buildAuthenticate, withMic } from './authenticate';
import { type AvPair, avUint32, buildAvPairs, findAv } from './av-pairs';
import { AV_FLAG_MIC_PRESENT, AvId, CLIENT_FLAGS, REQUIRED_FLAGS } from './constants';
import { buildNegotiate, parseChallenge } from './messages';
import {
  channelBindingsHash,
  computeMic,
  computeV2,
  encryptSessionKey,
  fileTime,
  kxkey,
  ntowfv2,
} from './ntlmv2';
import { NtlmSession } from './session-security';
import { NtlmFormatError, utf16 } from './wire';

/** Credentials and context for one NTLM client handshake. */
export interface NtlmClientOptions {
  user: string;
  password: string;
  /** The account's domain; for a local account on a workgroup machine, empty or the machine's name. */
  domain: string;
  workstation?: string;
  /** SPN put in MsvAvTargetName, e.g. "HTTP/host.example" (Windows checks it when SPN validation is on). */
  targetName?: string;
  /** RFC 5929 application data for HTTPS ("tls-server-end-point:" + certificate hash); absent over HTTP. */
  channelBindings?: Buffer;
  /** Injected for tests; defaults to crypto random bytes and the wall clock. */
  random?: (n: number) => Buffer;
  now?: () => number;
}

/** The result of answering a CHALLENGE: the AUTHENTICATE message and the established session. */
export interface ClientResult {
  authenticate: Buffer;
  session: NtlmSession;
  flags: number;
}

/**
 * The client side of an NTLMv2 handshake with message encryption, as WinRM over HTTP needs it: NEGOTIATE,
 * then answer the CHALLENGE with an AUTHENTICATE (MIC, channel bindings, encrypted random session key).
 */
export class NtlmClient {
  private negotiateMessage?: Buffer;

  constructor(private readonly options: NtlmClientOptions) {}

  /** The NEGOTIATE message (type 1). */
  negotiate(): Buffer {
    this.negotiateMessage = buildNegotiate(CLIENT_FLAGS);
    return this.negotiateMessage;
  }

  /**
   * Answers the server's CHALLENGE (type 2) with an AUTHENTICATE (type 3) and the session keys.
   * `channelBindings` overrides the option: over HTTPS it comes from the connection the challenge came on.
   */
  authenticate(challengeMessage: Uint8Array, channelBindings = this.options.channelBindings): ClientResult {
    if (!this.negotiateMessage) throw new Error('NTLM: negotiate() must come first');
    const challenge = parseChallenge(challengeMessage);
    const missing = (REQUIRED_FLAGS & ~challenge.flags) >>> 0;
    if (missing) {
      throw new NtlmFormatError(
        `server refused the flags message encryption needs (0x${missing.toString(16)})`,
      );
    }
    const random = this.options.random ?? randomBytes;
    const now = this.options.now ?? Date.now;
    const serverTime = findAv(challenge.avPairs, AvId.TIMESTAMP);
    if (serverTime && serverTime.length !== 8) throw new NtlmFormatError('MsvAvTimestamp is not 8 bytes');
    // With the server's timestamp present the client proves its freshness with it and sends a MIC.
    const withMicFlag = serverTime !== undefined;

    const pairs: AvPair[] = challenge.avPairs.filter(
      (p) => p.id !== AvId.FLAGS && p.id !== AvId.CHANNEL_BINDINGS && p.id !== AvId.TARGET_NAME,
    );
    const serverFlags = findAv(challenge.avPairs, AvId.FLAGS);
    const avFlags =
      (serverFlags?.length === 4 ? serverFlags.readUInt32LE(0) : 0) | (withMicFlag ? AV_FLAG_MIC_PRESENT : 0);
    if (avFlags) pairs.push(avUint32(AvId.FLAGS, avFlags));
    pairs.push({ id: AvId.CHANNEL_BINDINGS, value: channelBindingsHash(channelBindings) });
    if (this.options.targetName) pairs.push({ id: AvId.TARGET_NAME, value: utf16(this.options.targetName) });

    const responseKeyNT = ntowfv2(this.options.user, this.options.domain, this.options.password);
    const v2 = computeV2({
      responseKeyNT,
      serverChallenge: challenge.serverChallenge,
      clientChallenge: random(8),
      timestamp: serverTime ?? fileTime(now()),
      targetInfo: buildAvPairs(pairs),
    });
    const exportedSessionKey = random(16);
    // Only flags both sides agree on stay set (the server's CHALLENGE already is that intersection).
    const flags = (CLIENT_FLAGS & challenge.flags) >>> 0;
    const message = buildAuthenticate({
      flags,
      // MS-NLMP 3.1.5.1.2: with a server timestamp, the LM response is Z(24).
      lmChallengeResponse: withMicFlag ? Buffer.alloc(24) : v2.lmChallengeResponse,
      ntChallengeResponse: v2.ntChallengeResponse,
      domain: this.options.domain,
      user: this.options.user,
      workstation: this.options.workstation ?? '',
      encryptedRandomSessionKey: encryptSessionKey(kxkey(v2.sessionBaseKey), exportedSessionKey),
    });
    const authenticate = withMicFlag
      ? withMic(message, computeMic(exportedSessionKey, this.negotiateMessage, challenge.raw, message))
      : message;
    return { authenticate, session: new NtlmSession(exportedSessionKey, 'client'), flags };
  }
}
