import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';

import { openDatabase } from '../db/open';
import { auditCsv } from './audit-csv';
import { auditLog } from './audit-log';
import { canonicalJson, GENESIS_HASH } from './canonical';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A real database file with five entries, closed again so a test can tamper with the file. */
function logFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-audit-'));
  dirs.push(dir);
  const file = path.join(dir, 'patchbay.db');
  const db = openDatabase({ path: file });
  let t = 1_000;
  const log = auditLog(db, { clock: { now: () => (t += 1000) }, actor: () => 'alice' });
  for (let i = 1; i <= 5; i++) {
    log.append({ action: 'decision.approved', subject: `apt openssl 3.0.${i}`, detail: { i, scope: 'all' } });
  }
  db.close();
  return file;
}

/** Tampers with the file the way someone with the file (not Patchbay) would: triggers dropped first. */
function tamper(file: string, sql: string): void {
  const raw = new Database(file);
  raw.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
  raw.exec(sql);
  raw.close();
}

function verify(file: string) {
  const db = openDatabase({ path: file });
  try {
    return auditLog(db, { clock: { now: () => 0 }, actor: () => 'x' }).verify();
  } finally {
    db.close();
  }
}

describe('audit log hash chain', () => {
  it('chains each entry to the one before, starting from 64 zeros', () => {
    const file = logFile();
    const db = openDatabase({ path: file });
    const entries = auditLog(db, { clock: { now: () => 0 }, actor: () => 'x' }).all();
    db.close();
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(entries[0]?.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < entries.length; i++) expect(entries[i]?.prevHash).toBe(entries[i - 1]?.hash);
    expect(verify(file)).toEqual({ ok: true, entries: 5, broken: null });
  });

  it('refuses UPDATE and DELETE through SQLite while the triggers stand', () => {
    const file = logFile();
    const db = openDatabase({ path: file });
    expect(() => db.exec("UPDATE audit_log SET actor = 'mallory'")).toThrow(/append-only/);
    expect(() => db.exec('DELETE FROM audit_log WHERE seq = 2')).toThrow(/append-only/);
    db.close();
  });

  it('detects an edited entry', () => {
    const file = logFile();
    tamper(file, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3");
    expect(verify(file)).toMatchObject({
      ok: false,
      broken: { seq: 3, problem: expect.stringMatching(/edited/) },
    });
  });

  it('detects an edited detail even when the JSON stays valid', () => {
    const file = logFile();
    tamper(file, `UPDATE audit_log SET detail_json = '{"i":2,"scope":"machine"}' WHERE seq = 2`);
    expect(verify(file).broken?.seq).toBe(2);
  });

  it('detects an edit whose hash was recomputed, at the next entry', () => {
    const file = logFile();
    // Rewrite entry 2 and give it a fresh hash: entry 3 no longer follows it.
    tamper(file, "UPDATE audit_log SET actor = 'mallory', hash = 'f' || substr(hash, 2) WHERE seq = 2");
    const r = verify(file);
    expect(r.ok).toBe(false);
    expect(r.broken?.seq).toBe(2);
  });

  it('detects a deleted entry', () => {
    const file = logFile();
    tamper(file, 'DELETE FROM audit_log WHERE seq = 3');
    expect(verify(file)).toMatchObject({
      ok: false,
      broken: { seq: 3, problem: expect.stringMatching(/missing/) },
    });
  });

  it('detects a deleted entry whose successors were renumbered', () => {
    const file = logFile();
    tamper(file, 'DELETE FROM audit_log WHERE seq = 3; UPDATE audit_log SET seq = seq - 1 WHERE seq > 3');
    expect(verify(file).broken?.seq).toBe(3);
  });

  it('detects reordered entries', () => {
    const file = logFile();
    // Swap the contents of entries 2 and 4, keeping each row's place.
    tamper(
      file,
      `UPDATE audit_log SET seq = -2 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 4;
       UPDATE audit_log SET seq = 4 WHERE seq = -2;`,
    );
    expect(verify(file)).toMatchObject({ ok: false, broken: { seq: 2 } });
  });

  it('detects entries deleted from the end', () => {
    const file = logFile();
    tamper(file, 'DELETE FROM audit_log WHERE seq >= 4');
    expect(verify(file)).toMatchObject({
      ok: false,
      broken: { seq: 4, problem: expect.stringMatching(/4–5/) },
    });
  });

  it('serialises details canonically, whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 0, y: null }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[1,{"y":null,"z":0}]},"b":1}',
    );
  });

  it('exports CSV with formula cells neutralised and quoting', () => {
    const csv = auditCsv([
      {
        seq: 1,
        at: 0,
        actor: '=cmd|calc',
        action: 'decision.declined',
        subject: 'apt x 1, "bad"',
        detail: { reason: '+1' },
        prevHash: GENESIS_HASH,
        hash: 'ab',
      },
    ]);
    const [header, row] = csv.split('\r\n');
    expect(header).toBe('seq,time_utc,actor,action,subject,detail,prev_hash,hash');
    expect(row).toBe(
      `1,1970-01-01T00:00:00.000Z,'=cmd|calc,decision.declined,"apt x 1, ""bad""","{""reason"":""+1""}",${GENESIS_HASH},ab`,
    );
  });
});
