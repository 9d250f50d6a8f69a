import type { Db } from '../open';

/** Small key/value settings kept with the data (e.g. the passphrase salt). */
export function metaRepo(db: Db) {
  const get = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
  const set = db.prepare(
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  return {
    get: (key: string): string | null => get.get(key)?.value ?? null,
    set: (key: string, value: string): void => void set.run(key, value),
  };
}

export type MetaRepo = ReturnType<typeof metaRepo>;
