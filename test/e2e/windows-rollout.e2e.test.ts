/**
 * Windows end to end in real Chromium (issue 10): add a Windows 10 machine over WinRM HTTPS in the machine
 * dialog, scan, trust its certificate when the scan stops at it (fingerprint shown), see its updates (KB,
 * classification, severity) on the machine page and the Patches page, approve the security ones, create a
 * rollout in the wizard, review (Windows Update has no dry run: the updates are listed), start, watch it
 * install and restart live, and see it verified. The simulated Windows (test/winrm-sim: NTLMv2, sealed
 * bodies inside TLS, Task Scheduler, restarts that refuse connections) counts each update installed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { certificateFingerprint } from '../../electron/winrm/certificate';
import { type HostProcess, launchChromium, screenshot, startHostProcess } from '../helpers/browser-host';
import { hasChromium, needs } from '../helpers/needs';
import { fileCore } from '../helpers/temp';
import { hasOpenssl, type MadeCertificate, makeCertificate } from '../winrm-sim/certificate';
import { ScriptedExecutor } from '../winrm-sim/executor';
import { WinrmSimulator } from '../winrm-sim/server';
import { SimWindows } from '../winrm-sim/windows-host';
import { WIN10_22H2 } from '../winrm-sim/wua-profiles';

const run =
  needs('Chromium', hasChromium(), "install Debian's chromium (apt-get install chromium)") &&
  needs('the openssl CLI (makes test certificates)', hasOpenssl(), 'apt-get install openssl');

const PASSWORD = 'Pässword-123';
const SLOW = { timeout: 120_000, interval: 100 };
/** The profile's one security update (MSRC Critical); the others are a definition update, a rollup, a driver. */
const SECURITY_KB = 'KB5048652';
const securityUpdate = WIN10_22H2.updates.find((u) => u.KBArticleIDs.includes(SECURITY_KB.slice(2)));

describe.runIf(run)(
  'a Windows rollout from the UI over WinRM HTTPS (real Chromium, simulated Windows)',
  () => {
    let browser: Browser;
    let host: HostProcess;
    let page: Page;
    let dataDir: string;
    let sim: WinrmSimulator;
    let win: SimWindows;
    let cert: MadeCertificate;
    /** Host states the rollout page showed, in order, sampled while it ran. */
    const seen: string[] = [];

    beforeAll(async () => {
      cert = makeCertificate('WIN10-01');
      const ex = new ScriptedExecutor({ clixml: true });
      sim = new WinrmSimulator({
        users: { technician: PASSWORD },
        executor: ex.execute,
        tls: cert,
        chunkBytes: 900,
      });
      // Long enough phases that the page shows installing and the restart while they happen.
      win = new SimWindows(WIN10_22H2, { installMs: 4_000, rebootDownMs: 3_000 });
      win.attach(ex, sim);
      await sim.start();
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-e2e-windows-'));
      // The credential through the core's own handlers (the credentials UI has its own e2e).
      const { core } = fileCore(dataDir);
      await core.handlers['credentials.create']({
        credential: {
          name: 'win admin',
          kind: 'winrm-password',
          keyPath: '',
          secrets: { password: PASSWORD },
        },
      });
      await core.close();
      browser = await launchChromium();
      host = await startHostProcess(dataDir);
      page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
      page.setDefaultTimeout(20_000);
      page.on('pageerror', (err) => {
        throw err;
      });
      await page.goto(host.url);
    }, 120_000);

    afterAll(async () => {
      await host?.stop();
      await browser?.close();
      win?.dispose();
      await sim?.stop();
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    }, 60_000);

    const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });
    const hostRow = (name: string): Locator => page.getByTestId('rollout-host-row').filter({ hasText: name });
    const rolloutState = () => page.getByTestId('rollout-page').getAttribute('data-state');
    const patchRow = (name: string) => page.locator(`[data-testid="patch-row"][data-name="${name}"]`);

    async function dismissToasts() {
      const dismiss = page.getByRole('button', { name: 'Dismiss notification' });
      for (let i = 0; i < 10 && (await dismiss.count()) > 0; i++) {
        await dismiss
          .first()
          .click({ timeout: 2000 })
          .catch(() => undefined); // it may have timed out on its own meanwhile
      }
    }

    it('adds the machine over WinRM HTTPS in the machine dialog', async () => {
      await nav('Machines').click();
      await page.getByRole('button', { name: 'Add machine' }).click();
      const dialog = page.getByTestId('machine-dialog');
      await dialog.getByLabel('Display name').fill('win10');
      await dialog.getByLabel('Address').fill('127.0.0.1');
      await dialog.getByLabel('Transport', { exact: true }).selectOption('winrm-https');
      await dialog.getByLabel('Port', { exact: true }).fill(String(sim.port));
      await dialog.getByLabel('Username').fill('Technician');
      await dialog.getByLabel('Credential').selectOption({ label: 'win admin (WinRM password)' });
      await dialog.getByRole('button', { name: 'Add machine' }).click();
      await expect.poll(() => dialog.isVisible()).toBe(false);
      await expect.poll(() => page.getByTestId('machine-row').count()).toBe(1);
    });

    it('scans; the scan stops at the unknown certificate, shows its fingerprint, and trusting it rescans', async () => {
      await page.getByRole('button', { name: 'Scan 1 machine' }).click();
      await page.getByTestId('scan-popover').getByRole('button', { name: 'Start scan' }).click();
      const row = page.getByTestId('scan-host-row').filter({ hasText: 'win10' });
      await expect.poll(() => row.getAttribute('data-error-kind'), SLOW).toBe('host-key-unknown');
      // Nothing reached the machine's HTTP layer before the certificate was trusted.
      expect(sim.stats.requests).toBe(0);
      expect(await row.textContent()).toMatch(/Certificate not trusted/);
      await page.getByRole('button', { name: 'Review the certificate of win10' }).click();
      const dialog = page.getByTestId('host-key-dialog');
      expect(await dialog.getByTestId('host-key-fingerprint').textContent()).toBe(
        certificateFingerprint(cert.der),
      );
      expect(await dialog.textContent()).toContain(`127.0.0.1:${sim.port}`);
      // A certificate, said so, with how to read its SHA-256 on Windows (not ssh-keygen).
      expect(await dialog.getByRole('heading').first().textContent()).toBe(
        'Trust the HTTPS certificate of win10?',
      );
      expect(await dialog.textContent()).toContain('HTTPS certificate (WinRM)');
      expect(await dialog.textContent()).toContain('Cert:\\LocalMachine\\My');
      expect(await dialog.textContent()).not.toContain('ssh-keygen');
      await screenshot(page, '80-windows-certificate-prompt');
      await dialog.getByRole('button', { name: 'Trust and rescan' }).click();
      await expect.poll(() => dialog.isVisible()).toBe(false);
      await expect.poll(() => row.getAttribute('data-state'), SLOW).toBe('done');
      expect(await row.textContent()).toMatch(/missing, 1 security/);
      await page.getByRole('button', { name: 'Close scan panel' }).click();
      // The Machines table: the Windows edition and build in the OS column.
      const machine = page.getByTestId('machine-row').filter({ hasText: 'win10' });
      // The vendor word is left out of the narrow column; the tooltip has the full name.
      const osCell = machine.locator('[title="Microsoft Windows 10 Pro 22H2 (build 19045.5131)"]');
      await expect.poll(() => osCell.textContent()).toBe('Windows 10 Pro 22H2 (build 19045.5131)');
      await dismissToasts();
      await screenshot(page, '80-windows-machines-table');
    });

    it('shows the updates with KB, classification and severity, and approves the security one', async () => {
      await page.getByRole('link', { name: 'win10' }).click();
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('win10');
      await expect.poll(() => page.getByTestId('patch-row').count(), SLOW).toBe(4);
      // Windows words: Windows Update instead of package lists, a build number, a pending restart, updates;
      // no apt-only cards (held packages, removals by a full upgrade).
      const facts = page.getByTestId('machine-facts');
      expect(await facts.textContent()).toMatch(/Updates fromWindows Update/);
      expect(await facts.textContent()).not.toMatch(/Package lists|Kernel/);
      expect(await facts.textContent()).toMatch(/Build10\.0\.19045/);
      expect(await page.getByTestId('reboot-banner').textContent()).toMatch(/^A restart is pending/);
      expect(await page.getByRole('heading', { name: /^Missing updates/ }).count()).toBe(1);
      expect(await page.getByRole('heading', { name: 'Held packages' }).count()).toBe(0);
      expect(await page.getByRole('heading', { name: 'Removed by a full upgrade' }).count()).toBe(0);
      const table = page.getByRole('table', { name: 'Missing patches' });
      expect(await table.getByRole('columnheader').allTextContents()).toEqual(
        expect.arrayContaining(['Update', 'Update ID']),
      );
      const cu = patchRow(SECURITY_KB);
      expect(await cu.getAttribute('data-security')).toBe('true');
      expect(await cu.textContent()).toMatch(/Security Updates: .*Cumulative Update/);
      expect(await cu.textContent()).toMatch(/Security · Critical/);
      expect(await patchRow('KB2267602').textContent()).toMatch(/Definition Updates: /);
      // The superseded cumulative update is not listed as missing.
      expect(await page.getByTestId('patch-row').first().getAttribute('data-name')).toBe(SECURITY_KB);
      await page.getByRole('button', { name: 'Approve all security fixes' }).click();
      const decide = page.getByTestId('decide-dialog');
      await decide.getByRole('button', { name: 'Approve', exact: true }).click();
      await expect.poll(() => decide.isVisible()).toBe(false);
      await expect.poll(() => cu.getByTestId('patch-decision').textContent()).toMatch(/Approved/);
      expect(await patchRow('KB890830').getByTestId('patch-decision').textContent()).not.toMatch(/Approved/);
      await dismissToasts();
      await screenshot(page, '81-windows-machine-page');
    });

    it('lists the updates on the Patches page under Windows Update', async () => {
      await nav('Patches').click();
      const row = page.locator(`[data-testid="fleet-patch-row"][data-name="${SECURITY_KB}"]`);
      await expect.poll(() => row.count(), SLOW).toBe(1);
      expect(await row.getAttribute('data-package-manager')).toBe('wua');
      expect(await row.textContent()).toContain('Windows Update');
      expect(await row.getByTestId('fleet-decision').textContent()).toMatch(/Approved/);
    });

    it('creates a rollout in the wizard and reviews it: no dry run on Windows, the update listed', async () => {
      await nav('Rollouts').click();
      await page.getByTestId('new-rollout').first().click();
      const wizard = page.getByTestId('rollout-wizard');
      await wizard.getByTestId('machine-picker').getByText('win10').click();
      await wizard.getByRole('button', { name: 'Next' }).click();
      await wizard.getByLabel('All approved patches').check();
      await wizard.getByRole('button', { name: 'Next' }).click();
      await wizard.getByLabel('Name (optional)').fill('Windows December');
      await wizard.getByLabel('Reboot if required').check();
      await wizard.getByRole('button', { name: 'Create and review' }).click();
      await expect.poll(() => rolloutState()).toBe('created');
      await page.getByTestId('review-rollout').click();
      await expect.poll(() => rolloutState(), SLOW).toBe('reviewed');
      const plan = page.getByTestId('plan-host').filter({ hasText: 'win10' });
      expect(await plan.getAttribute('data-state')).toBe('reviewed');
      expect(await plan.getByTestId('plan-upgrades').locator('li').count()).toBe(1);
      expect(await plan.getByTestId('plan-upgrades').textContent()).toMatch(/^Updates to install \(1\)/);
      expect(await plan.locator('.plan-summary').textContent()).toMatch(
        /^1 to install, 658\.0 MB to download/,
      );
      expect(await plan.getByTestId('plan-upgrades').textContent()).toContain(SECURITY_KB);
      expect(await plan.textContent()).toMatch(/Windows Update has no dry run/);
      expect(await plan.locator('.plan-host-head').textContent()).toContain('Windows Update');
      // Reviewing searched Windows Update again and installed nothing.
      expect(win.installRuns).toBe(0);
      await dismissToasts();
      await screenshot(page, '82-windows-rollout-review');
    });

    it('starts; the page shows the install and the restart live, then the host verified', async () => {
      const bootBefore = win.bootTime;
      await page.getByTestId('start-rollout').click();
      // Sample the host's state as the page shows it until the rollout ends.
      for (const end = Date.now() + 150_000; Date.now() < end;) {
        const s =
          (await hostRow('win10')
            .getAttribute('data-state')
            .catch(() => null)) ?? '';
        if (s && seen[seen.length - 1] !== s) seen.push(s);
        if ((await rolloutState()) === 'finished') break;
        await page.waitForTimeout(100);
      }
      expect(await rolloutState()).toBe('finished');
      expect(seen).toContain('installing');
      expect(seen).toContain('rebooting');
      expect(seen.indexOf('installing')).toBeLessThan(seen.indexOf('rebooting'));
      expect(seen[seen.length - 1]).toBe('succeeded');
      await expect
        .poll(() => hostRow('win10').getByTestId('host-verified').textContent(), SLOW)
        .toBe(`1 of 1 installed (${SECURITY_KB}); restarted (new boot time)`);
      // On the machine: one SYSTEM task run, the approved update installed exactly once, nothing else; one
      // restart with a new boot time; no task or op folder left behind.
      expect(win.installRuns).toBe(1);
      expect(securityUpdate).toBeDefined();
      expect([...win.installed]).toEqual([[securityUpdate!.Identity.UpdateID.toLowerCase(), 1]]);
      expect(win.accessDenied).toBe(0);
      expect(win.restarts).toBe(1);
      expect(win.bootTime).not.toBe(bootBefore);
      expect(win.tasks.size).toBe(0);
      expect(win.ops.size).toBe(0);
      await dismissToasts();
      await screenshot(page, '83-windows-rollout-finished');
    }, 240_000);
  },
);
