import { type AvPair, buildAvPairs, parseAvPairs } from './av-pairs';
import { MessageType, NegotiateFlag, OUR_VERSION, SIGNATURE } from './constants';
import { assemble, checkHeader, encodeText, fromUtf16, NtlmFormatError, readField } from './wire';

// NEGOTIATE_MESSAGE (MS-NLMP 2.2.1.1): signature, type, flags@12, DomainNameFields@16, WorkstationFields@24,
// Version@32; 40 bytes of header. Older clients send 32 (no version) or just 16.
const NEG_DOMAIN = 16;
const NEG_WORKSTATION = 24;

/** A parsed NEGOTIATE message: only the flags matter to a server; names are OEM and informational. */
export interface Negotiate {
  flags: number;
  raw: Buffer;
}

/** Builds the client's NEGOTIATE (no domain or workstation: Windows' own client sends none either). */
export function buildNegotiate(flags: number): Buffer {
  const header = Buffer.alloc(40);
  SIGNATURE.copy(header, 0);
  header.writeUInt32LE(MessageType.NEGOTIATE, 8);
  header.writeUInt32LE(flags >>> 0, 12);
  if (flags & NegotiateFlag.VERSION) OUR_VERSION.copy(header, 32);
  return header;
}

/** Parses a NEGOTIATE message, checking that any name fields stay inside it. */
export function parseNegotiate(msg: Uint8Array): Negotiate {
  const buf = checkHeader(msg, MessageType.NEGOTIATE, 16);
  const flags = buf.readUInt32LE(12);
  if (buf.length >= 32) {
    readField(buf, NEG_DOMAIN, 32, 'domain name');
    readField(buf, NEG_WORKSTATION, 32, 'workstation');
  }
  return { flags, raw: buf };
}

// CHALLENGE_MESSAGE (2.2.1.2): TargetNameFields@12, flags@20, ServerChallenge@24, Reserved@32,
// TargetInfoFields@40, Version@48; payload from 56.
const CH_TARGET_NAME = 12;
const CH_TARGET_INFO = 40;
const CH_HEADER = 56;

/** A parsed CHALLENGE message. */
export interface Challenge {
  flags: number;
  serverChallenge: Buffer;
  targetName: string;
  targetInfo: Buffer;
  avPairs: AvPair[];
  raw: Buffer;
}

/** What a server puts in its CHALLENGE. */
export interface ChallengeFields {
  flags: number;
  serverChallenge: Buffer;
  targetName: string;
  avPairs: AvPair[];
}

/** Builds a CHALLENGE message (the simulator's side); the target name in the character set `flags` chose. */
export function buildChallenge(fields: ChallengeFields): Buffer {
  if (fields.serverChallenge.length !== 8) throw new Error('server challenge must be 8 bytes');
  const header = Buffer.alloc(CH_HEADER);
  SIGNATURE.copy(header, 0);
  header.writeUInt32LE(MessageType.CHALLENGE, 8);
  header.writeUInt32LE(fields.flags >>> 0, 20);
  fields.serverChallenge.copy(header, 24);
  OUR_VERSION.copy(header, 48);
  return assemble(header, [
    { at: CH_TARGET_NAME, data: encodeText(fields.targetName, (fields.flags & NegotiateFlag.UNICODE) !== 0) },
    { at: CH_TARGET_INFO, data: buildAvPairs(fields.avPairs) },
  ]);
}

/**
 * Parses a CHALLENGE message. NTLMv2 needs the target info, so a challenge without one (a 32-byte NTLMv1-era
 * message) is refused here rather than answered with a weaker response.
 */
export function parseChallenge(msg: Uint8Array): Challenge {
  const buf = checkHeader(msg, MessageType.CHALLENGE, 48);
  const flags = buf.readUInt32LE(20);
  if (!(flags & NegotiateFlag.UNICODE)) throw new NtlmFormatError('server did not agree to Unicode');
  if (!(flags & NegotiateFlag.TARGET_INFO)) throw new NtlmFormatError('challenge carries no target info');
  const headerEnd = flags & NegotiateFlag.VERSION && buf.length >= CH_HEADER ? CH_HEADER : 48;
  const targetName = fromUtf16(readField(buf, CH_TARGET_NAME, headerEnd, 'target name'), 'target name');
  const targetInfo = readField(buf, CH_TARGET_INFO, headerEnd, 'target info');
  if (targetInfo.length === 0) throw new NtlmFormatError('challenge carries no target info');
  return {
    flags,
    serverChallenge: Buffer.from(buf.subarray(24, 32)),
    targetName,
    targetInfo,
    avPairs: parseAvPairs(targetInfo),
    raw: buf,
  };
}
