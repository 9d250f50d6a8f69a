import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type HostProcess, launchChromium, screenshot, startHostProcess } from '../helpers/browser-host';
import { hasChromium, needs } from '../helpers/needs';
import { PERIOD, seedReportFleet } from '../helpers/report-fleet';
import { fileCore } from '../helpers/temp';

// The Reports page in real Chromium, through the browser host started as `npm run serve` starts it: the
// preview, then "Save PDF" (the host prints the page with headless Chromium) read back with pdftotext,
// and "Save CSV". The fleet is stored on a real SQLite file (test/helpers/report-fleet.ts).
const hasPdftotext = (() => {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const run =
  needs('Chromium', hasChromium(), "install Debian's chromium (apt-get install chromium)") &&
  needs('pdftotext', hasPdftotext, 'install poppler-utils (apt-get install poppler-utils)');

describe.runIf(run)('the Reports page in real Chromium', () => {
  let browser: Browser;
  let host: HostProcess;
  let page: Page;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-e2e-reports-'));
    const { core } = fileCore(dataDir);
    seedReportFleet(core);
    await core.close();
    browser = await launchChromium();
    host = await startHostProcess(dataDir);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (err) => {
      throw err;
    });
  });
  afterAll(async () => {
    await host?.stop();
    await browser?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('previews a client’s report for a period and saves it as a PDF whose text names client, period and an overdue fix', async () => {
    await page.goto(`${host.url}#/reports`);
    await page.getByTestId('report-client').selectOption('Acme');
    await page.getByTestId('report-from').fill(PERIOD.from);
    await page.getByTestId('report-to').fill(PERIOD.to);
    const doc = page.getByTestId('report-document');
    await expect.poll(() => page.getByTestId('report-period').textContent()).toBe('2026-11-01 to 2026-11-30');
    expect(await doc.locator('h2').textContent()).toBe('Acme');
    expect(await page.getByTestId('report-overdue').textContent()).toMatch(
      /web01.*libssl3.*overdue by \d+ days/,
    );
    expect(await page.getByTestId('report-rollouts').textContent()).toMatch(/November patching/);
    // The choice is in the address bar, so the report can be opened again.
    expect(new URL(page.url()).hash).toBe('#/reports?client=Acme&from=2026-11-01&to=2026-11-30');
    await screenshot(page, '70-reports');
    // The report is paper: it stays light when the app is dark.
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, '72-reports-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('report-save-pdf').click(),
    ]);
    expect(download.suggestedFilename()).toBe('patchbay-report-Acme-2026-11-01-to-2026-11-30.pdf');
    const saved = path.join(dataDir, 'report.pdf');
    await download.saveAs(saved);
    expect(fs.readFileSync(saved).subarray(0, 5).toString()).toBe('%PDF-');
    const text = execFileSync('pdftotext', ['-layout', saved, '-'], { encoding: 'utf8' });
    expect(text).toContain('Acme');
    expect(text).toContain('Patch status report');
    expect(text).toContain('2026-11-01 to 2026-11-30');
    expect(text).toMatch(/Overdue fixes\s+Machine +Fix +Due +Why\s+web01 +libssl3/);
    expect(text).toMatch(/overdue by \d+ days/);
    // Only the report: none of the app's navigation is printed.
    expect(text).not.toMatch(/Dashboard|Save PDF/);
  });

  it('saves the fleet report as CSV', async () => {
    await page.getByTestId('report-client').selectOption({ label: 'All clients' });
    await expect
      .poll(() => page.getByTestId('report-document').locator('h2').textContent())
      .toBe('All clients');
    expect(await page.getByTestId('report-clients').textContent()).toMatch(/Acme.*Globex/);
    await screenshot(page, '71-reports-fleet');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('report-save-csv').click(),
    ]);
    expect(download.suggestedFilename()).toBe('patchbay-report-fleet-2026-11-01-to-2026-11-30.csv');
    const saved = path.join(dataDir, 'report.csv');
    await download.saveAs(saved);
    const rows = parse(fs.readFileSync(saved, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(
      rows
        .filter((r) => r.Section === 'Overdue')
        .map((r) => r.Machine)
        .sort(),
    ).toEqual(['db01', 'web01']);
  });

  it('says what is wrong with a backwards period instead of showing a report', async () => {
    await page.getByTestId('report-from').fill('2026-12-01');
    await expect
      .poll(() => page.getByTestId('report-error').textContent())
      .toBe('The period starts (2026-12-01) after it ends (2026-11-30): swap the dates.');
    expect(await page.getByTestId('report-document').count()).toBe(0);
    expect(await page.getByTestId('report-save-pdf').isDisabled()).toBe(true);
  });
});
