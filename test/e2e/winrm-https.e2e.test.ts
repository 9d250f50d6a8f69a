/**
 * WinRM over HTTPS in real Chromium against the browser host: the machine dialog's HTTP/HTTPS choice (port
 * following it, "Kerberos is not supported" said plainly, Basic only with HTTPS), and a pinned certificate
 * listed in Settings beside the host keys.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { seenCertificate } from '../../electron/winrm/cert-pin';
import { type HostProcess, launchChromium, screenshot, startHostProcess } from '../helpers/browser-host';
import { hasChromium, needs } from '../helpers/needs';
import { hasOpenssl, makeCertificate } from '../winrm-sim/certificate';

const run =
  needs('Chromium', hasChromium(), "install Debian's chromium (apt-get install chromium)") &&
  needs('the openssl CLI (makes test certificates)', hasOpenssl(), 'apt-get install openssl');

describe.runIf(run)('WinRM over HTTPS in the machine dialog and Settings (real Chromium)', () => {
  let browser: Browser;
  let host: HostProcess;
  let page: Page;
  let dataDir: string;

  beforeAll(async () => {
    browser = await launchChromium();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-e2e-'));
    host = await startHostProcess(dataDir);
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => {
      throw err;
    });
    await page.goto(host.url);
  });
  afterAll(async () => {
    await host?.stop();
    await browser?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });

  it('adds a WinRM HTTPS machine with Basic; the port follows the choice; Kerberos is said to be unsupported', async () => {
    await nav('Machines').click();
    await page.getByRole('button', { name: 'Add machine' }).click();
    const dialog = page.getByTestId('machine-dialog');
    await dialog.getByLabel('Address').fill('192.0.2.50');
    await dialog.getByLabel('Username').fill('Technician');
    await dialog.getByLabel('Transport', { exact: true }).selectOption('winrm');
    expect(await dialog.getByLabel('Port', { exact: true }).inputValue()).toBe('5985');
    expect(await dialog.getByTestId('winrm-choices').textContent()).toContain('Kerberos is not supported.');
    expect(await dialog.getByText(/Use Basic authentication/).count()).toBe(0);
    await dialog.getByLabel('Transport', { exact: true }).selectOption('winrm-https');
    expect(await dialog.getByLabel('Port', { exact: true }).inputValue()).toBe('5986');
    await dialog.getByText(/Use Basic authentication/).click();
    await screenshot(page, 'winrm-https-machine-dialog');
    await dialog.getByRole('button', { name: 'Add machine' }).click();
    await expect.poll(() => page.getByTestId('machine-row').count()).toBe(1);

    const db = new Database(path.join(dataDir, 'patchbay.db'), { readonly: true });
    try {
      expect(db.prepare('SELECT port, transport, winrm_https, winrm_basic FROM machines').all()).toEqual([
        { port: 5986, transport: 'winrm', winrm_https: 1, winrm_basic: 1 },
      ]);
    } finally {
      db.close();
    }
  });

  it('lists a pinned certificate in Settings as an HTTPS certificate with its SHA-256', async () => {
    const cert = seenCertificate(makeCertificate('WIN10-01').der);
    const db = new Database(path.join(dataDir, 'patchbay.db'));
    try {
      db.prepare(
        `INSERT INTO host_keys (address, port, key_type, key, fingerprint, trusted_at, source)
         VALUES ('192.0.2.50', 5986, ?, ?, ?, 1, 'user')`,
      ).run(cert.keyType, cert.key, cert.fingerprint);
    } finally {
      db.close();
    }
    await nav('Settings').click();
    const row = page.locator('[data-testid="host-key-row"][data-key-type="x509-sha256"]');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain('HTTPS certificate (WinRM)');
    expect(await row.textContent()).toContain(cert.fingerprint);
    await page.getByRole('heading', { name: 'Host keys' }).scrollIntoViewIfNeeded();
    await screenshot(page, 'winrm-https-settings-pin');
  });
});
