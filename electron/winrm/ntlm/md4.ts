/**
 * MD4 (RFC 1320), written here because Node's OpenSSL 3 refuses `createHash('md4')` (legacy provider off).
 * NTLM needs it for exactly one thing: the NT hash of the password, MD4(UTF-16LE(password)).
 */

const rotl = (x: number, s: number): number => ((x << s) | (x >>> (32 - s))) >>> 0;

// Per round, the order in which the 16 message words are used and the four shift amounts (RFC 1320 3.4).
const ROUND2_ORDER = [0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15];
const ROUND3_ORDER = [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15];
const SHIFTS = [
  [3, 7, 11, 19],
  [3, 5, 9, 13],
  [3, 9, 11, 15],
];

/** MD4 digest (16 bytes) of `data`. */
export function md4(data: Uint8Array): Buffer {
  // Padding: 0x80, zeros up to 56 mod 64, then the bit length as a 64-bit little-endian number.
  const padded = Buffer.alloc((((data.length + 8) >> 6) + 1) * 64);
  padded.set(data);
  padded[data.length] = 0x80;
  const bits = data.length * 8;
  padded.writeUInt32LE(bits >>> 0, padded.length - 8);
  padded.writeUInt32LE(Math.floor(bits / 0x1_0000_0000) >>> 0, padded.length - 4);

  let a = 0x67452301;
  let b = 0xefcdab89;
  let c = 0x98badcfe;
  let d = 0x10325476;
  const x = new Uint32Array(16);
  for (let block = 0; block < padded.length; block += 64) {
    for (let i = 0; i < 16; i++) x[i] = padded.readUInt32LE(block + i * 4);
    const [aa, bb, cc, dd] = [a, b, c, d];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 16; i++) {
        const k = round === 0 ? i : round === 1 ? ROUND2_ORDER[i]! : ROUND3_ORDER[i]!;
        const f = round === 0 ? (b & c) | (~b & d) : round === 1 ? (b & c) | (b & d) | (c & d) : b ^ c ^ d;
        const constant = round === 0 ? 0 : round === 1 ? 0x5a827999 : 0x6ed9eba1;
        const t = rotl((a + f + x[k]! + constant) >>> 0, SHIFTS[round]![i % 4]!);
        // Rotate the roles: the word just computed becomes the next round's `b`.
        [a, b, c, d] = [d, t, b, c];
      }
    }
    a = (a + aa) >>> 0;
    b = (b + bb) >>> 0;
    c = (c + cc) >>> 0;
    d = (d + dd) >>> 0;
  }
  const out = Buffer.alloc(16);
  out.writeUInt32LE(a, 0);
  out.writeUInt32LE(b, 4);
  out.writeUInt32LE(c, 8);
  out.writeUInt32LE(d, 12);
  return out;
}
