import { MAX_MESSAGE_BYTES, SIGNATURE } from './constants';

/** A malformed, truncated or hostile NTLM message: the reason, never a crash. */
export class NtlmFormatError extends Error {
  constructor(message: string) {
    super(`NTLM: ${message}`);
    this.name = 'NtlmFormatError';
  }
}

/** Checks the NTLMSSP signature, the message type and the size bound; returns the message as a Buffer. */
export function checkHeader(msg: Uint8Array, type: number, minLength: number): Buffer {
  const buf = Buffer.from(msg.buffer, msg.byteOffset, msg.byteLength);
  if (buf.length > MAX_MESSAGE_BYTES) throw new NtlmFormatError(`message too large (${buf.length} bytes)`);
  if (buf.length < minLength)
    throw new NtlmFormatError(`message truncated (${buf.length} < ${minLength} bytes)`);
  if (!buf.subarray(0, 8).equals(SIGNATURE)) throw new NtlmFormatError('not an NTLMSSP message');
  const actual = buf.readUInt32LE(8);
  if (actual !== type) throw new NtlmFormatError(`expected message type ${type}, got ${actual}`);
  return buf;
}

/**
 * Reads the security buffer descriptor (length, max length, offset) at `at` and returns the bytes it points
 * to — a view, bounded by the message, so a hostile length or offset can only fail, never allocate.
 * `payloadStart` is where the fixed header ends: a field may not point back into it.
 */
export function readField(buf: Buffer, at: number, payloadStart: number, name: string): Buffer {
  const length = buf.readUInt16LE(at);
  const offset = buf.readUInt32LE(at + 4);
  if (length === 0) return Buffer.alloc(0);
  if (offset < payloadStart || offset + length > buf.length) {
    throw new NtlmFormatError(`${name} (offset ${offset}, length ${length}) lies outside the message`);
  }
  return buf.subarray(offset, offset + length);
}

/** Lowest payload offset among the non-empty fields at `descriptors`, or the message length if none. */
export function firstPayloadOffset(buf: Buffer, descriptors: number[]): number {
  let lowest = buf.length;
  for (const at of descriptors) {
    if (buf.readUInt16LE(at) > 0) lowest = Math.min(lowest, buf.readUInt32LE(at + 4));
  }
  return lowest;
}

/** Lays out a message: a fixed header followed by payload fields, filling in each field's descriptor. */
export function assemble(header: Buffer, fields: { at: number; data: Uint8Array }[]): Buffer {
  let offset = header.length;
  for (const field of fields) {
    header.writeUInt16LE(field.data.length, field.at);
    header.writeUInt16LE(field.data.length, field.at + 2);
    header.writeUInt32LE(offset, field.at + 4);
    offset += field.data.length;
  }
  return Buffer.concat([header, ...fields.map((f) => f.data)]);
}

/** UTF-16LE text as NTLM carries it when NTLMSSP_NEGOTIATE_UNICODE is set. */
export const utf16 = (text: string): Buffer => Buffer.from(text, 'utf16le');

/** Decodes a UTF-16LE field; an odd length is malformed. */
export function fromUtf16(data: Buffer, name: string): string {
  if (data.length % 2 !== 0) throw new NtlmFormatError(`${name} has an odd UTF-16 length`);
  return data.toString('utf16le');
}

/**
 * Text in the character set the flags chose: UTF-16LE with NTLMSSP_NEGOTIATE_UNICODE, else OEM. The OEM code
 * page is the machine's; Latin-1 stands in for it (user and machine names of a WinRM setup are ASCII).
 */
export const encodeText = (text: string, unicode: boolean): Buffer =>
  unicode ? utf16(text) : Buffer.from(text, 'latin1');

/** The inverse of `encodeText`. */
export const decodeText = (data: Buffer, unicode: boolean, name: string): string =>
  unicode ? fromUtf16(data, name) : data.toString('latin1');
