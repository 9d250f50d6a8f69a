/** CSV import: a header row, then one machine per record; columns mapped to machine fields. */
import { CsvError, parse } from 'csv-parse/sync';

import type { CsvField, CsvMapping } from '../../../shared/domain';
import { LIMITS } from '../../../shared/validation';
import { unprotectCell } from './export-csv';
import { countLineBreaks, excerpt, failure, sizeProblem } from './text';
import type { ParsedEntry, ParseResult } from './types';

// Header names (lower case, without spaces, underscores, hyphens and dots) each field is guessed from.
const SYNONYMS: Record<CsvField, string[]> = {
  displayName: ['name', 'hostname', 'displayname'],
  address: ['address', 'host', 'ip', 'ipaddress', 'fqdn'],
  port: ['port'],
  transport: ['transport', 'protocol', 'connection'],
  username: ['user', 'username', 'login'],
  tags: ['tags', 'tag', 'labels', 'groups'],
  client: ['client', 'customer', 'company'],
  site: ['site', 'location', 'office'],
  notes: ['notes', 'comment', 'comments', 'description'],
  proxyJump: ['proxyjump', 'jumphost', 'bastion'],
  winrmHttps: ['winrmhttps', 'https'],
  winrmBasic: ['winrmbasic', 'basicauth'],
};

const FIELDS = new Set<string>(Object.keys(SYNONYMS));
const BY_SYNONYM = new Map<string, CsvField>(
  (Object.entries(SYNONYMS) as [CsvField, string[]][]).flatMap(([f, names]) => names.map((n) => [n, f])),
);

// Header names are file content: a null-prototype object keeps a column called `__proto__` or
// `constructor` an ordinary key.
function emptyMapping(): CsvMapping {
  return Object.create(null) as CsvMapping;
}

/** Guesses the field of each header from its name; only the first column for a field is mapped. */
export function guessMapping(headers: string[]): CsvMapping {
  const mapping = emptyMapping();
  const taken = new Set<CsvField>();
  for (const h of headers) {
    const field = BY_SYNONYM.get(h.toLowerCase().replace(/[\s_.-]/g, '')) ?? null;
    if (field && !taken.has(field)) {
      taken.add(field);
      mapping[h] = field;
    } else if (!Object.hasOwn(mapping, h)) {
      mapping[h] = null;
    }
  }
  return mapping;
}

/** Keeps a supplied mapping to the headers present, and to known fields (it may come over IPC). */
function applyMapping(headers: string[], given: CsvMapping): CsvMapping {
  const mapping = emptyMapping();
  for (const h of headers) {
    const f = Object.hasOwn(given, h) ? given[h] : null;
    mapping[h] = typeof f === 'string' && FIELDS.has(f) ? f : null;
  }
  return mapping;
}

/** Picks the separator used most in the header line (outside quotes); a comma when none appears. */
function detectDelimiter(text: string): string {
  const counts = new Map<string, number>([
    [',', 0],
    [';', 0],
    ['\t', 0],
  ]);
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && counts.has(c)) counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let best = ',';
  for (const [d, n] of counts) if (n > (counts.get(best) ?? 0)) best = d;
  return best;
}

/** A csv-parse error in words a technician can act on; `line` is where the bad record starts. */
function describeError(err: unknown, line: number): string {
  const code = err instanceof CsvError ? err.code : null;
  switch (code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return `The record starting on line ${line} opens a quoted value (") that is never closed. Add the missing closing quote.`;
    case 'CSV_INVALID_CLOSING_QUOTE':
      return `Line ${line}: a quoted value is followed by more text before the next separator. Quote the whole value and write any quote inside it twice ("").`;
    case 'CSV_MAX_RECORD_SIZE':
      return `The record starting on line ${line} is too large to be a machine.`;
    default:
      return `The file could not be read as CSV near line ${line}.`;
  }
}

/** Parses CSV text (header row first) into entries; with no mapping, the mapping is guessed. */
export function parseCsv(text: string, mapping?: CsvMapping): ParseResult {
  const tooLarge = sizeProblem(text);
  if (tooLarge) return failure(tooLarge);
  // The BOM is removed here rather than by csv-parse so that positions refer to the text we hold.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') {
    return failure('The file is empty: a CSV import needs a header row, e.g. name,address,username.');
  }

  // Records are collected through on_record so that those read before a syntax error are known,
  // which gives the error's line. Lines are counted from the values because csv-parse's
  // info.lines counts a CRLF inside a quoted value twice; outside quotes every line break ends a
  // record, so a record spans one line plus the breaks inside its values.
  const records: { line: number; values: string[] }[] = [];
  let nextLine = 1;
  try {
    parse(body, {
      delimiter: detectDelimiter(body),
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      max_record_size: LIMITS.importText,
      on_record: (values: string[]) => {
        records.push({ line: nextLine, values });
        nextLine += 1 + values.reduce((n, v) => n + countLineBreaks(v), 0);
        return null;
      },
    });
  } catch (err) {
    return failure(describeError(err, nextLine));
  }

  const [header, ...rows] = records;
  const headers = (header?.values ?? []).map((h) => h.trim());
  const used = mapping ? applyMapping(headers, mapping) : guessMapping(headers);
  const mapped = Object.values(used);
  if (!mapped.includes('address') && !mapped.includes('displayName')) {
    const found = headers.slice(0, 20).map((h) => `"${excerpt(h)}"`);
    return {
      ...failure(
        `No column holds the machine address or name. Columns found: ${found.join(', ')}` +
          `${headers.length > 20 ? ', …' : ''}. Name a column "address" (or host, ip, fqdn) or "name", or map one by hand.`,
      ),
      headers,
      mapping: used,
    };
  }

  const entries: ParsedEntry[] = [];
  const skipped: ParseResult['skipped'] = [];
  for (const { line, values } of rows) {
    if (values.every((v) => v.trim() === '')) continue; // blank lines and rows of bare separators
    const extra = values.slice(headers.length);
    if (extra.some((v) => v.trim() !== '')) {
      // Extra values usually mean an unquoted separator inside a value, which shifts every
      // later value into the wrong column: importing such a row would store wrong data.
      skipped.push({
        line,
        reason: `row has ${values.length} values but the header has ${headers.length} columns; quote any value that contains the separator`,
      });
      continue;
    }
    const warnings: string[] = [];
    if (values.length < headers.length) {
      warnings.push(
        `row has ${values.length} values but the header has ${headers.length} columns; the missing ones are left empty`,
      );
    }
    const fields: ParsedEntry['fields'] = {};
    headers.forEach((h, i) => {
      const field = used[h];
      const value = values[i];
      // With two columns for one field, the first non-empty value wins.
      if (field && value !== undefined && !fields[field]) fields[field] = unprotectCell(value);
    });
    entries.push({ line, fields, warnings });
  }
  return { entries, skipped, headers, mapping: used, fatal: null };
}
