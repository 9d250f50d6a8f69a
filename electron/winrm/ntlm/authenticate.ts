import { MessageType, NegotiateFlag, OUR_VERSION, SIGNATURE } from './constants';
import {
  assemble,
  checkHeader,
  decodeText,
  encodeText,
  firstPayloadOffset,
  NtlmFormatError,
  readField,
} from './wire';

// AUTHENTICATE_MESSAGE (MS-NLMP 2.2.1.3): field descriptors, flags@60, Version@64, MIC@72; payload from 88.
const LM = 12;
const NT = 20;
const DOMAIN = 28;
const USER = 36;
const WORKSTATION = 44;
const SESSION_KEY = 52;
const FIELDS = [LM, NT, DOMAIN, USER, WORKSTATION, SESSION_KEY];
/** Where the MIC sits in an AUTHENTICATE message that has one. */
export const MIC_OFFSET = 72;
const HEADER = 88;
const MIN_HEADER = 64;

/** The fields of an AUTHENTICATE message. */
export interface AuthenticateFields {
  flags: number;
  lmChallengeResponse: Buffer;
  ntChallengeResponse: Buffer;
  domain: string;
  user: string;
  workstation: string;
  encryptedRandomSessionKey: Buffer;
}

/** A parsed AUTHENTICATE message; `mic` is absent when the header is too short to hold one. */
export interface Authenticate extends AuthenticateFields {
  mic?: Buffer;
  raw: Buffer;
}

/**
 * Builds an AUTHENTICATE message with room for the MIC (zeroed; see `withMic`). Payload order follows
 * Windows: domain, user, workstation, LM, NT, session key.
 */
export function buildAuthenticate(fields: AuthenticateFields): Buffer {
  const header = Buffer.alloc(HEADER);
  SIGNATURE.copy(header, 0);
  header.writeUInt32LE(MessageType.AUTHENTICATE, 8);
  header.writeUInt32LE(fields.flags >>> 0, 60);
  if (fields.flags & NegotiateFlag.VERSION) OUR_VERSION.copy(header, 64);
  const unicode = (fields.flags & NegotiateFlag.UNICODE) !== 0;
  return assemble(header, [
    { at: DOMAIN, data: encodeText(fields.domain, unicode) },
    { at: USER, data: encodeText(fields.user, unicode) },
    { at: WORKSTATION, data: encodeText(fields.workstation, unicode) },
    { at: LM, data: fields.lmChallengeResponse },
    { at: NT, data: fields.ntChallengeResponse },
    { at: SESSION_KEY, data: fields.encryptedRandomSessionKey },
  ]);
}

/** A copy of `message` with the MIC field set (the MIC is computed over the zeroed form). */
export function withMic(message: Buffer, mic: Buffer): Buffer {
  const out = Buffer.from(message);
  mic.copy(out, MIC_OFFSET);
  return out;
}

/** A copy of `message` with its MIC field zeroed, as the MIC computation needs it. */
export function zeroMic(message: Buffer): Buffer {
  const out = Buffer.from(message);
  out.fill(0, MIC_OFFSET, MIC_OFFSET + 16);
  return out;
}

/**
 * Parses an AUTHENTICATE message. Whether it has a version and a MIC is not flagged anywhere in the header
 * itself: the first payload offset says how long the header is (64, 72 or 88 bytes).
 */
export function parseAuthenticate(msg: Uint8Array): Authenticate {
  const buf = checkHeader(msg, MessageType.AUTHENTICATE, MIN_HEADER);
  const flags = buf.readUInt32LE(60);
  // Names are UTF-16LE when Unicode was negotiated, else OEM (python3-ntlm-auth, pywinrm's engine, offers OEM only).
  const unicode = (flags & NegotiateFlag.UNICODE) !== 0;
  const headerEnd = firstPayloadOffset(buf, FIELDS);
  if (headerEnd < MIN_HEADER) throw new NtlmFormatError('a field points into the message header');
  const field = (at: number, name: string): Buffer => Buffer.from(readField(buf, at, MIN_HEADER, name));
  return {
    flags,
    lmChallengeResponse: field(LM, 'LM response'),
    ntChallengeResponse: field(NT, 'NT response'),
    domain: decodeText(field(DOMAIN, 'domain'), unicode, 'domain'),
    user: decodeText(field(USER, 'user name'), unicode, 'user name'),
    workstation: decodeText(field(WORKSTATION, 'workstation'), unicode, 'workstation'),
    encryptedRandomSessionKey: field(SESSION_KEY, 'session key'),
    mic: headerEnd >= HEADER ? Buffer.from(buf.subarray(MIC_OFFSET, MIC_OFFSET + 16)) : undefined,
    raw: buf,
  };
}
