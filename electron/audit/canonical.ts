import { createHash } from 'node:crypto';

/** The previous hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * JSON with object keys sorted at every depth, so the same entry always serialises to the same bytes
 * (JSON.stringify keeps insertion order, which a reader of the row cannot reproduce).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** The fields of an entry the hash covers: everything but the hashes themselves. */
export interface HashedFields {
  seq: number;
  at: number;
  actor: string;
  action: string;
  subject: string;
  detail: unknown;
}

/** sha256(previous hash ‖ canonical entry), hex. The seq inside makes a moved entry detectable too. */
export function entryHash(prevHash: string, e: HashedFields): string {
  const body = canonicalJson({
    seq: e.seq,
    at: e.at,
    actor: e.actor,
    action: e.action,
    subject: e.subject,
    detail: e.detail,
  });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}
