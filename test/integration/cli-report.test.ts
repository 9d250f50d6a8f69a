import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';

import { runCli } from '../../electron/cli/main';
import { hasChromium, needs } from '../helpers/needs';
import { PERIOD, seedReportFleet } from '../helpers/report-fleet';
import { fileCore, tempDir } from '../helpers/temp';

async function cli(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

async function seeded(): Promise<string> {
  const { core, dataDir } = fileCore();
  seedReportFleet(core);
  await core.close();
  return dataDir;
}

const hasPdftotext = (() => {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const canPrint =
  needs('Chromium', hasChromium(), "install Debian's chromium (apt-get install chromium)") &&
  needs('pdftotext', hasPdftotext, 'install poppler-utils (apt-get install poppler-utils)') &&
  needs('the built app pages', fs.existsSync('dist/renderer/index.html'), 'run `npm run build` first');

describe('patchbay report', () => {
  it('writes a client’s CSV report to a file, and refuses to replace it without --force', async () => {
    const dir = await seeded();
    const out = path.join(dir, 'acme.csv');
    const args = ['--data-dir', dir, 'report', '--client', 'ACME', '--from', PERIOD.from, '--to', PERIOD.to];
    expect(await cli(...args, '--format', 'csv', '--out', out)).toEqual({
      code: 0,
      stdout: `Wrote the report to ${out}.\n`,
      stderr: '',
    });
    const rows = parse(fs.readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.find((r) => r.Item === 'Client')?.Details).toBe('Acme');
    expect(rows.filter((r) => r.Section === 'Overdue').map((r) => [r.Machine, r.Item])).toEqual([
      ['web01', 'libssl3'],
    ]);
    // The format follows the file's extension when --format is left out.
    expect(await cli(...args, '--out', out)).toMatchObject({
      code: 2,
      stderr: `patchbay: ${out} exists; pass --force to replace it.\n`,
    });
    expect((await cli(...args, '--out', out, '--force')).code).toBe(0);
  });

  it('prints the fleet CSV to stdout with --out -', async () => {
    const dir = await seeded();
    const r = await cli(
      '--data-dir',
      dir,
      'report',
      '--fleet',
      '--from',
      PERIOD.from,
      '--to',
      PERIOD.to,
      '--format',
      'csv',
      '--out',
      '-',
    );
    expect(r.code).toBe(0);
    const rows = parse(r.stdout, { columns: true }) as Record<string, string>[];
    expect(rows.filter((x) => x.Section === 'Clients').map((x) => x.Client)).toEqual(['Acme', 'Globex']);
    expect(rows.find((x) => x.Item === 'Client')?.Details).toBe('All clients');
  });

  it('says what is wrong: unknown client, bad dates, a backwards period, no format, no scope', async () => {
    const dir = await seeded();
    const base = ['--data-dir', dir, 'report'];
    expect(await cli(...base, '--client', 'Initech', '--format', 'csv', '--out', '-')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'patchbay: No client named "Initech". Clients: Acme, Globex.\n',
    });
    expect(
      await cli(...base, '--client', 'Acme', '--from', '2026-11-31', '--to', '2026-12-01', '--format', 'csv'),
    ).toMatchObject({
      code: 2,
      stderr: 'patchbay: The start date 2026-11-31 is not a calendar date.\n',
    });
    expect(await cli(...base, '--client', 'Acme', '--from', '30.11.2026', '--format', 'csv')).toMatchObject({
      code: 2,
      stderr: 'patchbay: The start date must be a date written YYYY-MM-DD (got "30.11.2026").\n',
    });
    expect(
      await cli(...base, '--client', 'Acme', '--from', '2026-11-30', '--to', '2026-11-01', '--format', 'csv'),
    ).toMatchObject({
      code: 2,
      stderr: 'patchbay: The period starts (2026-11-30) after it ends (2026-11-01): swap the dates.\n',
    });
    expect(await cli(...base, '--client', 'Acme', '--format', 'docx')).toMatchObject({
      code: 2,
      stderr: 'patchbay: report needs --format pdf|csv (not "docx")\n',
    });
    expect(await cli(...base, '--format', 'csv')).toMatchObject({
      code: 2,
      stderr: 'patchbay: report needs --client C (or --fleet for every client)\n',
    });
    // Nothing was written anywhere: the data folder holds only what the core keeps.
    expect(fs.readdirSync(dir).filter((f) => f.includes('report'))).toEqual([]);
  });

  it('says how to get Chromium when it is missing, and writes nothing', async () => {
    const dir = await seeded();
    const out = path.join(dir, 'acme.pdf');
    const saved = process.env.PATCHBAY_CHROMIUM;
    process.env.PATCHBAY_CHROMIUM = path.join(dir, 'no-chromium-here');
    try {
      const r = await cli('--data-dir', dir, 'report', '--client', 'Acme', '--format', 'pdf', '--out', out);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `patchbay: PATCHBAY_CHROMIUM names ${path.join(dir, 'no-chromium-here')}, which does not exist: PDF reports are printed by Chromium.\n`,
      );
    } finally {
      if (saved === undefined) delete process.env.PATCHBAY_CHROMIUM;
      else process.env.PATCHBAY_CHROMIUM = saved;
    }
    expect(fs.existsSync(out)).toBe(false);
  });

  it.runIf(canPrint)(
    'prints a client’s PDF through Chromium: its text names the client, period and an overdue fix',
    async () => {
      const dir = await seeded();
      const out = path.join(tempDir(), 'acme.pdf');
      const r = await cli(
        '--data-dir',
        dir,
        'report',
        '--client',
        'Acme',
        '--from',
        PERIOD.from,
        '--to',
        PERIOD.to,
        '--format',
        'pdf',
        '--out',
        out,
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const bytes = fs.readFileSync(out);
      expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
      const text = execFileSync('pdftotext', ['-layout', out, '-'], { encoding: 'utf8' });
      expect(text).toContain('Acme');
      expect(text).toContain('2026-11-01 to 2026-11-30');
      expect(text).toMatch(/Acme: patch status report 2026-11-01 to 2026-11-30 +1 ?\/ ?2/);
      // The overdue fix's row: machine, package, the version that fixes it, how late.
      expect(text).toMatch(/web01 +libssl3 +\d{4}-\d{2}-\d{2}/);
      expect(text).toContain('to 3.0.17-1~deb12u3');
      expect(text).toMatch(/overdue by \d+ days/);
      // The rollout of the period (its name wraps in the narrow first column).
      expect(text).toMatch(/November +2026-11-14 +Finished +1 +1 +0/);
      // The report, not the app around it.
      expect(text).not.toContain('Dashboard');
    },
  );
});
