import type { ImportPreview, Machine } from '../../shared/domain';

/** Pads a column, cutting long values with an ellipsis so the table stays readable. */
function cell(value: string, width: number): string {
  const v = value.length > width ? value.slice(0, width - 1) + '…' : value;
  return v.padEnd(width);
}

/** The human form of `machines list`. */
export function formatMachineTable(items: Machine[]): string {
  if (items.length === 0) return 'No machines. Add one with `patchbay machines add` or import a file.\n';
  const head = `${cell('ID', 6)} ${cell('NAME', 24)} ${cell('ADDRESS', 28)} ${cell('USER', 12)} ${cell('OS', 16)} TAGS`;
  const lines = items.map(
    (m) =>
      `${cell(String(m.id), 6)} ${cell(m.displayName, 24)} ${cell(
        m.port === (m.transport === 'ssh' ? 22 : 5985) ? m.address : `${m.address}:${m.port}`,
        28,
      )} ${cell(m.username, 12)} ${cell(m.os || '-', 16)} ${m.tags.join(' ')}`,
  );
  return [head, ...lines, `${items.length} machine${items.length === 1 ? '' : 's'}`].join('\n') + '\n';
}

/** The human form of an import preview: one line per problem row, then the counts. */
export function formatImportPreview(p: ImportPreview): string {
  const out: string[] = [];
  let valid = 0;
  let dups = 0;
  for (const r of p.rows) {
    if (r.errors.length > 0) {
      out.push(`line ${r.line}: ${r.errors.map((e) => `${e.field} ${e.message}`).join('; ')}`);
    } else if (r.duplicateOf) {
      dups++;
      const where =
        r.duplicateOf.machineId !== null ? 'already in the inventory' : `line ${r.duplicateOf.line}`;
      out.push(`line ${r.line}: duplicate of ${r.duplicateOf.displayName} (${where})`);
    } else valid++;
    for (const w of r.warnings) out.push(`line ${r.line}: note: ${w}`);
  }
  for (const s of p.skipped) out.push(`line ${s.line}: skipped: ${s.reason}`);
  const bad = p.rows.length - valid - dups;
  out.push(
    `${valid} new, ${dups} duplicate${dups === 1 ? '' : 's'}, ${bad} with errors, ${p.skipped.length} skipped`,
  );
  return out.join('\n') + '\n';
}
