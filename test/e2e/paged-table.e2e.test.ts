import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type HostProcess, launchChromium, screenshot, startHostProcess } from '../helpers/browser-host';
import { hasChromium, needs } from '../helpers/needs';
import { fileCore } from '../helpers/temp';

// A large inventory, seeded through the core's API on a real SQLite file: the Machines table fetches it a
// page at a time as it scrolls, yet select-all still means every machine matching the filter.
const run = needs('Chromium', hasChromium(), "install Debian's chromium (apt-get install chromium)");

const COUNT = 5000;
const name = (i: number) => `m${String(i).padStart(5, '0')}`;

describe.runIf(run)('the paged Machines table over 5,000 machines in real Chromium', () => {
  let browser: Browser;
  let host: HostProcess;
  let page: Page;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-e2e-paged-'));
    const { core } = fileCore(dataDir);
    for (let i = 0; i < COUNT; i++) {
      await core.handlers['machines.create']({
        machine: {
          displayName: name(i),
          address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
          port: 22,
          transport: 'ssh',
          username: 'root',
          credentialId: null,
          // Every tenth machine carries a tag, so a filter matches 500 spread over the whole list.
          tags: i % 10 === 0 ? ['tenth'] : [],
          client: 'Acme',
          site: '',
          notes: '',
          proxyJump: '',
        },
      });
    }
    await core.close();
    browser = await launchChromium();
    host = await startHostProcess(dataDir);
  }, 120_000);
  afterAll(async () => {
    await host?.stop();
    await browser?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const count = () => page.getByTestId('machine-count');
  const grid = () => page.getByRole('grid', { name: 'Machines' });
  const row = (i: number) => page.locator('[data-testid="machine-row"]', { hasText: name(i) });
  const scrollToRow = (i: number) => grid().evaluate((el, top) => el.scrollTo({ top }), i * 36);

  it('renders rows far down as it scrolls, and select-all counts every machine', async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => {
      throw err;
    });
    await page.goto(`${host.url}#/machines`);
    await expect.poll(() => count().getAttribute('data-total')).toBe(String(COUNT));
    await expect.poll(() => row(0).count()).toBe(1);
    // Only the visible window is in the DOM, and the scrollbar spans the whole list.
    expect(await page.getByTestId('machine-row').count()).toBeLessThan(100);
    expect(await grid().evaluate((el) => el.scrollHeight)).toBeGreaterThanOrEqual(COUNT * 36);

    await scrollToRow(2600);
    await expect.poll(() => row(2600).count()).toBe(1);
    await scrollToRow(COUNT);
    await expect.poll(() => row(COUNT - 1).count()).toBe(1);
    expect(await row(0).count()).toBe(0);
    await screenshot(page, '60-machines-paged-bottom');

    await page.getByLabel('Select all matching machines').check();
    await expect.poll(() => count().getAttribute('data-selected')).toBe(String(COUNT));
    expect(await row(COUNT - 1).getAttribute('aria-selected')).toBe('true');
    await page.getByRole('button', { name: 'Clear selection' }).click();
    await expect.poll(() => count().getAttribute('data-selected')).toBe('0');
  });

  it('selects all matching a filter and ranges across pages not fetched yet', async () => {
    await page.getByLabel('Search machines').fill('tenth');
    await expect.poll(() => count().getAttribute('data-total')).toBe(String(COUNT / 10));
    await expect.poll(() => row(0).count()).toBe(1);
    await page.getByLabel('Select all matching machines').check();
    await expect.poll(() => count().getAttribute('data-selected')).toBe(String(COUNT / 10));
    await page.getByRole('button', { name: 'Clear selection' }).click();

    // Click the first row, then shift-click the last: the range covers rows never rendered.
    await row(0).click();
    await scrollToRow(COUNT / 10);
    await expect.poll(() => row(COUNT - 10).count()).toBe(1);
    await row(COUNT - 10).click({ modifiers: ['Shift'] });
    await expect.poll(() => count().getAttribute('data-selected')).toBe(String(COUNT / 10));
    await screenshot(page, '61-machines-paged-filtered');
  });
});
