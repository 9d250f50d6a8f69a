import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type HostProcess, launchChromium, screenshot, startHostProcess } from '../helpers/browser-host';
import { pendingPatch, scanFindings, SUPPORTED_EOL } from '../helpers/findings';
import { sshMachine } from '../helpers/inventory';
import { hasChromium, needs } from '../helpers/needs';
import { fileCore } from '../helpers/temp';

// Create an auto-approval rule on the Patches page, try it first, save it, and see the patch become
// approved with the rule named: the browser host on a real SQLite file, driven in real Chromium.
const run = needs('Chromium', hasChromium(), "install Debian's chromium (apt-get install chromium)");

describe.runIf(run)('auto-approval rules in real Chromium', () => {
  let browser: Browser;
  let host: HostProcess;
  let page: Page;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-e2e-rules-'));
    const { core } = fileCore(dataDir);
    const runId = core.repos.scans.startRun(2, Date.now());
    for (const [i, [name, tags]] of [
      ['pilot01', ['pilot']],
      ['office01', []],
    ].entries()) {
      const m = await core.handlers['machines.create']({
        machine: sshMachine(String(name), `192.0.2.${i + 40}`, { tags: tags as string[] }),
      });
      core.repos.scans.recordSuccess(
        runId,
        m.id,
        scanFindings('apt', [
          pendingPatch('openssl', '3.0.13-1~deb12u1', '3.0.15-1~deb12u1', { security: true }),
          pendingPatch('tzdata', '2024a-0+deb12u1', '2024b-0+deb12u1'),
        ]),
        SUPPORTED_EOL,
        1000,
        Date.now(),
      );
    }
    core.repos.scans.finishRun(runId, 'done', Date.now());
    await core.handlers['groups.save']({ name: 'Pilot', filter: { tags: ['pilot'] } });
    await core.close();
    browser = await launchChromium();
    host = await startHostProcess(dataDir);
  });
  afterAll(async () => {
    await host?.stop();
    await browser?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('tries a rule, saves it, and the patch shows as approved by the rule', async () => {
    page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => {
      throw err;
    });
    await page.goto(host.url + '#/patches');
    const fleetRow = (name: string) => page.locator(`[data-testid="fleet-patch-row"][data-name="${name}"]`);
    await expect.poll(() => fleetRow('openssl').count()).toBe(1);
    expect(await fleetRow('openssl').getByTestId('fleet-decision').textContent()).toBe('Not reviewed');
    expect(await page.getByTestId('rules-empty').textContent()).toMatch(/No rules yet/);

    await page.getByTestId('rule-new').click();
    const form = page.getByTestId('rule-form');
    // Saving without a name says so and stores nothing.
    await page.getByTestId('rule-save').click();
    await expect.poll(() => form.getByRole('alert').textContent()).toBe('Give the rule a name.');
    await page.getByTestId('rule-name').fill('Security fixes: pilot at once');
    await expect.poll(() => page.getByTestId('rule-where').locator('option').count()).toBeGreaterThan(1);
    await page.getByTestId('rule-where').selectOption({ label: 'Group Pilot' });
    // A pattern with characters a package name cannot hold is refused in words.
    await page.getByTestId('rule-pattern').fill('openssl;reboot');
    await page.getByTestId('rule-try').click();
    await expect.poll(() => form.getByRole('alert').textContent()).toMatch(/wildcards \* and \? only/);
    await page.getByTestId('rule-pattern').fill('openssl*');
    await page.getByTestId('rule-try').click();
    await expect
      .poll(() => page.getByTestId('rule-result').textContent())
      .toMatch(/openssl 3\.0\.15-1~deb12u1 \(apt\) for group Pilot, on pilot01$/);
    // The dry run wrote nothing.
    expect(await fleetRow('openssl').getByTestId('fleet-decision').textContent()).toBe('Not reviewed');
    await screenshot(page, '90-rules-try');

    await page.getByTestId('rule-save').click();
    const row = page.locator('[data-testid="rule-row"][data-name="Security fixes: pilot at once"]');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toMatch(/security fixes, named openssl\*\s*group Pilot\s*at once\s*1/);
    await expect
      .poll(() => fleetRow('openssl').getByTestId('fleet-decision').textContent())
      .toMatch(/Approved\s*Pilot · by rule "Security fixes: pilot at once"/);
    expect(await fleetRow('tzdata').getByTestId('fleet-decision').textContent()).toBe('Not reviewed');
    await screenshot(page, '91-rules-approved');
  });

  it('lists the approval in the audit log under the rule’s name', async () => {
    await page.goto(host.url + '#/settings');
    const table = page.getByTestId('audit-table');
    await expect.poll(() => table.textContent()).toMatch(/rule "Security fixes: pilot at once"/);
    expect(await table.locator('tbody tr').first().textContent()).toMatch(
      /rule "Security fixes: pilot at once".*decision\.approved.*openssl 3\.0\.15-1~deb12u1 \(group Pilot\)/,
    );
  });
});
