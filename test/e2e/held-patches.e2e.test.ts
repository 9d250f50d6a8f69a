import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { PackageManagerId, PendingPatch, ScanFindings } from '../../electron/platforms/types';
import { type HostProcess, launchChromium, screenshot, startHostProcess } from '../helpers/browser-host';
import { pendingPatch, scanFindings, SUPPORTED_EOL } from '../helpers/findings';
import { hasChromium, needs } from '../helpers/needs';
import { fileCore } from '../helpers/temp';

// Held updates and security fixes behind a newer candidate, stored through the scans repo on a real SQLite
// file (as a scan stores them), then shown by the browser host in real Chromium.
const run = needs('Chromium', hasChromium(), "install Debian's chromium (apt-get install chromium)");

const patch = pendingPatch;
const findings = (pm: PackageManagerId, patches: PendingPatch[]): ScanFindings =>
  scanFindings(
    pm,
    patches,
    pm === 'apt' ? {} : { osId: 'rocky', prettyName: 'Rocky Linux 9.4', versionId: '9.4', codename: '' },
  );
const eol = SUPPORTED_EOL;

describe.runIf(run)('held patches and security versions in real Chromium', () => {
  let browser: Browser;
  let host: HostProcess;
  let page: Page;
  let dataDir: string;
  let web01 = 0;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-e2e-held-'));
    const { core } = fileCore(dataDir);
    const ids: number[] = [];
    for (const [i, name] of ['web01', 'web02', 'rocky01'].entries()) {
      const m = await core.handlers['machines.create']({
        machine: {
          displayName: name,
          address: `192.0.2.${i + 10}`,
          port: 22,
          transport: 'ssh',
          username: 'root',
          credentialId: null,
          tags: [],
          client: 'Acme',
          site: '',
          notes: '',
          proxyJump: '',
        },
      });
      ids.push(m.id);
    }
    web01 = ids[0] ?? 0;
    const scans = core.repos.scans;
    const runId = scans.startRun(3, Date.now());
    const openssl = (held: boolean) =>
      patch('openssl', '3.0.13-1~deb12u1', '3.0.15-1~deb12u1', {
        security: true,
        securityVersion: '3.0.14-1~deb12u2',
        held,
        cves: ['CVE-2024-5535'],
      });
    scans.recordSuccess(
      runId,
      ids[0] ?? 0,
      findings('apt', [
        openssl(true),
        patch('curl', '7.88.1-10+deb12u7', '7.88.1-10+deb12u8', { security: true }),
        patch('tzdata', '2024a-0+deb12u1', '2024b-0+deb12u1', { held: true }),
      ]),
      eol,
      1000,
      Date.now(),
    );
    scans.recordSuccess(runId, ids[1] ?? 0, findings('apt', [openssl(false)]), eol, 1000, Date.now());
    scans.recordSuccess(
      runId,
      ids[2] ?? 0,
      findings('dnf', [
        patch('openssl', '1:3.0.7-27.el9', '1:3.0.7-28.el9_4', { arch: 'x86_64', security: true }),
      ]),
      eol,
      1000,
      Date.now(),
    );
    scans.finishRun(runId, 'done', Date.now());
    await core.close();
    browser = await launchChromium();
    host = await startHostProcess(dataDir);
  });
  afterAll(async () => {
    await host?.stop();
    await browser?.close();
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

  it('shows a held security fix above all, with its security version beside the candidate', async () => {
    await open(`#/machines/${web01}`);
    const banner = page.getByTestId('held-security-banner');
    await expect.poll(() => banner.textContent()).toMatch(/security fix is held back.*openssl/);
    expect(await page.getByTestId('missing-count').textContent()).toMatch(
      /^1 \(1 security\) · 2 held \(1 security\)$/,
    );
    const rows = page.getByTestId('patch-row');
    // The held security fix sorts first; the held non-security one is marked held, not dropped.
    expect(await rows.first().getAttribute('data-name')).toBe('openssl');
    const openssl = page.locator('[data-testid="patch-row"][data-name="openssl"]');
    expect(await openssl.textContent()).toMatch(/security fix 3\.0\.14-1~deb12u2, newest 3\.0\.15-1~deb12u1/);
    expect(await openssl.textContent()).toMatch(/Security fix held back/);
    const tzdata = page.locator('[data-testid="patch-row"][data-name="tzdata"]');
    expect(await tzdata.getAttribute('data-held')).toBe('true');
    expect(await tzdata.textContent()).toMatch(/Held/);
    await screenshot(page, '50-machine-page-held-security');
  });

  it('lists apt and rpm openssl apart, each with its package manager and held count', async () => {
    await open('#/patches');
    const apt = page.locator(
      '[data-testid="fleet-patch-row"][data-name="openssl"][data-package-manager="apt"]',
    );
    const dnf = page.locator(
      '[data-testid="fleet-patch-row"][data-name="openssl"][data-package-manager="dnf"]',
    );
    await expect.poll(() => apt.count()).toBe(1);
    expect(await apt.textContent()).toMatch(/held on 1 machine/);
    expect(await apt.textContent()).toMatch(/security fix 3\.0\.14-1~deb12u2, newest 3\.0\.15-1~deb12u1/);
    expect(await dnf.textContent()).toMatch(/1:3\.0\.7-28\.el9_4/);
    expect(await dnf.textContent()).not.toMatch(/held on/);
    await screenshot(page, '51-patches-held');
  });

  it('counts held updates apart in the Machines table, its Security column filled', async () => {
    await open('#/machines');
    const row = page.getByRole('row').filter({ hasText: 'web01' });
    await expect.poll(() => row.count()).toBe(1);
    const cells = await row.getByRole('gridcell').allTextContents();
    const header = await page.getByRole('columnheader').allTextContents();
    const at = (label: string) => cells[header.findIndex((h) => h.startsWith(label))]?.trim();
    expect(at('Missing')).toBe('1');
    expect(at('Security')).toBe('1');
    expect(at('Held')).toBe('2!');
    expect(await row.getByTitle(/2 updates held back on the host, 1 of them security/).count()).toBe(1);
    await screenshot(page, '52-machines-held');
  });
});
