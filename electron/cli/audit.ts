import fs from 'node:fs';

import type { Core } from '../core/create-core';
import { call, UsageError } from './call';

/** Options `patchbay audit` reads. */
export interface AuditOptions {
  action?: string;
  limit?: string;
  csv?: boolean;
  out?: string;
  json?: boolean;
}

/** `audit verify` found a broken chain: scripts can tell it from a failure to run. */
export const EXIT_AUDIT_BROKEN = 4;

const when = (at: number) => new Date(at).toISOString().replace('T', ' ').slice(0, 19);

/** `patchbay audit list|export|verify`; returns the exit code. */
export async function runAudit(
  core: Core,
  command: string,
  o: AuditOptions,
  io: { stdout: (s: string) => void; stderr: (s: string) => void },
): Promise<number> {
  if (command === 'verify') {
    const r = await call(core, 'audit.verify', {});
    if (o.json) io.stdout(JSON.stringify(r, null, 2) + '\n');
    else if (r.ok) io.stdout(`Audit log intact: ${r.entries} entries, every hash checks out.\n`);
    else io.stdout(`Audit log BROKEN at entry ${r.broken?.seq}: ${r.broken?.problem}.\n`);
    return r.ok ? 0 : EXIT_AUDIT_BROKEN;
  }
  if (command === 'export') {
    if (!o.csv) throw new UsageError('audit export writes CSV: pass --csv (and --out FILE to write a file).');
    const { csv, count } = await call(core, 'audit.exportCsv', {});
    if (o.out) {
      fs.writeFileSync(o.out, csv);
      io.stderr(`Wrote ${count} audit entries to ${o.out}\n`);
    } else io.stdout(csv);
    return 0;
  }
  const limit = o.limit === undefined ? 100 : Number(o.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 5000) throw new UsageError('--limit must be 1–5000');
  const { items, total } = await call(core, 'audit.list', {
    limit,
    ...(o.action ? { action: o.action } : {}),
  });
  if (o.json) {
    io.stdout(JSON.stringify({ items, total }, null, 2) + '\n');
    return 0;
  }
  for (const e of items) {
    io.stdout(
      `${String(e.seq).padStart(6)}  ${when(e.at)}  ${e.actor.padEnd(16)} ${e.action.padEnd(20)} ${e.subject}\n`,
    );
  }
  io.stdout(`${items.length} of ${total} entries (newest first)\n`);
  return 0;
}
