import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { describeNextRuns } from '../../electron/plans/describe';
import type { Schedule } from '../../shared/plans';
import { type HostProcess, launchChromium, screenshot, startHostProcess } from '../helpers/browser-host';
import { sshMachine } from '../helpers/inventory';
import { hasChromium, needs } from '../helpers/needs';
import { fileCore } from '../helpers/temp';

// Build a plan with two rings and a maintenance window on the Plans page, see its next runs before and after
// saving, and the window in the 30-day calendar: the browser host on a real SQLite file, in real Chromium.
const run = needs('Chromium', hasChromium(), "install Debian's chromium (apt-get install chromium)");

describe.runIf(run)('plans in real Chromium', () => {
  let browser: Browser;
  let host: HostProcess;
  let page: Page;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-e2e-plans-'));
    const { core } = fileCore(dataDir);
    for (const [i, [name, client, tags]] of (
      [
        ['web01', 'Acme', ['web']],
        ['web02', 'Acme', ['web']],
        ['db01', 'Acme', []],
        ['shop01', 'Globex', []],
      ] as const
    ).entries()) {
      await core.handlers['machines.create']({
        machine: sshMachine(name, `192.0.2.${i + 40}`, { client, tags: [...tags] }),
      });
    }
    await core.handlers['groups.save']({ name: 'web', filter: { tags: ['web'] } });
    await core.close();
    browser = await launchChromium();
    host = await startHostProcess(dataDir);
    page = await browser.newPage({ viewport: { width: 1360, height: 1400 } });
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => {
      throw err;
    });
    await page.goto(host.url + '#/plans');
  });
  afterAll(async () => {
    await host?.stop();
    await browser?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('adds a weekly maintenance window for a client and shows it in the 30-day calendar', async () => {
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Plans');
    await page.getByLabel('Window client', { exact: true }).fill('Acme');
    await page.getByLabel('Window time zone', { exact: true }).fill('Europe/Berlin');
    await page.getByRole('button', { name: 'Add window' }).click();
    await expect.poll(() => page.getByTestId('window-row').count()).toBe(1);
    expect(await page.getByTestId('window-row').textContent()).toContain(
      'client AcmeSat 22:00 – Sun 04:00 Europe/Berlin, weekly',
    );
    // Four or five Saturday nights in the next 30 days.
    const bars = page.getByTestId('cal-window-row').locator('.cal-window');
    await expect.poll(() => bars.count()).toBeGreaterThanOrEqual(4);
    expect(await bars.count()).toBeLessThanOrEqual(5);
    // A window that ends before it starts on the same day is refused in words, and nothing is stored.
    await page.getByLabel('Window ends on').selectOption('Sat');
    await page.getByLabel('Window ends at').fill('21:00');
    await page.getByRole('button', { name: 'Add window' }).click();
    await expect
      .poll(() => page.locator('.windows-editor [role="alert"]').textContent())
      .toMatch(/a weekly window ends after it starts and lasts less than a week/);
    expect(await page.getByTestId('window-row').count()).toBe(1);
  });

  it('builds a plan with two rings, previews its next runs and machines, saves it and lists it', async () => {
    await page.getByTestId('new-plan').click();
    const editor = page.getByTestId('plan-editor');
    await editor.getByLabel('Name', { exact: true }).fill('Patch night');
    await editor.getByLabel('Time zone', { exact: true }).fill('Europe/Berlin');
    const schedule: Schedule = { kind: 'patch-tuesday', zone: 'Europe/Berlin', offsetDays: 2, time: '22:00' };
    const nextRun = describeNextRuns(schedule, Date.now(), 5);
    await expect.poll(() => editor.getByTestId('plan-next-runs').textContent()).toBe(nextRun);

    const rings = editor.getByTestId('ring-fields');
    await rings.nth(0).getByLabel('Ring name').fill('pilot');
    await rings.nth(0).getByLabel('Machines', { exact: true }).selectOption('group');
    await rings.nth(0).getByLabel('Group', { exact: true }).selectOption({ label: 'web' });
    await editor.getByRole('button', { name: 'Add ring' }).click();
    await rings.nth(1).getByLabel('Ring name').fill('office');
    await rings.nth(1).getByLabel('Client', { exact: true }).fill('Acme');
    await rings.nth(1).getByLabel('Ring 2 batch size').fill('50');
    await rings.nth(1).getByLabel('Ring 2 batch unit').selectOption('percent');
    await rings.nth(1).getByLabel('Gate: soak (min)').fill('oops');
    // The core names the field that is wrong while the rest is previewed.
    await expect.poll(() => rings.nth(1).locator('.field-error').first().textContent()).toMatch(/number/i);
    await rings.nth(1).getByLabel('Gate: soak (min)').fill('0');
    await rings.nth(0).getByLabel('Gate: soak (min)').fill('1440');

    await expect
      .poll(() => rings.nth(0).getByTestId('ring-machines').textContent())
      .toMatch(/^web01 \((open now|opens .* Europe\/Berlin)\) · web02/);
    await expect
      .poll(() => rings.nth(1).getByTestId('ring-machines').textContent())
      .toMatch(/^db01 .*web01 .*web02/);
    await expect
      .poll(() => editor.getByTestId('plan-warnings').textContent())
      .toContain('web01 is in ring "pilot" and in ring "office"; it is patched once, in "pilot".');
    // The batches' options and thresholds: the same fields as the rollout wizard's.
    const options = editor.getByTestId('plan-options');
    await options.getByRole('radio', { name: 'Never reboot' }).check();
    await options.getByRole('radio', { name: 'Failed machines' }).check();
    await options.getByLabel('Stop after this many failed machines').fill('0');
    await expect
      .poll(() => options.locator('.field-error').first().textContent())
      .toBe('Enter a number of hosts, 1 or more.');
    await options.getByLabel('Stop after this many failed machines').fill('3');
    await rings.nth(1).getByRole('radio', { name: 'Percent failed' }).check();
    await rings.nth(1).getByLabel('Stop after this percent failed').fill('25');
    // A pre-script: the preview says when and how it runs, and the sha256 the audit log will name it by.
    await editor.getByLabel("Before each host's install (as root)").fill('systemctl stop shop\n');
    const sha = createHash('sha256').update('systemctl stop shop\n').digest('hex').slice(0, 12);
    await expect
      .poll(() => editor.locator('.field-hint', { hasText: 'before anything is installed' }).textContent())
      .toBe(
        'Runs on each host after its pre-flight checks, before anything is installed, as root, within the host ' +
          `time limit (60 min); if it fails, the host fails. The audit log records it as sha256 ${sha}…`,
      );
    await screenshot(page, '90-plans-editor');

    await editor.getByRole('button', { name: 'Save plan' }).click();
    await expect.poll(() => page.getByTestId('plan-row').count()).toBe(1);
    const row = page.getByTestId('plan-row');
    expect(await row.getByTestId('plan-next').textContent()).toBe(describeNextRuns(schedule, Date.now(), 1));
    expect(await row.textContent()).toContain('second Tuesday of the month + 2 days, 22:00 Europe/Berlin');
    expect(await row.textContent()).toContain('pilot → office');
    // The box follows the stored flag, so it changes once the core answered.
    await row.getByLabel('Enable Patch night').click();
    await expect.poll(() => row.textContent()).toContain('Enabled');
    // The enabled plan's runs in the next 30 days appear on the calendar (one or none: monthly).
    const runs = await page.getByTestId('cal-run').count();
    expect(runs).toBeLessThanOrEqual(1);
    // Per client: Acme's window and the runs touching its machines; Globex's machine has no window at all.
    const sections = page.getByTestId('cal-section');
    await expect
      .poll(() => sections.locator('.cal-section-title').allTextContents())
      .toEqual(['Acme', 'Globex']);
    expect(await sections.nth(0).getByTestId('cal-window-row').textContent()).toBe('Whole client');
    expect(await sections.nth(0).getByTestId('cal-client-run').count()).toBe(runs);
    expect(await sections.nth(1).getByTestId('cal-unrestricted-row').textContent()).toBe(
      'No window: never restricted',
    );
    await screenshot(page, '91-plans-list-calendar');
  });

  it('edits the plan and keeps its rings and gate', async () => {
    await page.getByTestId('plan-row').getByRole('button', { name: 'Edit' }).click();
    const editor = page.getByTestId('plan-editor');
    const rings = editor.getByTestId('ring-fields');
    expect(await rings.count()).toBe(2);
    expect(await rings.nth(0).getByLabel('Gate: soak (min)').inputValue()).toBe('1440');
    const options = editor.getByTestId('plan-options');
    expect(await options.getByRole('radio', { name: 'Never reboot' }).isChecked()).toBe(true);
    expect(await options.getByLabel('Stop after this many failed machines').inputValue()).toBe('3');
    expect(await rings.nth(1).getByLabel('Stop after this percent failed').inputValue()).toBe('25');
    expect(await rings.nth(0).getByRole('radio', { name: 'None' }).isChecked()).toBe(true);
    await editor.getByLabel('Schedule', { exact: true }).selectOption('cron');
    await editor.getByLabel('Cron expression').fill('0 2 * * 6');
    await expect.poll(() => editor.getByTestId('plan-next-runs').textContent()).toMatch(/^next: Sat /);
    await editor.getByRole('button', { name: 'Save plan' }).click();
    await expect
      .poll(() => page.getByTestId('plan-row').textContent())
      .toContain('cron "0 2 * * 6" (minute hour day-of-month month day-of-week), Europe/Berlin');
    await screenshot(page, '92-plans-edited');
  });
});
