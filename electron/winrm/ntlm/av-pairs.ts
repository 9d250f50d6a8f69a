import { AvId } from './constants';
import { NtlmFormatError } from './wire';

/** One AV_PAIR (MS-NLMP 2.2.2.1): id and raw value. */
export interface AvPair {
  id: number;
  value: Buffer;
}

/** At most this many pairs: the spec defines 11 ids, Windows sends under 10; more is hostile. */
const MAX_PAIRS = 64;

/** Parses a target info block: pairs until MsvAvEOL, each bounded by the block. */
export function parseAvPairs(data: Buffer): AvPair[] {
  const pairs: AvPair[] = [];
  let at = 0;
  for (;;) {
    if (at + 4 > data.length) throw new NtlmFormatError('target info ends without MsvAvEOL');
    const id = data.readUInt16LE(at);
    const length = data.readUInt16LE(at + 2);
    at += 4;
    if (id === AvId.EOL) return pairs;
    if (at + length > data.length) throw new NtlmFormatError(`AV pair ${id} runs past the target info`);
    if (pairs.length >= MAX_PAIRS) throw new NtlmFormatError('too many AV pairs');
    pairs.push({ id, value: data.subarray(at, at + length) });
    at += length;
  }
}

/** Serialises pairs and the closing MsvAvEOL. */
export function buildAvPairs(pairs: AvPair[]): Buffer {
  const parts: Buffer[] = [];
  for (const { id, value } of pairs) {
    const head = Buffer.alloc(4);
    head.writeUInt16LE(id, 0);
    head.writeUInt16LE(value.length, 2);
    parts.push(head, value);
  }
  parts.push(Buffer.alloc(4));
  return Buffer.concat(parts);
}

/** The value of the first pair with `id`, if any. */
export const findAv = (pairs: AvPair[], id: number): Buffer | undefined =>
  pairs.find((p) => p.id === id)?.value;

/** A 32-bit little-endian value as an AV pair (MsvAvFlags). */
export function avUint32(id: number, value: number): AvPair {
  const v = Buffer.alloc(4);
  v.writeUInt32LE(value >>> 0, 0);
  return { id, value: v };
}
