import fs from 'node:fs';
import path from 'node:path';

import Database from 'better-sqlite3';

import { type Migration, MIGRATIONS } from './migrations';

/** The database handle the repositories share. */
export type Db = Database.Database;

export interface OpenOptions {
  /** File path, or ':memory:' in unit tests. */
  path: string;
  /** Path of a better-sqlite3 binary built for another runtime (Electron's ABI). */
  nativeBinding?: string;
  migrations?: readonly Migration[];
}

/** Opens (creating if needed) the database with WAL and foreign keys, and applies pending migrations. */
export function openDatabase(options: OpenOptions): Db {
  if (options.path !== ':memory:') fs.mkdirSync(path.dirname(options.path), { recursive: true });
  const db = new Database(
    options.path,
    options.nativeBinding ? { nativeBinding: options.nativeBinding } : {},
  );
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    // cache_size (16 MB), temp_store = MEMORY and wal_autocheckpoint (4000 pages) were measured on
    // bench:rollout (200 hosts, interleaved, session 7): together 20–25% more CPU per host, and none of them
    // better alone in a SQLite-only run of a host's writes; mmap_size was slower there too and turns an I/O
    // error on the file into a crash (SIGBUS). The defaults stay.
    migrate(db, options.migrations ?? MIGRATIONS);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

const runners = new WeakMap<
  Db,
  { deferred: (fn: () => unknown) => unknown; immediate: (fn: () => unknown) => unknown }
>();

/**
 * Runs a function in a transaction (a savepoint inside another one): `deferred` as db.transaction(fn)() does,
 * `immediate` taking the write lock first. better-sqlite3 builds a transaction's wrappers on every
 * db.transaction(fn) call; here they are built once per database, for the hot paths (a rollout runs several
 * transactions per host).
 */
export function transactions(db: Db) {
  let r = runners.get(db);
  if (!r) {
    const t = db.transaction((fn: () => unknown) => fn());
    r = { deferred: t, immediate: t.immediate };
    runners.set(db, r);
  }
  const { deferred, immediate } = r;
  return {
    deferred: <T>(fn: () => T): T => deferred(fn) as T,
    immediate: <T>(fn: () => T): T => immediate(fn) as T,
  };
}

/** Applies, in order and each in its own transaction, the migrations not yet recorded. */
export function migrate(db: Db, migrations: readonly Migration[]): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`);
  const applied = new Set(
    db
      .prepare('SELECT version FROM schema_migrations')
      .pluck()
      .all()
      .map((v) => Number(v)),
  );
  const newest = Math.max(0, ...applied);
  const known = Math.max(0, ...migrations.map((m) => m.version));
  if (newest > known) {
    throw new Error(
      `This database was written by a newer Patchbay (schema ${newest}, this version knows ${known}). ` +
        'Update Patchbay, or open a different data folder.',
    );
  }
  const done: number[] = [];
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
    })();
    done.push(m.version);
  }
  return done;
}
