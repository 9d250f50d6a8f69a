/** CSV export of the inventory, in the same columns the CSV import recognises. */
import type { Machine } from '../../../shared/domain';

/** Export columns; each name is one the import maps back automatically (`os` is ignored there). */
export const EXPORT_HEADER = [
  'name',
  'address',
  'port',
  'transport',
  'username',
  'tags',
  'client',
  'site',
  'os',
  'notes',
  'proxy_jump',
  'winrm_https',
  'winrm_basic',
] as const;

// Spreadsheets evaluate a cell starting with = + - @ (and tab or CR, which some of them skip first)
// as a formula, so a hostile machine name could run one on the technician's computer. The usual
// defence is a leading apostrophe, which spreadsheets show as text. To keep export → import exact,
// the prefix is also added to a value that already starts with apostrophes followed by such a
// character; the import then removes exactly one apostrophe from any value of that shape.
const NEEDS_PREFIX = /^'*[=+\-@\t\r]/;
const HAS_PREFIX = /^'+[=+\-@\t\r]/;

/** Prefixes a cell a spreadsheet would run as a formula with `'`. */
export function protectCell(value: string): string {
  return NEEDS_PREFIX.test(value) ? `'${value}` : value;
}

/** Reverses protectCell: drops one leading `'` when it is followed by a formula character. */
export function unprotectCell(value: string): string {
  return HAS_PREFIX.test(value) ? value.slice(1) : value;
}

/** RFC 4180 quoting: only when needed, with quotes doubled. */
function quoteCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function row(cells: string[]): string {
  return cells.map((c) => quoteCell(protectCell(c))).join(',');
}

/** The machines as CSV text: header row, RFC 4180 quoting, CRLF line ends, formula-safe cells. */
export function exportMachinesCsv(machines: Machine[]): string {
  const lines = [EXPORT_HEADER.join(',')];
  for (const m of machines) {
    lines.push(
      row([
        m.displayName,
        m.address,
        String(m.port),
        m.transport,
        m.username,
        m.tags.join(' '),
        m.client,
        m.site,
        m.os,
        m.notes,
        m.proxyJump,
        // yes/no for WinRM machines (the import reads them back), empty for SSH ones.
        ...(m.transport === 'winrm' ? [m.winrmHttps ? 'yes' : 'no', m.winrmBasic ? 'yes' : 'no'] : ['', '']),
      ]),
    );
  }
  return lines.join('\r\n') + '\r\n';
}
