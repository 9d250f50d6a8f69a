import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type HostProcess, launchChromium, screenshot, startHostProcess } from '../helpers/browser-host';
import { hasChromium, needs } from '../helpers/needs';

const run = needs('Chromium', hasChromium(), "install Debian's chromium (apt-get install chromium)");

const SSH_CONFIG = `Host *
  ServerAliveInterval 30

Host mail
  HostName 192.0.2.40
  User admin

Host files backup
  HostName nas.example.com
  User root
  Port 2222

Host bad
  HostName not a host
  User root

Host jump-*
  User jump
`;

const CSV = `name,address,port,user,tags,client,site
web01,192.0.2.11,22,deploy,"prod web",Acme,HQ
web02,192.0.2.12,22,deploy,"prod web",Acme,Branch
db01,192.0.2.13,99999,postgres,"prod db",Acme,HQ
laptop,not;valid,22,anna,office,Globex,
`;

describe.runIf(run)('the inventory in real Chromium against the browser host', () => {
  let browser: Browser;
  let host: HostProcess;
  let page: Page;
  let dataDir: string;
  const files: string[] = [];
  // Everything any page printed on its console, checked for CSP complaints at the end.
  const consoleLines: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await host?.stop();
    await browser?.close();
    for (const f of files) fs.rmSync(f, { force: true });
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });

  async function open(route = '') {
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => {
      throw err;
    });
    page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    return page.goto(host.url + route);
  }

  async function importText(fileName: string, text: string) {
    const file = path.join(dataDir, fileName);
    fs.writeFileSync(file, text);
    files.push(file);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const dialog = page.getByTestId('import-dialog');
    await dialog.getByLabel('File').setInputFiles(file);
    await dialog.getByRole('button', { name: 'Next' }).click();
    // CSV has a column-mapping step before the preview.
    if (fileName.endsWith('.csv')) await dialog.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => dialog.getByTestId('import-preview-row').count()).toBeGreaterThan(0);
    return dialog;
  }

  it('shows the empty dashboard with a way to start', async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-e2e-'));
    host = await startHostProcess(dataDir);
    const response = await open();
    // frame-ancestors works only as a header: the host sends it there, the page's meta tag must not.
    expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Dashboard');
    await expect
      .poll(() =>
        page
          .getByText(/import/i)
          .first()
          .isVisible(),
      )
      .toBe(true);
    await screenshot(page, '01-dashboard-empty');
  });

  it('adds a machine, with inline validation first', async () => {
    await nav('Machines').click();
    await page.getByRole('button', { name: 'Add machine' }).click();
    const dialog = page.getByTestId('machine-dialog');
    await dialog.getByLabel('Display name').fill('router');
    await dialog.getByLabel('Address').fill('192.0.2.300');
    await dialog.getByLabel('Username').fill('admin');
    await expect.poll(() => dialog.getByText(/not a valid IPv4/).isVisible()).toBe(true);
    expect(await dialog.getByRole('button', { name: 'Add machine' }).isDisabled()).toBe(true);
    await screenshot(page, '02-add-machine-invalid');
    await dialog.getByLabel('Address').fill('192.0.2.1');
    await dialog.getByLabel('Tags').fill('network office');
    await dialog.getByRole('button', { name: 'Add machine' }).click();
    await expect.poll(() => page.getByTestId('machine-row').count()).toBe(1);
    expect(await page.getByTestId('machine-row').first().textContent()).toContain('router');
  });

  it('imports an ssh_config: previews bad rows and wildcards, writes only on commit', async () => {
    const dialog = await importText('config', SSH_CONFIG);
    const statuses = await dialog
      .getByTestId('import-preview-row')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));
    // `files` and `backup` are one endpoint: the second is a duplicate within the file.
    expect(statuses.sort()).toEqual(['duplicate', 'error', 'ok', 'ok']);
    expect(await dialog.getByTestId('import-counts').textContent()).toMatch(/skipped/i);
    await screenshot(page, '03-import-ssh-config-preview');
    // Nothing is written until the import is confirmed.
    expect(await page.getByTestId('machine-count').getAttribute('data-total')).toBe('1');
    await dialog.getByRole('button', { name: /^Import 2 machines$/ }).click();
    await expect.poll(() => dialog.getByTestId('import-result').textContent()).toMatch(/2/);
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => page.getByTestId('machine-count').getAttribute('data-total')).toBe('3');
  });

  it('imports a CSV with bad rows, mapping headers, and merges a duplicate', async () => {
    const dialog = await importText('hosts.csv', CSV + 'mail again,192.0.2.40,22,admin,extra,,\n');
    const rows = dialog.getByTestId('import-preview-row');
    await expect.poll(() => rows.count()).toBe(5);
    const statuses = await rows.evaluateAll((r) => r.map((x) => x.getAttribute('data-status')));
    expect(statuses).toEqual(['ok', 'ok', 'error', 'error', 'duplicate']);
    await dialog.getByText('Merge into existing').click();
    await screenshot(page, '04-import-csv-preview');
    await dialog.getByRole('button', { name: /^Import \d+ machines?$/ }).click();
    await expect.poll(() => dialog.getByTestId('import-result').textContent()).toMatch(/merged/i);
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => page.getByTestId('machine-count').getAttribute('data-total')).toBe('5');
  });

  it('filters by search and by tag', async () => {
    await page.getByRole('searchbox', { name: 'Search machines' }).fill('web');
    await expect.poll(() => page.getByTestId('machine-row').count()).toBe(2);
    await page.getByRole('searchbox', { name: 'Search machines' }).fill('');
    await expect.poll(() => page.getByTestId('machine-row').count()).toBe(5);
    await page.getByRole('button', { name: /^Tag/ }).click();
    await page.getByRole('group', { name: 'Tag filter' }).getByRole('checkbox', { name: 'extra' }).check();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('machine-row').count()).toBe(1);
    expect(await page.getByTestId('machine-row').first().textContent()).toContain('mail');
    await screenshot(page, '05-machines-filtered');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => page.getByTestId('machine-row').count()).toBe(5);
  });

  it("edits a machine, and shows the core's refusal of a duplicate endpoint on the field", async () => {
    await page.getByTestId('machine-row').filter({ hasText: 'web02' }).dblclick();
    const dialog = page.getByTestId('machine-dialog');
    await dialog.getByLabel('Address').fill('192.0.2.11');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => dialog.getByText(/already used by web01/).isVisible()).toBe(true);
    await dialog.getByLabel('Address').fill('192.0.2.112');
    await dialog.getByLabel('Client').fill('Initech');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    const row = page.getByTestId('machine-row').filter({ hasText: 'web02' });
    await expect.poll(() => row.textContent()).toMatch(/192\.0\.2\.112.*Initech/);
  });

  it('tags several machines at once and deletes with confirmation', async () => {
    await page.getByRole('checkbox', { name: 'Select web01' }).check();
    await page.getByRole('checkbox', { name: 'Select web02' }).check();
    await page.getByRole('button', { name: 'Edit tags' }).click();
    const tags = page.getByTestId('edit-tags-dialog');
    await tags.getByLabel('Add tags').fill('patch-tuesday');
    await tags.getByRole('button', { name: 'Apply to 2 machines' }).click();
    await expect
      .poll(() => page.getByTestId('machine-row').filter({ hasText: 'patch-tuesday' }).count())
      .toBe(2);
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    const confirm = page.getByTestId('delete-dialog');
    expect(await confirm.textContent()).toMatch(/web01/);
    await screenshot(page, '06-delete-confirm');
    await confirm.getByRole('button', { name: 'Delete 2 machines' }).click();
    await expect.poll(() => page.getByTestId('machine-count').getAttribute('data-total')).toBe('3');
  });

  it('keeps everything after the host restarts', async () => {
    await page.close();
    await host.stop();
    host = await startHostProcess(dataDir);
    await open('#/machines');
    await expect.poll(() => page.getByTestId('machine-count').getAttribute('data-total')).toBe('3');
    const names = await page
      .getByTestId('machine-row')
      .evaluateAll((r) => r.map((x) => x.querySelector('[role="gridcell"], [role="cell"]') && x.textContent));
    expect(names.join(' ')).toMatch(/router/);
    expect(names.join(' ')).toMatch(/mail/);
    await screenshot(page, '07-machines-after-restart');
    await nav('Dashboard').click();
    await expect.poll(() => page.getByText('Not scanned yet').isVisible()).toBe(true);
    await screenshot(page, '08-dashboard');
  });

  it('adds a credential without ever showing its secret again', async () => {
    await nav('Settings').click();
    await page.getByRole('button', { name: 'Add credential' }).click();
    const dialog = page.getByTestId('credential-dialog');
    await dialog.getByLabel('Name').fill('office root');
    await dialog.getByLabel('Kind').selectOption('ssh-password');
    await dialog.getByLabel('Password', { exact: true }).fill('e2e-Secret-Password-77');
    await dialog.getByRole('button', { name: 'Add credential' }).click();
    await expect.poll(() => page.getByTestId('credential-row').count()).toBe(1);
    expect(await page.content()).not.toContain('e2e-Secret-Password-77');
    await screenshot(page, '09-settings');
  });

  it('shows the other areas with what will appear there', async () => {
    for (const [link, shot] of [
      ['Patches', '10-patches'],
      ['Rollouts', '11-rollouts'],
      ['Reports', '12-reports'],
    ] as const) {
      await nav(link).click();
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(link);
      expect(await page.locator('main').textContent()).not.toMatch(/TODO/i);
      // No rollout yet: the page says what a rollout does and offers to start one (rollout.e2e covers the rest).
      if (link === 'Rollouts') {
        await expect.poll(() => page.locator('main').textContent()).toMatch(/No rollouts yet/);
        expect(await page.locator('main').textContent()).toMatch(/review each machine/i);
        expect(await page.getByTestId('new-rollout').count()).toBeGreaterThan(0);
      }
      await screenshot(page, shot);
    }
  });

  it('in the dark theme too', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await nav('Machines').click();
    await expect.poll(() => page.getByTestId('machine-row').count()).toBe(3);
    await screenshot(page, '13-machines-dark');
  });

  it('refuses a page opened without the token', async () => {
    const other = await browser.newPage();
    await other.goto(`http://127.0.0.1:${host.port}/`);
    await expect.poll(() => other.getByTestId('token-required').isVisible()).toBe(true);
    await screenshot(other, '14-token-required');
    await other.close();
  });

  it('loads every page without a Content-Security-Policy complaint on the console', () => {
    // Chromium logs an error on every load when the <meta> CSP carries frame-ancestors, which it ignores.
    expect(consoleLines.filter((l) => /content security policy|frame-ancestors/i.test(l))).toEqual([]);
  });
});
