import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type HostProcess, launchChromium, screenshot, startHostProcess } from '../helpers/browser-host';
import { sampleFeedFiles, startFeedServer } from '../helpers/feed-server';
import { pendingPatch, scanFindings, SUPPORTED_EOL } from '../helpers/findings';
import { sshMachine } from '../helpers/inventory';
import { hasChromium, needs } from '../helpers/needs';
import { fileCore } from '../helpers/temp';

// Scans stored on a real SQLite file, first seen long ago (so overdue whatever today is), shown by the
// browser host in real Chromium; "Update now" downloads from a loopback mirror (PATCHBAY_VULN_MIRROR).
const run = needs('Chromium', hasChromium(), "install Debian's chromium (apt-get install chromium)");
const FIRST_SEEN = Date.parse('2026-01-10T09:00:00Z');

describe.runIf(run)('the Fix first page in real Chromium', () => {
  let browser: Browser;
  let host: HostProcess;
  let page: Page;
  let dataDir: string;
  let feeds: Awaited<ReturnType<typeof startFeedServer>>;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-e2e-fixfirst-'));
    const { core } = fileCore(dataDir);
    const web = core.repos.machines.insert(
      sshMachine('web01', '192.0.2.10', { client: 'Acme', tags: ['internet-facing'] }),
      FIRST_SEEN,
    );
    const db = core.repos.machines.insert(sshMachine('db01', '192.0.2.11', { client: 'Globex' }), FIRST_SEEN);
    const runId = core.repos.scans.startRun(2, FIRST_SEEN);
    const ssl = pendingPatch('libssl3', '3.0.17-1~deb12u2', '3.0.17-1~deb12u3', {
      security: true,
      sourcePackage: 'openssl',
    });
    const sudo = pendingPatch('sudo', '1.9.13p3-1+deb12u1', '1.9.13p3-1+deb12u2', { security: true });
    core.repos.scans.recordSuccess(
      runId,
      web,
      scanFindings('apt', [ssl, sudo]),
      SUPPORTED_EOL,
      10,
      FIRST_SEEN,
    );
    core.repos.scans.recordSuccess(runId, db, scanFindings('apt', [sudo]), SUPPORTED_EOL, 10, FIRST_SEEN);
    core.repos.scans.finishRun(runId, 'done', FIRST_SEEN);
    await core.close();
    feeds = await startFeedServer(sampleFeedFiles({ dateReleased: new Date().toISOString() }));
    browser = await launchChromium();
    host = await startHostProcess(dataDir, { PATCHBAY_VULN_MIRROR: feeds.url });
  });
  afterAll(async () => {
    await host?.stop();
    await browser?.close();
    await feeds?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function open(route: string) {
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => {
      throw err;
    });
    await page.goto(host.url + route);
  }

  it('lists fixes by risk with reasons, due days, overdue badges and the data age', async () => {
    await open('#/fix-first');
    const rows = page.getByTestId('fix-first-row');
    await expect.poll(() => rows.count()).toBe(3);
    const first = await rows.first().textContent();
    expect(first).toMatch(/web01/);
    expect(first).toMatch(/libssl3/);
    expect(first).toMatch(/CVE-2026-0001 is exploited in the wild \(CISA KEV, due 2026-12-11\)/);
    expect(first).toMatch(/host is internet-facing/);
    // high: 30 days from 2026-01-10 is earlier than KEV's date.
    expect(first).toMatch(/2026-02-09/);
    expect(await page.getByTestId('overdue-badge').count()).toBe(3);
    expect(await page.getByTestId('data-age').textContent()).toMatch(/KEV data from .*built-in sample/);
    await page.getByTestId('fix-first-client').selectOption('Globex');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await page.getByTestId('draft-overdue').textContent()).toMatch(/1 overdue for Globex/);
    await screenshot(page, '60-fix-first');
  });

  it('shows overdue counts on the dashboard and in the Machines table', async () => {
    await open('#/dashboard');
    await expect.poll(() => page.getByTestId('overdue-total').textContent()).toBe('3');
    await screenshot(page, '61-dashboard-overdue');
    await open('#/machines');
    const row = page.getByRole('row').filter({ hasText: 'web01' });
    await expect.poll(() => row.getByTestId('overdue-cell').textContent()).toBe('2');
    await screenshot(page, '62-machines-overdue');
  });

  it('updates the data from the mirror in Settings, and the age text follows', async () => {
    await open('#/settings');
    const status = page.getByTestId('vuln-status');
    await expect.poll(() => status.textContent()).toMatch(/built-in sample/);
    await page.getByTestId('vuln-update').click();
    await expect.poll(() => status.textContent()).toMatch(/KEV data from today \(/);
    expect(await status.textContent()).not.toMatch(/built-in sample/);
    await screenshot(page, '63-settings-sla');
  });
});
