import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type HostProcess, launchChromium, screenshot, startHostProcess } from '../helpers/browser-host';
import { pendingPatch, scanFindings, SUPPORTED_EOL } from '../helpers/findings';
import { hasChromium, needs } from '../helpers/needs';
import { fileCore } from '../helpers/temp';

// Approve from the Patches page, decline with a reason, and see the reason on the machine page: the
// browser host on a real SQLite file, driven in real Chromium.
const run = needs('Chromium', hasChromium(), "install Debian's chromium (apt-get install chromium)");

describe.runIf(run)('approvals in real Chromium', () => {
  let browser: Browser;
  let host: HostProcess;
  let page: Page;
  let dataDir: string;
  let web01 = 0;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-e2e-approvals-'));
    const { core } = fileCore(dataDir);
    const ids: number[] = [];
    for (const [i, [name, client]] of [
      ['web01', 'Acme'],
      ['web02', 'Acme'],
      ['shop01', 'Globex'],
    ].entries()) {
      const m = await core.handlers['machines.create']({
        machine: {
          displayName: name ?? '',
          address: `192.0.2.${i + 20}`,
          port: 22,
          transport: 'ssh',
          username: 'root',
          credentialId: null,
          tags: [],
          client: client ?? '',
          site: '',
          notes: '',
          proxyJump: '',
        },
      });
      ids.push(m.id);
    }
    web01 = ids[0] ?? 0;
    const runId = core.repos.scans.startRun(3, Date.now());
    for (const id of ids) {
      core.repos.scans.recordSuccess(
        runId,
        id,
        scanFindings('apt', [
          pendingPatch('openssl', '3.0.13-1~deb12u1', '3.0.15-1~deb12u1', {
            security: true,
            securityVersion: '3.0.14-1~deb12u2',
          }),
          pendingPatch('curl', '7.88.1-10+deb12u7', '7.88.1-10+deb12u8', { security: true }),
          pendingPatch('tzdata', '2024a-0+deb12u1', '2024b-0+deb12u1'),
        ]),
        SUPPORTED_EOL,
        1000,
        Date.now(),
      );
    }
    core.repos.scans.finishRun(runId, 'done', Date.now());
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
    page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => {
      throw err;
    });
    await page.goto(host.url + route);
  }
  const fleetRow = (name: string) => page.locator(`[data-testid="fleet-patch-row"][data-name="${name}"]`);

  it('approves a patch everywhere from the Patches page', async () => {
    await open('#/patches');
    await expect.poll(() => fleetRow('openssl').count()).toBe(1);
    expect(await fleetRow('openssl').getByTestId('fleet-decision').textContent()).toBe('Not reviewed');
    await fleetRow('openssl').getByRole('button', { name: 'Approve openssl' }).click();
    const dialog = page.getByTestId('decide-dialog');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await page.getByTestId('decide-scope').inputValue()).toBe('all');
    await page.getByTestId('decide-note').fill('CAB-42');
    await screenshot(page, '60-approve-dialog');
    await dialog.getByRole('button', { name: 'Approve', exact: true }).click();
    await expect
      .poll(() => fleetRow('openssl').getByTestId('fleet-decision').textContent())
      .toMatch(/Approved\s*everywhere/);
    await screenshot(page, '61-patches-approved');
  });

  it('declines a patch for one client with a reason, and refuses a decline without one', async () => {
    await open('#/patches');
    await expect.poll(() => fleetRow('curl').count()).toBe(1);
    await fleetRow('curl').getByRole('button', { name: 'Decline curl' }).click();
    const dialog = page.getByTestId('decide-dialog');
    await page.getByTestId('decide-scope').selectOption('client:Acme');
    await dialog.getByRole('button', { name: 'Decline', exact: true }).click();
    await expect.poll(() => dialog.textContent()).toMatch(/Say why it is declined/);
    await page.getByTestId('decide-reason').fill('curl 8 regression breaks the payment gateway');
    await screenshot(page, '62-decline-dialog');
    await dialog.getByRole('button', { name: 'Decline', exact: true }).click();
    await expect
      .poll(() => fleetRow('curl').getByTestId('fleet-decision').textContent())
      .toMatch(/Declined\s*curl 8 regression breaks the payment gateway\s*\(Acme\)/);
    await screenshot(page, '63-patches-declined');
  });

  it('shows the decline and its reason on the machine page, and the approval by version', async () => {
    await open(`#/machines/${web01}`);
    const row = (name: string) => page.locator(`[data-testid="patch-row"][data-name="${name}"]`);
    await expect.poll(() => row('curl').count()).toBe(1);
    expect(await row('curl').getByTestId('declined-reason').textContent()).toBe(
      'curl 8 regression breaks the payment gateway',
    );
    expect(await row('openssl').getByTestId('patch-decision').textContent()).toMatch(
      /Approved\s*3\.0\.15-1~deb12u1 · everywhere/,
    );
    expect(await row('tzdata').getByTestId('patch-decision').textContent()).toBe('Not reviewed');
    await screenshot(page, '64-machine-page-decisions');
  });

  it('lists the decisions in the audit log in Settings and verifies the chain', async () => {
    await open('#/settings');
    const table = page.getByTestId('audit-table');
    // The two decisions, after the three machines the fixture added (each recorded as it was created).
    await expect.poll(() => table.locator('tbody tr').count()).toBe(5);
    expect(await table.textContent()).toMatch(/decision\.declined.*curl.*client Acme/);
    expect(await table.locator('tbody tr').last().textContent()).toMatch(/machine\.created/);
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await expect.poll(() => page.getByTestId('audit-check').textContent()).toBe('Intact: 5 entries');
    await page.getByTestId('operator-name').fill('Dana');
    await page
      .locator('section', { has: page.getByTestId('operator-name') })
      .getByRole('button', { name: 'Save' })
      .click();
    await expect.poll(() => table.locator('tbody tr').count()).toBe(6);
    expect(await table.locator('tbody tr').first().textContent()).toMatch(/settings\.operator.*set to Dana/);
    await screenshot(page, '65-settings-audit');
  });
});
