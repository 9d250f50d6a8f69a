import { describe, expect, it } from 'vitest';

import { md4 } from './md4';
import { Rc4, rc4 } from './rc4';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('MD4 against RFC 1320 appendix A.5', () => {
  const vectors: [string, string][] = [
    ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
    ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
    ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
    ['message digest', 'd9130a8164549fe818874806e1c7014b'],
    ['abcdefghijklmnopqrstuvwxyz', 'd79e1c308aa5bbcdeea8ed63df412da9'],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', '043f8582f241db351ce627e153e7f0e4'],
    ['1234567890'.repeat(8), 'e33b4ddc9c38f2199c3e7b164fcc0536'],
  ];
  it.each(vectors)('MD4(%j)', (input, digest) => {
    expect(hex(md4(Buffer.from(input, 'latin1')))).toBe(digest);
  });

  it('gives the NT hash of "Password" that MS-NLMP 4.2 uses', () => {
    expect(hex(md4(Buffer.from('Password', 'utf16le')))).toBe('a4f49c406510bdcab6824ee7c30fd852');
  });

  it('pads correctly around the 55/56/64-byte block boundaries', () => {
    // Lengths where the padding spills into a second block; each digest must differ from its neighbour's.
    const digests = [55, 56, 63, 64, 65].map((n) => hex(md4(Buffer.alloc(n, 0x61))));
    expect(new Set(digests).size).toBe(5);
  });
});

describe('RC4 against RFC 6229', () => {
  const stream = (key: number[], offset: number): string =>
    hex(rc4(Buffer.from(key), Buffer.alloc(offset + 16)).subarray(offset));
  const k40 = [1, 2, 3, 4, 5];
  const k128 = Array.from({ length: 16 }, (_, i) => i + 1);
  it.each([
    [k40, 0, 'b2396305f03dc027ccc3524a0a1118a8'],
    [k40, 16, '6982944f18fc82d589c403a47a0d0919'],
    [k40, 240, '28cb1132c96ce286421dcaadb8b69eae'],
    [k40, 256, '1cfcf62b03eddb641d77dfcf7f8d8c93'],
    [k40, 4096, 'ff25b58995996707e51fbdf08b34d875'],
    [[1, 2, 3, 4, 5, 6, 7], 0, '293f02d47f37c9b633f2af5285feb46b'],
    [[1, 2, 3, 4, 5, 6, 7, 8], 0, '97ab8a1bf0afb96132f2f67258da15a8'],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0, 'ede3b04643e586cc907dc21851709902'],
    [k128, 0, '9ac7cc9a609d1ef7b2932899cde41b97'],
  ])('key %j at offset %i', (key, offset, expected) => {
    expect(stream(key, offset)).toBe(expected);
  });

  it('continues one keystream across updates, as a sealing handle must', () => {
    const whole = rc4(Buffer.from('Secret'), Buffer.from('Attack at dawn'));
    const handle = new Rc4(Buffer.from('Secret'));
    const parts = Buffer.concat([
      handle.update(Buffer.from('Attack ')),
      handle.update(Buffer.from('at dawn')),
    ]);
    expect(hex(parts)).toBe(hex(whole));
    expect(hex(whole)).toBe('45a01f645fc35b383552544b9bf5');
  });

  it('refuses an empty key', () => {
    expect(() => new Rc4(Buffer.alloc(0))).toThrow(/1\.\.256/);
  });
});
