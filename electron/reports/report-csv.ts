/**
 * A report as one CSV table: every row names its section, so a spreadsheet filter on the first column
 * shows one section at a time and the file stays a single RFC 4180 table (same columns on every line).
 * Cells a spreadsheet would run as a formula get a leading apostrophe (the inventory export's rule).
 */
import { describeDue, MACHINE_STATUS_TEXT, type ReportMachine, type ReportModel } from '../../shared/reports';
import type { FixFirstItem } from '../../shared/risk';
import { protectCell } from '../inventory/import/export-csv';

/** The columns of a report CSV. */
export const REPORT_CSV_HEADER = [
  'Section',
  'Client',
  'Machine',
  'Item',
  'Version',
  'Status',
  'Date',
  'Value',
  'Details',
] as const;

type Row = Partial<Record<(typeof REPORT_CSV_HEADER)[number], string | number | null>>;

function cell(value: string | number | null | undefined): string {
  const v = protectCell(value === null || value === undefined ? '' : String(value));
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

const day = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString().slice(0, 10));
const stamp = (ms: number | null) =>
  ms === null ? '' : new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

function fixRow(section: string, f: FixFirstItem): Row {
  return {
    Section: section,
    Client: f.client,
    Machine: f.machineName,
    Item: f.name,
    Version: f.candidateVersion,
    Status: describeDue(f),
    Date: f.due,
    Value: f.score,
    Details: [f.dueReason, ...f.reasons.map((r) => r.text), f.cves.length ? f.cves.join(' ') : '']
      .filter(Boolean)
      .join('; '),
  };
}

function machineRow(m: ReportMachine): Row {
  const details = [
    m.eolState === 'eol' ? `end of life${m.eolEnds ? ` since ${m.eolEnds}` : ''}` : '',
    m.eolState === 'extended' ? 'extended support only' : '',
    m.security > 0 ? `${m.security} security fixes missing` : '',
    m.overdue > 0 ? `${m.overdue} overdue` : '',
    m.rebootRequired ? 'restart needed' : '',
  ];
  return {
    Section: 'Machines',
    Client: m.client,
    Machine: m.name,
    Item: m.os,
    Status: MACHINE_STATUS_TEXT[m.status],
    Date: stamp(m.lastScanAt),
    Value: m.missing,
    Details: details.filter(Boolean).join('; '),
  };
}

/** The rows of a report, section by section, in the order the printed report shows them. */
export function reportRows(r: ReportModel): Row[] {
  const rows: Row[] = [
    { Section: 'Report', Item: 'Title', Details: r.title },
    { Section: 'Report', Item: 'Client', Details: r.client ?? 'All clients' },
    { Section: 'Report', Item: 'Period', Date: r.period.from, Details: `${r.period.from} to ${r.period.to}` },
    { Section: 'Report', Item: 'Generated', Date: stamp(r.generatedAt) },
  ];
  const s = r.status;
  const counts: [string, number][] = [
    ['Machines', s.machines],
    ['Up to date', s.upToDate],
    ['With fixes missing', s.missing],
    ['Last scan failed', s.failed],
    ['Never scanned', s.notScanned],
    ['End-of-life system', s.endOfLife],
    ['Restart needed', s.rebootRequired],
    ['Missing fixes tracked', s.trackedFixes],
    ['Overdue fixes', s.overdueFixes],
    ['Fixes installed in the period', s.fixedInPeriod],
    ['Security fixes installed in the period', s.securityFixedInPeriod],
  ];
  for (const [item, value] of counts) rows.push({ Section: 'Status', Item: item, Value: value });
  for (const c of r.clients ?? [])
    rows.push({
      Section: 'Clients',
      Client: c.client || '(no client)',
      Item: 'Machines',
      Value: c.machines,
      Details: `${c.upToDate} up to date; ${c.missing} with fixes missing; ${c.overdue} overdue fixes; ${c.endOfLife} end of life`,
    });
  for (const m of r.machines?.items ?? []) rows.push(machineRow(m));
  for (const f of r.overdue.items) rows.push(fixRow('Overdue', f));
  for (const f of r.fixFirst.items) rows.push(fixRow('Fix first', f));
  for (const o of r.rollouts)
    rows.push({
      Section: 'Rollouts',
      Item: o.name || `Rollout ${o.id}`,
      Status: o.state,
      Date: day(o.startedAt),
      Value: o.hosts,
      Details:
        `${o.succeeded} succeeded; ${o.failed} failed; ${o.needsReboot} waiting for a restart; ` +
        `${o.notRun} not run; started by ${o.startedBy}; ${o.finishedAt ? `finished ${stamp(o.finishedAt)}` : 'not finished'}`,
    });
  for (const t of r.trend?.days ?? [])
    rows.push({
      Section: 'Trend',
      Date: t.day,
      Item: 'Machines',
      Value: t.machines,
      Details: `${t.upToDate} up to date; ${t.missing} with fixes missing; ${t.overdue} overdue fixes`,
    });
  const a = r.dataAge;
  rows.push({ Section: 'Data age', Item: 'Oldest scan', Date: stamp(a.oldestScanAt) });
  rows.push({ Section: 'Data age', Item: 'Newest scan', Date: stamp(a.newestScanAt) });
  for (const f of a.feeds)
    rows.push({ Section: 'Data age', Item: f.label, Date: f.publishedAt ?? '', Details: f.text });
  for (const n of r.notes) rows.push({ Section: 'Notes', Details: n });
  return rows;
}

/** The report as CSV text: header, CRLF line ends, RFC 4180 quoting, formula-safe cells. */
export function reportCsv(r: ReportModel): string {
  const lines = [REPORT_CSV_HEADER.join(',')];
  for (const row of reportRows(r)) lines.push(REPORT_CSV_HEADER.map((h) => cell(row[h])).join(','));
  return lines.join('\r\n') + '\r\n';
}
