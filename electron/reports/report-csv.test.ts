import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';

import { PERIOD, seedReportFleet } from '../../test/helpers/report-fleet';
import { fileCore } from '../../test/helpers/temp';
import { REPORT_CSV_HEADER, reportCsv } from './report-csv';

async function acmeReport() {
  const { core } = fileCore();
  seedReportFleet(core);
  const model = await core.services.reports.service.build({ client: 'Acme', ...PERIOD });
  await core.close();
  return model;
}

describe('the report CSV', () => {
  it('is one RFC 4180 table whose rows name their section, in the printed order', async () => {
    const csv = reportCsv(await acmeReport());
    expect(csv.endsWith('\r\n')).toBe(true);
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual([...REPORT_CSV_HEADER]);
    const sections = [...new Set(rows.map((r) => r.Section))];
    expect(sections).toEqual([
      'Report',
      'Status',
      'Machines',
      'Overdue',
      'Fix first',
      'Rollouts',
      'Data age',
      'Notes',
    ]);
    expect(rows.find((r) => r.Item === 'Client')?.Details).toBe('Acme');
    expect(rows.find((r) => r.Item === 'Period')?.Details).toBe('2026-11-01 to 2026-11-30');
    expect(rows.find((r) => r.Section === 'Status' && r.Item === 'Overdue fixes')?.Value).toBe('1');
    const overdue = rows.filter((r) => r.Section === 'Overdue');
    expect(overdue).toHaveLength(1);
    expect(overdue[0]).toMatchObject({ Machine: 'web01', Item: 'libssl3', Version: '3.0.17-1~deb12u3' });
    expect(overdue[0]?.Status).toMatch(/^overdue by \d+ days$/);
    expect(rows.find((r) => r.Section === 'Machines' && r.Machine === 'old01')?.Details).toBe(
      'end of life since 2022-09-10',
    );
    expect(rows.find((r) => r.Section === 'Rollouts')).toMatchObject({
      Item: 'November patching',
      Value: '1',
    });
  });

  it('quotes commas, quotes and line breaks, and defuses cells a spreadsheet would run as formulas', async () => {
    const model = await acmeReport();
    const machines = model.machines?.items ?? [];
    const names = ['=HYPERLINK("http://x","y")', '+1', '-2', '@SUM(A1)', 'a,b', 'two\r\nlines', 'say "hi"'];
    names.forEach((name, i) => {
      const m = machines[i % machines.length];
      if (m) machines.push({ ...m, name });
    });
    const csv = reportCsv(model);
    const got = (parse(csv, { columns: true }) as Record<string, string>[])
      .filter((r) => r.Section === 'Machines')
      .map((r) => r.Machine)
      .slice(-names.length);
    expect(got).toEqual([
      '\'=HYPERLINK("http://x","y")',
      "'+1",
      "'-2",
      "'@SUM(A1)",
      'a,b',
      'two\r\nlines',
      'say "hi"',
    ]);
    expect(csv).toContain('"\'=HYPERLINK(""http://x"",""y"")"');
  });
});
