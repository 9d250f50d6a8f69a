/** What the host-key trust prompt needs, from a failed scan result or a machine's last error. */
import type { SeenHostKeyInfo } from '../../../shared/domain';

/** A host key a failed scan saw, and the failure it came with. */
export interface HostKeyPrompt {
  machineId: number;
  name: string;
  /** The failed result to pass to `scan.trustHostKey`. */
  resultId: number;
  /** For a changed key, `previousFingerprint` is the key trusted before (cores before it: see the message). */
  hostKey: SeenHostKeyInfo & { changed: boolean; previousFingerprint?: string };
  /** The core's message; for a changed key it names the old and the new fingerprint. */
  message: string;
}

/** The fingerprint that was trusted before, from a host-key-changed message ("it was SHA256:… and is now"). */
export function previousFingerprint(message: string): string | null {
  return /\bit was (SHA256:[A-Za-z0-9+/=]+|MD5:[0-9a-f:]+)/.exec(message)?.[1] ?? null;
}

/** The key trusted before a change: the core's field, else read from its message (older cores). */
export function previousKeyOf(prompt: Pick<HostKeyPrompt, 'hostKey' | 'message'>): string | null {
  if (!prompt.hostKey.changed) return null;
  return prompt.hostKey.previousFingerprint || previousFingerprint(prompt.message);
}

/** `/etc/ssh/ssh_host_ed25519_key.pub` for an `ssh-ed25519` key, and so on. */
export function hostKeyFile(keyType: string): string {
  const t = keyType.toLowerCase();
  const kind = t.includes('ed25519')
    ? 'ed25519'
    : t.includes('ecdsa')
      ? 'ecdsa'
      : t.includes('rsa')
        ? 'rsa'
        : t.includes('dss')
          ? 'dsa'
          : '*';
  return `/etc/ssh/ssh_host_${kind}_key.pub`;
}
