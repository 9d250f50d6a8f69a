import type { AuditEntry } from '../../shared/decisions';
import { protectCell } from '../inventory/import/export-csv';
import { canonicalJson } from './canonical';

const HEADER = ['seq', 'time_utc', 'actor', 'action', 'subject', 'detail', 'prev_hash', 'hash'];

// Same rules as the inventory export: RFC 4180 quoting, and a leading apostrophe on any cell a
// spreadsheet would run as a formula (an actor or a subject is text someone typed).
function cell(value: string): string {
  const v = protectCell(value);
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The audit log as CSV, oldest first, with both hashes so a reader can re-check the chain. */
export function auditCsv(entries: AuditEntry[]): string {
  const lines = [HEADER.join(',')];
  for (const e of entries) {
    lines.push(
      [
        String(e.seq),
        new Date(e.at).toISOString(),
        e.actor,
        e.action,
        e.subject,
        canonicalJson(e.detail),
        e.prevHash,
        e.hash,
      ]
        .map(cell)
        .join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}
