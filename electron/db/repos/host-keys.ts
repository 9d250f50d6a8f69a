import {
  type HostKeySource,
  type HostKeyStore,
  normalizeHostAddress,
  type PinnedHostKey,
} from '../../ssh/host-keys';
import type { Db } from '../open';

interface Row {
  address: string;
  port: number;
  key_type: string;
  key: string;
  fingerprint: string;
  trusted_at: number;
  source: HostKeySource;
}

const toKey = (r: Row): PinnedHostKey => ({
  address: r.address,
  port: r.port,
  keyType: r.key_type,
  key: r.key,
  fingerprint: r.fingerprint,
  trustedAt: r.trusted_at,
  source: r.source,
});

/** Named queries over pinned SSH host keys; also the transport's HostKeyStore. */
export function hostKeysRepo(db: Db) {
  const all = db.prepare<[], Row>('SELECT * FROM host_keys ORDER BY address, port, key_type');
  const forEndpoint = db.prepare<[string, number], Row>(
    'SELECT * FROM host_keys WHERE address = ? AND port = ? ORDER BY key_type',
  );
  const upsert =
    db.prepare(`INSERT INTO host_keys (address, port, key_type, key, fingerprint, trusted_at, source)
    VALUES (@address, @port, @keyType, @key, @fingerprint, @trustedAt, @source)
    ON CONFLICT (address, port, key_type) DO UPDATE SET key = excluded.key,
    fingerprint = excluded.fingerprint, trusted_at = excluded.trusted_at, source = excluded.source`);
  const removeEndpoint = db.prepare('DELETE FROM host_keys WHERE address = ? AND port = ?');
  const removeOne = db.prepare('DELETE FROM host_keys WHERE address = ? AND port = ? AND key_type = ?');
  const repo = {
    list: (address: string, port: number): PinnedHostKey[] =>
      forEndpoint.all(normalizeHostAddress(address), port).map(toKey),
    all: (): PinnedHostKey[] => all.all().map(toKey),
    /** Inserts or replaces the key of that type: only for a key the user (or policy) chose to trust. */
    pin: (k: PinnedHostKey): void => void upsert.run({ ...k, address: normalizeHostAddress(k.address) }),
    /** Forgets every key of an endpoint, or one type of key. Returns how many were removed. */
    remove: (address: string, port: number, keyType?: string): number =>
      keyType === undefined
        ? removeEndpoint.run(normalizeHostAddress(address), port).changes
        : removeOne.run(normalizeHostAddress(address), port, keyType).changes,
    transaction: <T>(fn: () => T): T => db.transaction(fn)(),
  } satisfies HostKeyStore & Record<string, unknown>;
  return repo;
}

export type HostKeysRepo = ReturnType<typeof hostKeysRepo>;
