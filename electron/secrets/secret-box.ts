import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Seals and opens secrets. Electron provides one backed by the OS keychain (safeStorage); the browser
 * host and the CLI use a key file the user controls or a key derived from a passphrase.
 */
export interface SecretBox {
  /** Identifies the key, so a row sealed by another key is reported instead of failing to decrypt. */
  readonly id: string;
  /** Words for the About screen, e.g. "key file ~/.config/Patchbay/secret.key". */
  readonly description: string;
  seal(plain: string): Buffer;
  open(sealed: Buffer): string;
}

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM with a random IV per message: version(1) | iv(12) | tag(16) | ciphertext. */
export function aesGcmBox(key: Buffer, id: string, description: string): SecretBox {
  if (key.length !== 32) throw new Error('a secret key must be 32 bytes');
  return {
    id,
    description,
    seal(plain) {
      const iv = crypto.randomBytes(IV_BYTES);
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
    },
    open(sealed) {
      if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== VERSION) {
        throw new Error('sealed secret has an unknown format');
      }
      const iv = sealed.subarray(1, 1 + IV_BYTES);
      const tag = sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAuthTag(tag);
      return Buffer.concat([
        decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    },
  };
}

const keyId = (key: Buffer, kind: string) =>
  `${kind}:${crypto.createHash('sha256').update('patchbay-key-id').update(key).digest('hex').slice(0, 16)}`;

/**
 * A key file (32 random bytes, base64) readable only by its owner. Created on first use; refused when
 * its permissions let others read it, because then the secrets it protects are not protected.
 */
export function keyFileBox(file: string): SecretBox {
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, crypto.randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  }
  if (process.platform !== 'win32') {
    const mode = fs.statSync(file).mode & 0o777;
    if (mode & 0o077) {
      throw new Error(
        `The key file ${file} can be read by other users (mode ${mode.toString(8)}). ` +
          `Run: chmod 600 "${file}"`,
      );
    }
  }
  const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new Error(`The key file ${file} does not hold a 32-byte base64 key.`);
  return aesGcmBox(key, keyId(key, 'key-file'), `key file ${file}`);
}

/** A key derived from a passphrase with scrypt; the salt is kept with the data, not secret. */
export function passphraseBox(passphrase: string, salt: Buffer): SecretBox {
  if (passphrase.length < 8) throw new Error('The passphrase must be at least 8 characters.');
  const key = crypto.scryptSync(passphrase.normalize('NFKC'), salt, 32, {
    N: 1 << 15,
    r: 8,
    p: 1,
    maxmem: 64 << 20,
  });
  return aesGcmBox(key, keyId(key, 'passphrase'), 'a key derived from your passphrase');
}
