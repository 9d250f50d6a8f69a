import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { eolStatus, loadEolTable } from './eol';
import { BUNDLED_EOL } from './eol-table';

const day = (iso: string) => Date.parse(`${iso}T12:00:00Z`);

describe('end-of-life status', () => {
  const table = BUNDLED_EOL;

  it('tells supported, ending soon, extended-only and end of life apart', () => {
    expect(eolStatus(table, 'debian', '13', day('2026-11-25'))).toMatchObject({
      state: 'supported',
      name: 'Debian 13 (trixie)',
    });
    expect(eolStatus(table, 'debian', '12', day('2026-04-01'))).toMatchObject({ state: 'ending-soon' });
    expect(eolStatus(table, 'debian', '12', day('2026-11-25'))).toMatchObject({
      state: 'extended',
      extendedEnds: '2028-06-30',
    });
    expect(eolStatus(table, 'debian', '10', day('2026-11-25'))).toMatchObject({
      state: 'eol',
      ends: '2022-09-10',
    });
    expect(eolStatus(table, 'centos', '7', day('2026-11-25')).state).toBe('eol');
  });

  it('matches point releases to their major and unknown systems to unknown', () => {
    expect(eolStatus(table, 'rocky', '9.4', day('2026-11-25')).name).toBe('Rocky Linux 9');
    expect(eolStatus(table, 'ubuntu', '22.04', day('2026-11-25')).name).toBe('Ubuntu 22.04 LTS');
    expect(eolStatus(table, 'ubuntu', '22.10', day('2026-11-25')).state).toBe('unknown');
    expect(eolStatus(table, 'ol', '8.9', day('2026-11-25')).name).toBe('RHEL 8');
    expect(eolStatus(table, 'plan9', '4', day('2026-11-25'))).toMatchObject({
      state: 'unknown',
      tableDate: table.asOf,
    });
  });

  it('takes a newer table from a file, and keeps the bundled one when the file is malformed', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-eol-'));
    const file = path.join(dir, 'eol.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        asOf: '2027-01-01',
        entries: [{ os: 'debian', version: '13', name: 'Debian 13', ends: '2027-02-01' }],
      }),
    );
    const { table: updated, problem } = loadEolTable(file);
    expect(problem).toBeNull();
    expect(updated.asOf).toBe('2027-01-01');
    expect(eolStatus(updated, 'debian', '13', day('2027-01-10')).state).toBe('ending-soon');
    expect(eolStatus(updated, 'debian', '12', day('2027-01-10')).state).toBe('extended');
    fs.writeFileSync(file, JSON.stringify({ asOf: 'yesterday', entries: [] }));
    expect(loadEolTable(file)).toMatchObject({
      table: BUNDLED_EOL,
      problem: expect.stringMatching(/asOf: dates are YYYY-MM-DD/),
    });
    fs.writeFileSync(file, '{');
    expect(loadEolTable(file).problem).toMatch(/not valid JSON/);
    fs.rmSync(dir, { recursive: true });
  });
});
