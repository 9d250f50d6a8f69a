import { safeStorage } from 'electron';

import type { SecretBox } from '../secrets/secret-box';

/**
 * Secrets sealed by the OS keychain through Electron's safeStorage (Keychain, DPAPI, libsecret/kwallet).
 * Null where safeStorage would only obfuscate (Linux without a keyring: the "basic_text" backend).
 */
export function safeStorageBox(): SecretBox | null {
  if (!safeStorage.isEncryptionAvailable()) return null;
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') return null;
  return {
    id: 'safe-storage',
    description: 'the operating system keychain (Electron safeStorage)',
    seal: (plain) => safeStorage.encryptString(plain),
    open: (sealed) => safeStorage.decryptString(sealed),
  };
}
