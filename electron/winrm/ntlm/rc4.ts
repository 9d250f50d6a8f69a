/**
 * RC4, written here because Node's OpenSSL 3 has no `rc4` cipher without the legacy provider. NTLM uses it to
 * encrypt the random session key and, as one long-lived stream per direction, to seal WinRM messages.
 */

/** An RC4 keystream whose position carries over from one `update` to the next (one handle per direction). */
export class Rc4 {
  private readonly s = new Uint8Array(256);
  private i = 0;
  private j = 0;

  constructor(key: Uint8Array) {
    if (key.length === 0 || key.length > 256) throw new Error('RC4 key must be 1..256 bytes');
    for (let n = 0; n < 256; n++) this.s[n] = n;
    let j = 0;
    for (let n = 0; n < 256; n++) {
      const t = this.s[n]!;
      j = (j + t + key[n % key.length]!) & 0xff;
      this.s[n] = this.s[j]!;
      this.s[j] = t;
    }
  }

  /** XORs `data` with the next bytes of the keystream (encrypts and decrypts alike). */
  update(data: Uint8Array): Buffer {
    const out = Buffer.alloc(data.length);
    const s = this.s;
    let { i, j } = this;
    for (let n = 0; n < data.length; n++) {
      i = (i + 1) & 0xff;
      const t = s[i]!;
      j = (j + t) & 0xff;
      s[i] = s[j]!;
      s[j] = t;
      // Typed-array reads in range: the `!` only tells the compiler what the masks already guarantee.
      out[n] = data[n]! ^ s[(s[i]! + t) & 0xff]!;
    }
    this.i = i;
    this.j = j;
    return out;
  }
}

/** One-shot RC4 of `data` under `key` (a fresh keystream). */
export function rc4(key: Uint8Array, data: Uint8Array): Buffer {
  return new Rc4(key).update(data);
}
