import fs from 'node:fs';

import { z } from 'zod';

import { BUNDLED_EOL, type EolEntry } from './eol-table';

/** Where a release stands on a given day. */
export interface EolStatus {
  state: 'supported' | 'ending-soon' | 'extended' | 'eol' | 'unknown';
  /** The release as the table names it. */
  name: string;
  ends: string | null;
  extendedEnds: string | null;
  estimated: boolean;
  /** Days until the end of standard support (negative: since). */
  days: number | null;
  /** The date of the table the status came from. */
  tableDate: string;
}

/** Standard support ending within this many days is flagged. */
export const ENDING_SOON_DAYS = 90;

const DAY = 86_400_000;
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'dates are YYYY-MM-DD');
const fileSchema = z.strictObject({
  asOf: date,
  entries: z
    .array(
      z.strictObject({
        os: z.string().regex(/^[a-z0-9._-]{1,40}$/),
        version: z.string().regex(/^[0-9A-Za-z._-]{1,20}$/),
        name: z.string().min(1).max(100),
        ends: date,
        extendedEnds: date.optional(),
        estimated: z.boolean().optional(),
      }),
    )
    .max(5000),
});

/** A loaded table: the bundled one, possibly overridden by a newer file. */
export interface EolTable {
  asOf: string;
  entries: EolEntry[];
}

/**
 * The bundled table merged with an update file (same shape; its entries replace bundled ones for the same
 * OS and version). A malformed file is refused with a message and the bundled table is kept.
 */
export function loadEolTable(updateFile?: string): { table: EolTable; problem: string | null } {
  if (!updateFile || !fs.existsSync(updateFile)) return { table: BUNDLED_EOL, problem: null };
  let parsed;
  try {
    parsed = fileSchema.safeParse(JSON.parse(fs.readFileSync(updateFile, 'utf8')));
  } catch (err) {
    return { table: BUNDLED_EOL, problem: `${updateFile} is not valid JSON: ${(err as Error).message}` };
  }
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { table: BUNDLED_EOL, problem: `${updateFile}: ${issue?.path.join('.')}: ${issue?.message}` };
  }
  const key = (e: EolEntry) => `${e.os}\u0000${e.version}`;
  const merged = new Map(BUNDLED_EOL.entries.map((e) => [key(e), e as EolEntry]));
  for (const e of parsed.data.entries) merged.set(key(e), e);
  const asOf = parsed.data.asOf > BUNDLED_EOL.asOf ? parsed.data.asOf : BUNDLED_EOL.asOf;
  return { table: { asOf, entries: [...merged.values()] }, problem: null };
}

/** RHEL rebuilds follow RHEL's dates when the table has no entry of their own. */
const FAMILY: Record<string, string> = { ol: 'rhel', eurolinux: 'rhel', 'centos-stream': 'centos' };

/** Finds the entry for an OS and version: the longest table version that is a prefix at a dot boundary. */
export function findEol(table: EolTable, os: string, version: string): EolEntry | null {
  const candidates = (id: string) =>
    table.entries.filter(
      (e) => e.os === id && (version === e.version || version.startsWith(`${e.version}.`)),
    );
  const found = candidates(os).length > 0 ? candidates(os) : FAMILY[os] ? candidates(FAMILY[os] ?? '') : [];
  return found.sort((a, b) => b.version.length - a.version.length)[0] ?? null;
}

/** The support status of an OS release on a day (epoch ms). */
export function eolStatus(table: EolTable, os: string, version: string, now: number): EolStatus {
  const e = findEol(table, os, version);
  if (!e) {
    return {
      state: 'unknown',
      name: '',
      ends: null,
      extendedEnds: null,
      estimated: false,
      days: null,
      tableDate: table.asOf,
    };
  }
  const days = Math.floor((Date.parse(`${e.ends}T00:00:00Z`) - now) / DAY);
  const extendedLeft = e.extendedEnds ? Date.parse(`${e.extendedEnds}T00:00:00Z`) - now : -1;
  const state =
    days > ENDING_SOON_DAYS
      ? 'supported'
      : days >= 0
        ? 'ending-soon'
        : extendedLeft >= 0
          ? 'extended'
          : 'eol';
  return {
    state,
    name: e.name,
    ends: e.ends,
    extendedEnds: e.extendedEnds ?? null,
    estimated: e.estimated ?? false,
    days,
    tableDate: table.asOf,
  };
}
