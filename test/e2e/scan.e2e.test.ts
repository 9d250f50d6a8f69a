import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type HostProcess, launchChromium, screenshot, startHostProcess } from '../helpers/browser-host';
import { hasChromium, needs } from '../helpers/needs';
import type { Archive } from '../targets/apt-archive';
import { startArchive } from '../targets/apt-archive';
import type { Target } from '../targets/hosts';
import { rotateHostKey, startTargets, stopAll } from '../targets/hosts';

// Scanning from the UI against real Debian hosts over real SSH (test/targets): the scan popover, the live
// panel, the host-key prompt (first contact and a changed key), the machine page, Patches and Dashboard.
const TOOLS = [
  'debootstrap',
  'unshare',
  'nsenter',
  'apt-ftparchive',
  'gpg',
  'ssh',
  'ssh-keygen',
  'ssh-keyscan',
];
const BIN = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const missing = TOOLS.filter((tool) => !BIN.some((dir) => fs.existsSync(path.join(dir, tool))));
const run =
  needs('Chromium', hasChromium(), "install Debian's chromium (apt-get install chromium)") &&
  needs(
    'root, debootstrap, openssh-client, apt-utils and gnupg',
    process.getuid?.() === 0 && missing.length === 0,
    `run as root after apt-get install -y debootstrap openssh-client apt-utils gnupg (missing: ${missing.join(', ') || 'root'})`,
  );

const SLOW = { timeout: 90_000, interval: 250 };

describe.runIf(run)('scanning real Debian hosts from the UI', () => {
  let browser: Browser;
  let host: HostProcess;
  let page: Page;
  let dataDir: string;
  let archive: Archive;
  let web: Target;
  let db: Target;
  // Accepts TCP connections and never says a word: a scan of it hangs until cancelled (or times out).
  const silent = net.createServer((socket) => sockets.add(socket));
  const sockets = new Set<net.Socket>();

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-e2e-scan-'));
    archive = await startArchive();
    [web, db] = (await startTargets(
      [
        { name: 'web01', cases: ['security-update', 'normal-update', 'new-dependency', 'held'] },
        { name: 'db01', cases: ['security-update', 'stale-lists'] },
      ],
      { archive },
    )) as [Target, Target];
    browser = await launchChromium();
    host = await startHostProcess(dataDir);
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => {
      throw err;
    });
    await page.goto(host.url);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  }, 15 * 60_000);

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    silent.close();
    await host?.stop();
    await browser?.close();
    await stopAll();
    await archive?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });
  const panel = () => page.getByTestId('scan-panel');
  const hostRow = (name: string): Locator => page.getByTestId('scan-host-row').filter({ hasText: name });
  const machineRow = (name: string): Locator => page.getByTestId('machine-row').filter({ hasText: name });

  async function addMachine(name: string, address: string, port: number) {
    await page.getByRole('button', { name: 'Add machine' }).click();
    const dialog = page.getByTestId('machine-dialog');
    await dialog.getByLabel('Display name').fill(name);
    await dialog.getByLabel('Address').fill(address);
    await dialog.getByLabel('Port', { exact: true }).fill(String(port));
    await dialog.getByLabel('Username').fill('patch');
    await dialog.getByLabel('Credential').selectOption({ label: 'targets key (SSH key)' });
    await dialog.getByRole('button', { name: 'Add machine' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
  }

  it('adds a key credential and three machines, one of which refuses connections', async () => {
    await nav('Settings').click();
    await page.getByRole('button', { name: 'Add credential' }).click();
    const dialog = page.getByTestId('credential-dialog');
    await dialog.getByLabel('Name').fill('targets key');
    await dialog.getByLabel('Kind').selectOption('ssh-key');
    await dialog.getByLabel('Or paste the private key').fill(fs.readFileSync(web.privateKeyPath, 'utf8'));
    await dialog.getByRole('button', { name: 'Add credential' }).click();
    await expect.poll(() => page.getByTestId('credential-row').count()).toBe(1);

    await nav('Machines').click();
    await addMachine('web01', web.address, web.port);
    await addMachine('db01', db.address, db.port);
    await addMachine('gone01', '127.0.0.1', 1);
    await expect.poll(() => page.getByTestId('machine-count').getAttribute('data-total')).toBe('3');
    expect(await machineRow('web01').textContent()).toMatch(/Never/);
  });

  it('asks before scanning, trust of new host keys off by default', async () => {
    await page.getByRole('button', { name: 'Scan 3 machines' }).click();
    const popover = page.getByTestId('scan-popover');
    const trust = popover.getByRole('checkbox', {
      name: 'Trust host keys of machines contacted for the first time',
    });
    expect(await trust.isChecked()).toBe(false);
    await screenshot(page, '20-scan-popover');
    await popover.getByRole('button', { name: 'Start scan' }).click();
    await expect.poll(() => panel().isVisible()).toBe(true);
    await screenshot(page, '21-scan-progress');
    await expect.poll(() => panel().getAttribute('data-state'), SLOW).toBe('done');
  });

  it('classifies each failure: unknown host keys, a refused connection', async () => {
    for (const name of ['web01', 'db01']) {
      await expect.poll(() => hostRow(name).getAttribute('data-error-kind')).toBe('host-key-unknown');
    }
    expect(await hostRow('gone01').getAttribute('data-error-kind')).toBe('refused');
    expect(await hostRow('gone01').textContent()).toMatch(/Connection refused/);
    const totals = page.getByTestId('scan-totals');
    expect(await totals.getAttribute('data-failed')).toBe('3');
    expect(await page.getByTestId('scan-summary').textContent()).toMatch(/3 failed/);
    // The table follows: the last scan shows the reason.
    await expect.poll(() => machineRow('gone01').textContent()).toMatch(/Refused/);
    await screenshot(page, '22-scan-failures');
  });

  it('shows a first-seen host key with its fingerprint, then trusts it and rescans', async () => {
    await page.getByRole('button', { name: 'Review the host key of web01' }).click();
    const dialog = page.getByTestId('host-key-dialog');
    expect(await dialog.getByTestId('host-key-fingerprint').textContent()).toBe(web.hostKeyFingerprintSha256);
    expect(await dialog.textContent()).toContain(`${web.address}:${web.port}`);
    expect(await dialog.textContent()).toContain('ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub');
    await screenshot(page, '23-host-key-prompt');
    await dialog.getByRole('button', { name: 'Trust and rescan' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    await expect.poll(() => hostRow('web01').getAttribute('data-state'), SLOW).toBe('done');
    expect(await hostRow('web01').textContent()).toMatch(/missing, 1 security/);
    await expect.poll(() => panel().getAttribute('data-state'), SLOW).toBe('done');
    // The rescan joined the panel's list: db01's key is still there to review.
    expect(await hostRow('db01').getAttribute('data-error-kind')).toBe('host-key-unknown');
    expect(await page.getByTestId('scan-totals').getAttribute('data-done')).toBe('1');
    await screenshot(page, '23-host-key-rescanned');
  });

  it('scans from the machine page, trusting the first-seen key through the checkbox', async () => {
    await machineRow('db01').getByRole('link', { name: 'db01' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('db01');
    const lastError = page.getByTestId('last-error');
    expect(await lastError.getAttribute('data-kind')).toBe('host-key-unknown');
    expect(await lastError.getByRole('button', { name: 'Review host key' }).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Scan', exact: true }).click();
    const popover = page.getByTestId('scan-popover');
    await popover
      .getByRole('checkbox', { name: 'Trust host keys of machines contacted for the first time' })
      .check();
    await popover.getByRole('button', { name: 'Start scan' }).click();
    await expect.poll(() => page.getByTestId('patch-row').count(), SLOW).toBeGreaterThan(0);
    expect(await page.getByTestId('last-error').count()).toBe(0);
    // The stale-lists case: the scan warns that recent fixes may be missing.
    expect(await page.getByTestId('scan-warnings').textContent()).toMatch(/days old/);
    await screenshot(page, '24-machine-page-stale');
  });

  it('shows what web01 misses: the security fix first, a new dependency, a held package', async () => {
    await nav('Machines').click();
    await expect.poll(() => machineRow('web01').textContent()).toMatch(/\(1 security\)/);
    await page.getByRole('button', { name: 'Close scan panel' }).click();
    await screenshot(page, '25-machines-status');
    await machineRow('web01').getByRole('link', { name: 'web01' }).click();
    const rows = page.getByTestId('patch-row');
    await expect.poll(() => rows.count()).toBeGreaterThan(2);
    expect(await rows.first().getAttribute('data-name')).toBe('pb-openssl');
    expect(await rows.first().getAttribute('data-security')).toBe('true');
    expect(await rows.first().textContent()).toContain('3.0.11-1~deb12u1 → 3.0.11-1~deb12u2');
    const libnew = page.locator('[data-testid="patch-row"][data-name="pb-libnew"]');
    expect(await libnew.textContent()).toMatch(/New dependency/);
    expect(await page.getByRole('list', { name: 'Held packages' }).textContent()).toContain('pb-held');
    expect(await page.getByTestId('missing-count').textContent()).toMatch(/\(1 security\)/);
    await screenshot(page, '26-machine-page');
  });

  it('warns in red about a changed host key and trusts it only once the name is typed', async () => {
    await rotateHostKey(web);
    // What an installed kernel update leaves behind: the next scan reports a reboot with its reason.
    await web.exec(
      'echo "*** System restart required ***" > /var/run/reboot-required; echo pb-kernel > /var/run/reboot-required.pkgs',
    );
    await page.getByRole('button', { name: 'Scan', exact: true }).click();
    await page.getByTestId('scan-popover').getByRole('button', { name: 'Start scan' }).click();
    await expect.poll(() => hostRow('web01').getAttribute('data-error-kind'), SLOW).toBe('host-key-changed');
    await page.getByRole('button', { name: 'Review the host key of web01' }).click();
    const dialog = page.getByTestId('host-key-dialog');
    expect(await dialog.getByRole('alert').textContent()).toMatch(/different host key/);
    expect(await dialog.getByTestId('host-key-fingerprint').textContent()).toBe(web.hostKeyFingerprintSha256);
    expect(await dialog.getByTestId('host-key-previous').textContent()).toMatch(/^SHA256:/);
    const trust = dialog.getByRole('button', { name: 'Trust the new key' });
    expect(await trust.isDisabled()).toBe(true);
    await dialog.getByLabel('Type web01 to trust the new key').fill('web0');
    expect(await trust.isDisabled()).toBe(true);
    await dialog.getByLabel('Type web01 to trust the new key').fill('web01');
    await screenshot(page, '27-host-key-changed');
    await trust.click();
    await expect.poll(() => hostRow('web01').getAttribute('data-state'), SLOW).toBe('done');
    expect(await hostRow('web01').textContent()).toMatch(/reboot needed/);
    await expect.poll(() => page.getByTestId('reboot-banner').isVisible(), SLOW).toBe(true);
    expect(await page.getByTestId('last-error').count()).toBe(0);
    await page.getByRole('button', { name: 'Collapse scan panel' }).click();
    await screenshot(page, '28-machine-reboot');
    await page.getByRole('button', { name: 'Expand scan panel' }).click();
  });

  it('lists missing patches across the fleet, and counts on the dashboard', async () => {
    await nav('Patches').click();
    const openssl = page.locator('[data-testid="fleet-patch-row"][data-name="pb-openssl"]');
    await expect.poll(() => openssl.count()).toBe(1);
    expect(await openssl.getAttribute('data-security')).toBe('true');
    expect(await openssl.textContent()).toMatch(/Security\s*2/);
    await screenshot(page, '29-patches');
    await nav('Dashboard').click();
    const stats = page.getByTestId('scan-stats');
    await expect.poll(() => stats.textContent()).toMatch(/2\s*Need security updates/);
    expect(await stats.textContent()).toMatch(/1\s*Failed last scan/);
    await screenshot(page, '30-dashboard-scan');
  });

  it('cancels a scan that hangs, from the panel', async () => {
    await nav('Machines').click();
    await addMachine('hang01', '127.0.0.1', (silent.address() as net.AddressInfo).port);
    await page.getByRole('checkbox', { name: 'Select hang01' }).check();
    await page.getByRole('button', { name: 'Scan 1 selected' }).click();
    await page.getByTestId('scan-popover').getByRole('button', { name: 'Start scan' }).click();
    await expect.poll(() => hostRow('hang01').getAttribute('data-state'), SLOW).toBe('connecting');
    expect(await machineRow('hang01').textContent()).toMatch(/Connecting/);
    // The Scan buttons wait while a scan runs.
    expect(await page.getByRole('button', { name: 'Scan 1 selected' }).isDisabled()).toBe(true);
    await screenshot(page, '31-scan-running');
    await page.getByRole('button', { name: 'Cancel scan' }).click();
    await expect.poll(() => panel().getAttribute('data-state'), SLOW).toBe('cancelled');
    expect(await hostRow('hang01').getAttribute('data-state')).toBe('cancelled');
    expect(await page.getByTestId('scan-panel').getByRole('heading').textContent()).toMatch(/Scan cancelled/);
    await page.getByRole('button', { name: 'Collapse scan panel' }).click();
    expect(await page.getByTestId('scan-host-row').count()).toBe(0);
    await screenshot(page, '32-scan-collapsed');
    await page.getByRole('button', { name: 'Expand scan panel' }).click();
    await page.getByRole('button', { name: 'Clear selection' }).click();
  });

  it('stays responsive while 1,000 hosts report', async () => {
    // 1,000 loopback addresses where nothing listens on port 1: every host fails fast as "refused".
    const lines = ['name,address,port,user,tags'];
    for (let i = 0; i < 1000; i++)
      lines.push(`load${i},127.1.${Math.floor(i / 250)}.${(i % 250) + 1},1,patch,load`);
    const file = path.join(dataDir, 'load.csv');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    await nav('Machines').click();
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const wizard = page.getByTestId('import-dialog');
    await wizard.getByLabel('File').setInputFiles(file);
    await wizard.getByLabel('Credential for all imported machines').selectOption({ label: 'targets key' });
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByRole('button', { name: 'Preview' }).click();
    await wizard.getByRole('button', { name: 'Import 1,000 machines' }).click();
    await wizard.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('button', { name: /^Tag/ }).click();
    await page.getByRole('group', { name: 'Tag filter' }).getByRole('checkbox', { name: 'load' }).check();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('machine-count').getAttribute('data-total')).toBe('1000');

    // Long tasks (> 50 ms on the main thread) while the scan runs, as Chromium reports them.
    await page.evaluate(() => {
      const w = window as unknown as { longTasks: number[] };
      w.longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.longTasks.push(e.duration);
      }).observe({ type: 'longtask', buffered: false });
    });
    await page.getByRole('button', { name: 'Scan 1,000 machines' }).click();
    await page.getByTestId('scan-popover').getByRole('button', { name: 'Start scan' }).click();
    await expect.poll(() => page.getByTestId('scan-totals').getAttribute('data-failed'), SLOW).not.toBe('0');
    await screenshot(page, '33-scan-1000-progress');
    await expect.poll(() => panel().getAttribute('data-state'), SLOW).toBe('done');
    const totals = page.getByTestId('scan-totals');
    expect(await totals.getAttribute('data-total')).toBe('1000');
    expect(await totals.getAttribute('data-failed')).toBe('1000');
    // Virtualised: a handful of rows in the DOM, not 1,000.
    expect(await page.getByTestId('scan-host-row').count()).toBeLessThan(40);
    const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
    process.stderr.write(
      `long tasks during the 1,000-host scan: ${JSON.stringify(longTasks.map(Math.round))}\n`,
    );
    expect(Math.max(0, ...longTasks)).toBeLessThan(400);
    await page.getByRole('checkbox', { name: /^Only failed/ }).check();
    await screenshot(page, '34-scan-1000-done');
  });

  it('in the dark theme too', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByRole('link', { name: 'load0', exact: true }).first().click();
    await expect.poll(() => page.getByTestId('last-error').getAttribute('data-kind')).toBe('refused');
    await screenshot(page, '35-scan-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });
});
