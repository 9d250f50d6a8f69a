// Counts what SQLite does for a piece of work, test-only: every statement run (by its SQL, BEGIN / COMMIT /
// SAVEPOINT included — better-sqlite3's transactions run them as statements) and every prepare. It wraps the
// methods on better-sqlite3's prototypes, so it sees every database of the process (the core's own included).
import Database from 'better-sqlite3';

type Counts = Map<string, number>;

/** Starts counting; `stop` puts the methods back and returns the counts by SQL text. */
export function countSql() {
  const runs: Counts = new Map();
  const prepares: Counts = new Map();
  const add = (m: Counts, sql: string) => m.set(sql, (m.get(sql) ?? 0) + 1);
  const dbProto = Database.prototype as unknown as { prepare: (sql: string) => object };
  const probe = new Database(':memory:');
  const stmtProto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<string, unknown>;
  probe.close();
  const methods = ['run', 'get', 'all', 'iterate'] as const;
  const saved = methods.map((k) => stmtProto[k] as (...a: unknown[]) => unknown);
  methods.forEach((k, i) => {
    const orig = saved[i] as (...a: unknown[]) => unknown;
    stmtProto[k] = function (this: { source: string }, ...args: unknown[]) {
      add(runs, this.source.replace(/\s+/g, ' ').trim());
      return orig.apply(this, args);
    };
  });
  const prepare = dbProto.prepare;
  dbProto.prepare = function (this: unknown, sql: string) {
    add(prepares, sql.replace(/\s+/g, ' ').trim());
    return prepare.call(this, sql);
  };
  return {
    runs,
    prepares,
    stop(): void {
      methods.forEach((k, i) => (stmtProto[k] = saved[i]));
      dbProto.prepare = prepare;
    },
  };
}

/** Sums counts of statements matching a pattern. */
export const total = (m: Counts, re: RegExp = /./) =>
  [...m].filter(([sql]) => re.test(sql)).reduce((n, [, c]) => n + c, 0);

/** What each statement costs per host: (counts of a run of `hosts` + 1 hosts − counts of a 1-host run) / hosts. */
export function perHost(one: Counts, more: Counts, hosts: number): Counts {
  const out: Counts = new Map();
  for (const sql of new Set([...one.keys(), ...more.keys()])) {
    const n = ((more.get(sql) ?? 0) - (one.get(sql) ?? 0)) / hosts;
    if (n !== 0) out.set(sql, n);
  }
  return out;
}
