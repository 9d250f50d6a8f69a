import crypto from 'node:crypto';

import { CERT_KEY_TYPE, validSeenCertificate } from '../winrm/certificate';
import { describeEndpoint, type Endpoint, type SeenHostKey, SshError } from './errors';

/**
 * What to do with a host whose key is not pinned: 'pinned-only' refuses it with a 'host-key-unknown'
 * error carrying the key, so the UI can ask the user; 'trust-on-first-use' pins it and goes on (only for
 * hosts the user chose to trust that way). A changed key is refused under both.
 */
export type HostKeyPolicy = 'pinned-only' | 'trust-on-first-use';

/** Who decided to trust a key. */
export type HostKeySource = 'user' | 'tofu' | 'known_hosts';

/** A trusted host key, per (lower-cased address, port, key type). */
export interface PinnedHostKey {
  address: string;
  port: number;
  keyType: string;
  /** Base64 of the public key blob, as in known_hosts. */
  key: string;
  fingerprint: string;
  trustedAt: number;
  source: HostKeySource;
}

/** Where pinned keys live; the host-keys repository implements it, tests may use a Map. */
export interface HostKeyStore {
  list(address: string, port: number): PinnedHostKey[];
  /** Inserts or replaces the key of that type for that endpoint. */
  pin(key: PinnedHostKey): void;
  /** Runs several pins as one transaction, where the store has transactions. */
  transaction?<T>(fn: () => T): T;
}

/** The host key a session was opened with. */
export interface HostKeyInfo {
  keyType: string;
  fingerprint: string;
}

/** OpenSSH's `SHA256:` fingerprint: unpadded base64 of sha256 over the key blob. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${crypto.createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside a public key blob (its first SSH string), or null if malformed. */
export function keyTypeOf(blob: Buffer): string | null {
  if (blob.length < 4) return null;
  const len = blob.readUInt32BE(0);
  if (len === 0 || len > 64 || 4 + len > blob.length) return null;
  const type = blob.subarray(4, 4 + len).toString('latin1');
  return /^[\x21-\x7e]+$/.test(type) ? type : null;
}

/** Addresses are pinned lower-cased and without IPv6 brackets, as machines are matched. */
export function normalizeHostAddress(address: string): string {
  const a = address.trim().toLowerCase();
  return a.startsWith('[') && a.endsWith(']') ? a.slice(1, -1) : a;
}

/** Describes a raw host key blob. */
export function seenHostKey(blob: Buffer): SeenHostKey {
  return {
    keyType: keyTypeOf(blob) ?? 'unknown',
    fingerprint: fingerprint(blob),
    key: blob.toString('base64'),
  };
}

// Host key algorithms per key type, so that a host with a pinned key is asked for that key first, as
// OpenSSH does with known_hosts; otherwise a server offering several keys could pick an unpinned one.
const ALGORITHMS_FOR_TYPE: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};
const DEFAULT_ORDER = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/** Host key algorithm preference: algorithms of pinned key types first, then the defaults. */
export function hostKeyAlgorithms(pinnedTypes: readonly string[]): string[] {
  const first = pinnedTypes.flatMap((t) => ALGORITHMS_FOR_TYPE[t] ?? []);
  return [...new Set([...first, ...DEFAULT_ORDER])];
}

/**
 * Whether `order` is the default order — ssh2's own too (a test holds them equal), as it is for a pinned
 * ed25519 key. Then no list need be passed: ssh2 sends its prebuilt key-exchange offer, where any list,
 * even the same one, makes it build and serialise an offer for the connection (10–13 µs, measured).
 */
export function isDefaultHostKeyOrder(order: readonly string[]): boolean {
  return order.length === DEFAULT_ORDER.length && order.every((a, i) => a === DEFAULT_ORDER[i]);
}

/** The outcome of checking a presented key: accept, pin then accept, or refuse with this error. */
export type HostKeyDecision =
  { action: 'accept' } | { action: 'pin' } | { action: 'refuse'; error: SshError };

/**
 * Decides about a presented host key against the pinned ones. Pure: the caller pins. `seen` is
 * seenHostKey(blob), passed by a caller that needs it too (a hash and a base64 less per connection).
 */
export function decideHostKey(
  endpoint: Endpoint,
  blob: Buffer,
  pinned: readonly PinnedHostKey[],
  policy: HostKeyPolicy,
  seen: SeenHostKey = seenHostKey(blob),
): HostKeyDecision {
  const sameType = pinned.find((p) => p.keyType === seen.keyType);
  if (sameType && sameType.key === seen.key) return { action: 'accept' };
  const who = describeEndpoint(endpoint);
  const previous = sameType ?? pinned[0];
  if (previous) {
    const typeNote =
      previous.keyType === seen.keyType
        ? ''
        : ` (a ${seen.keyType} key, where a ${previous.keyType} key was trusted)`;
    return {
      action: 'refuse',
      error: new SshError(
        'host-key-changed',
        endpoint,
        `The host key of ${who} changed since it was trusted: it was ${previous.fingerprint} and is now ` +
          `${seen.fingerprint}${typeNote}. This happens when a server is reinstalled — or when someone is ` +
          'intercepting the connection. Verify the new fingerprint on the server (ssh-keygen -lf ' +
          '/etc/ssh/ssh_host_*_key.pub) before trusting it.',
        { hostKey: seen, pinnedFingerprint: previous.fingerprint },
      ),
    };
  }
  if (policy === 'trust-on-first-use') return { action: 'pin' };
  return {
    action: 'refuse',
    error: new SshError(
      'host-key-unknown',
      endpoint,
      `${who} is not trusted yet: its ${seen.keyType} host key has the fingerprint ${seen.fingerprint}. ` +
        'Compare it with the server (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub) and trust it if it matches.',
      { hostKey: seen },
    ),
  };
}

/**
 * Pins a key the user looked at and accepted (from a 'host-key-unknown' or 'host-key-changed' error) — or a
 * WinRM HTTPS certificate (key type x509-sha256, from 'certificate-unknown' or 'certificate-changed'),
 * pinned beside host keys so the same trust prompt, list and audit serve both.
 */
export function trustHostKey(
  store: HostKeyStore,
  endpoint: Endpoint,
  key: SeenHostKey,
  now: number,
  source: HostKeySource = 'user',
): PinnedHostKey {
  const blob = Buffer.from(key.key, 'base64');
  const keyType = key.keyType === CERT_KEY_TYPE ? CERT_KEY_TYPE : keyTypeOf(blob);
  const valid =
    keyType === CERT_KEY_TYPE
      ? validSeenCertificate(key)
      : keyType === key.keyType && fingerprint(blob) === key.fingerprint;
  if (!keyType || !valid) {
    throw new Error('That host key does not match its fingerprint; it was not trusted.');
  }
  const pinned: PinnedHostKey = {
    address: normalizeHostAddress(endpoint.address),
    port: endpoint.port,
    keyType,
    key: key.key,
    fingerprint: key.fingerprint,
    trustedAt: now,
    source,
  };
  store.pin(pinned);
  return pinned;
}

/** A store in memory, for tests and one-off tools. */
export function memoryHostKeyStore(initial: PinnedHostKey[] = []): HostKeyStore & { all(): PinnedHostKey[] } {
  const rows = new Map<string, PinnedHostKey>();
  const id = (a: string, p: number, t: string) => `${normalizeHostAddress(a)}\0${p}\0${t}`;
  const pin = (k: PinnedHostKey) =>
    void rows.set(id(k.address, k.port, k.keyType), { ...k, address: normalizeHostAddress(k.address) });
  initial.forEach(pin);
  return {
    list: (address, port) =>
      [...rows.values()].filter((k) => k.address === normalizeHostAddress(address) && k.port === port),
    pin,
    all: () => [...rows.values()],
  };
}
