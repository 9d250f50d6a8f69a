import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

import Database from 'better-sqlite3';

import type { Target } from '../targets/hosts';

/** A rollout and its hosts as the database holds them this moment (read-only, beside the child's writes). */
export interface DbSnapshot {
  state: string;
  hosts: { name: string; state: string; step: string; reason: string; opId: string | null }[];
  /** Rollout-level events whose detail says the run resumed. */
  resumes: number;
}

/** Reads one rollout from the SQLite file with its own read-only connection. */
export function snapshot(dbPath: string, rolloutId: number): DbSnapshot {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const r = db.prepare('SELECT state FROM rollouts WHERE id = ?').get(rolloutId) as
      { state: string } | undefined;
    const hosts = db
      .prepare(
        `SELECT machine_name AS name, state, step, reason, op_id AS opId FROM rollout_hosts
         WHERE rollout_id = ? ORDER BY machine_id`,
      )
      .all(rolloutId) as DbSnapshot['hosts'];
    const events = db
      .prepare('SELECT detail_json AS d FROM rollout_events WHERE rollout_id = ? AND machine_id IS NULL')
      .all(rolloutId) as { d: string }[];
    const resumes = events.filter((e) => (JSON.parse(e.d) as { resumed?: boolean }).resumed === true).length;
    return { state: r?.state ?? 'missing', hosts, resumes };
  } finally {
    db.close();
  }
}

const FINAL = new Set(['succeeded', 'partly', 'failed', 'skipped', 'cancelled', 'needs-reboot']);

/**
 * The phase a kill landed in, from what the database said right after it: the rollout's state before
 * start, else the furthest-along active host state.
 */
export function phaseOf(s: DbSnapshot): string {
  if (s.state !== 'running') return s.state;
  for (const p of ['installing', 'rebooting', 'verifying', 'preflight'])
    if (s.hosts.some((h) => h.state === p)) return p;
  const done = s.hosts.filter((h) => FINAL.has(h.state)).length;
  if (done === 0) return 'running, no host started';
  if (done === s.hosts.length) return 'running, all hosts done';
  return 'between hosts';
}

/** Whether the rollout was between hosts: one done, another not started yet. */
export function betweenHosts(s: DbSnapshot): boolean {
  return (
    s.state === 'running' &&
    s.hosts.some((h) => FINAL.has(h.state)) &&
    s.hosts.some((h) => h.state === 'reviewed' || h.state === 'queued')
  );
}

/** Whether a dpkg process runs in the target now (its own /proc: the target's PID namespace). */
export async function packageManagerRunning(t: Target): Promise<boolean> {
  const r = await t.exec('cat /proc/[0-9]*/comm 2>/dev/null | grep -cx dpkg || true');
  return Number(r.stdout.trim()) > 0;
}

/** A running child Patchbay process (crash-patchbay.ts) and what it printed. */
export interface Child {
  proc: ChildProcess;
  lines: string[];
  stderr: string[];
  /** Resolves with the exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  /** Resolves once it printed `ready` (its core is open), or rejects when it exits first. */
  ready: Promise<void>;
}

/** Starts crash-patchbay.ts (TypeScript through tsx's loader) on `dataDir` for one rollout. */
export function spawnChild(dataDir: string, rolloutId: number, leaseMs: number): Child {
  const root = path.resolve(__dirname, '../..');
  // tsx's own CLI would run the script in a second node process: SIGKILL would miss it. `--import tsx`
  // loads TypeScript in this one process, so the PID killed is the Patchbay process itself.
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(__dirname, 'crash-patchbay.ts'),
      dataDir,
      String(rolloutId),
      String(leaseMs),
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  const stderr: string[] = [];
  let onReady: () => void = () => undefined;
  let onEarlyExit: (e: Error) => void = () => undefined;
  const ready = new Promise<void>((res, rej) => {
    onReady = res;
    onEarlyExit = rej;
  });
  let buf = '';
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(line);
      if (line.includes('"t":"ready"')) onReady();
    }
  });
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => stderr.push(d));
  const exited = new Promise<number | null>((res) =>
    proc.on('exit', (code) => {
      onEarlyExit(new Error(`child exited before ready (${code}): ${stderr.join('').slice(-800)}`));
      res(code);
    }),
  );
  return { proc, lines, stderr, exited, ready };
}

/** Size of the target's /var/log/dpkg.log now: what the base tree and the setup wrote stays out of the checks. */
export async function dpkgLogSize(t: Target): Promise<number> {
  const r = await t.exec('stat -c %s /var/log/dpkg.log');
  return Number(r.stdout.trim());
}

/** `upgrade <pkg>:<arch> <old> <new>` lines of the target's /var/log/dpkg.log after byte `from`. */
export async function dpkgUpgrades(
  t: Target,
  from: number,
): Promise<{ pkg: string; from: string; to: string }[]> {
  const r = await t.exec(`tail -c +${from + 1} /var/log/dpkg.log`);
  const out: { pkg: string; from: string; to: string }[] = [];
  for (const m of r.stdout.matchAll(/^\S+ \S+ upgrade (\S+):\S+ (\S+) (\S+)$/gm))
    out.push({ pkg: m[1] ?? '', from: m[2] ?? '', to: m[3] ?? '' });
  return out;
}

/** Package operations (install, upgrade, remove, purge) in the target's dpkg.log after byte `from`. */
export async function dpkgOperations(t: Target, from: number): Promise<string[]> {
  const r = await t.exec(`tail -c +${from + 1} /var/log/dpkg.log`);
  return r.stdout
    .split('\n')
    .filter((l) => /^\S+ \S+ (install|upgrade|remove|purge) /.test(l))
    .map((l) => l.replace(/^\S+ \S+ /, ''));
}
