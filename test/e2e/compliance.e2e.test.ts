import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Demo, startDemo } from '../../electron/demo/start-demo';
import { type HostProcess, launchChromium, screenshot, startHostProcess } from '../helpers/browser-host';
import { hasChromium, needs } from '../helpers/needs';

// The demo fleet (simulated hosts, a real first scan, 120 days of simulated weekly scans stored through
// the real scan path with their daily snapshots), shown by the browser host in real Chromium.
const run = needs('Chromium', hasChromium(), "install Debian's chromium (apt-get install chromium)");

describe.runIf(run)('the compliance trend on the dashboard in real Chromium', () => {
  let browser: Browser;
  let host: HostProcess;
  let demo: Demo;
  let page: Page;

  beforeAll(async () => {
    demo = await startDemo({ hosts: 60 });
    browser = await launchChromium();
    host = await startHostProcess(demo.dataDir);
  }, 120_000);
  afterAll(async () => {
    await host?.stop();
    await browser?.close();
    await demo?.stop();
  });

  /** The number of points uPlot drew for a series, read from the chart's own data. */
  const chart = () => page.getByTestId('compliance-chart');

  it('draws the fleet over 30, 90 and 365 days with the time to fix beside it, and one client', async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => {
      throw err;
    });
    await page.goto(host.url + '#/dashboard');
    await expect.poll(() => chart().getAttribute('data-points')).toBe('30');
    // uPlot drew: a canvas of the box's size, and a legend with the three series.
    const canvas = chart().locator('canvas');
    expect(await canvas.count()).toBe(1);
    expect((await canvas.boundingBox())?.width).toBeGreaterThan(300);
    const legend = await chart().locator('.u-legend').textContent();
    expect(legend).toMatch(/Patched.*Missing fixes.*Overdue/);
    // The canvas is not blank: some pixels carry the series' colours.
    const painted = await canvas.evaluate((c: HTMLCanvasElement) => {
      const ctx = c.getContext('2d');
      if (!ctx) return 0;
      const px = ctx.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < px.length; i += 4) if ((px[i] ?? 0) > 0) n++;
      return n;
    });
    expect(painted).toBeGreaterThan(1000);
    const mttr = await page.getByTestId('mttr-table').textContent();
    expect(mttr).toMatch(/Critical/);
    expect(mttr).toMatch(/All\d+/);
    expect(await page.getByTestId('compliance-note').textContent()).toMatch(
      /Today: \d+ of 56 scanned machines have every security fix/,
    );
    await screenshot(page, '70-dashboard-compliance-30');

    await page.getByText('90 days', { exact: true }).click();
    await expect.poll(() => chart().getAttribute('data-points')).toBe('90');
    await page.getByText('365 days', { exact: true }).click();
    // 120 days of history plus today: the days before the first snapshot are left out.
    await expect.poll(() => chart().getAttribute('data-points')).toBe('121');
    await chart().scrollIntoViewIfNeeded();
    await screenshot(page, '71-dashboard-compliance-365');

    const clients = await page.getByTestId('compliance-client').locator('option').allTextContents();
    expect(clients[0]).toBe('All clients');
    expect(clients.length).toBeGreaterThan(3);
    await page.getByTestId('compliance-client').selectOption({ label: clients[1] ?? '' });
    await expect
      .poll(async () => (await page.getByTestId('compliance-note').textContent()) ?? '')
      .not.toMatch(/of 56 scanned/);
    expect(await chart().getAttribute('data-points')).toBe('121');
  });
});
