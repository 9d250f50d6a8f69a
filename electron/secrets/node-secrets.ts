import crypto from 'node:crypto';

import type { MetaRepo } from '../db/repos/meta';
import { keyFileBox, passphraseBox, type SecretBox } from './secret-box';

const CHECK = 'patchbay-passphrase-check';

/**
 * The secret store outside Electron: a passphrase (PATCHBAY_PASSPHRASE) when given, else a key file
 * (PATCHBAY_KEY_FILE, default `secret.key` in the data folder, created 0600 on first use).
 */
export function nodeSecretBox(defaultKeyFile: string, env: NodeJS.ProcessEnv = process.env) {
  return (meta: MetaRepo): SecretBox => {
    const passphrase = env.PATCHBAY_PASSPHRASE;
    if (passphrase) {
      let salt = meta.get('passphrase_salt');
      if (!salt) {
        salt = crypto.randomBytes(16).toString('base64');
        meta.set('passphrase_salt', salt);
      }
      const box = passphraseBox(passphrase, Buffer.from(salt, 'base64'));
      const check = meta.get('passphrase_check');
      if (!check) {
        meta.set('passphrase_check', box.seal(CHECK).toString('base64'));
      } else {
        let ok: boolean;
        try {
          ok = box.open(Buffer.from(check, 'base64')) === CHECK;
        } catch {
          ok = false; // a wrong key fails GCM's authentication
        }
        if (!ok)
          throw new Error('PATCHBAY_PASSPHRASE is not the passphrase this data folder was set up with.');
      }
      return box;
    }
    return keyFileBox(env.PATCHBAY_KEY_FILE || defaultKeyFile);
  };
}
