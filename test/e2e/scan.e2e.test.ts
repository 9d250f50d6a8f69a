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
import { fingerprintSha256, generateHostKey } from '../targets/host-keys';
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
  const keyRow = (t: Pick<Target, 'address' | 'port'>): Locator =>
    page.locator(`[data-testid="host-key-row"][data-address="${t.address}"][data-port="${t.port}"]`);

  /** Screenshots `40-<name>-light` and `40-<name>-dark` of the same state (the theme follows the OS). */
  async function lightAndDark(name: string, on: Page = page) {
    for (const colorScheme of ['light', 'dark'] as const) {
      await on.emulateMedia({ colorScheme });
      await screenshot(on, `40-${name}-${colorScheme}`);
    }
    await on.emulateMedia({ colorScheme: 'light' });
  }

  /** Scans one machine from the Machines page and waits for its row in the panel to end. */
  async function scanOnly(name: string): Promise<string | null> {
    await nav('Machines').click();
    await page.getByRole('checkbox', { name: `Select ${name}` }).check();
    await page.getByRole('button', { name: 'Scan 1 selected' }).click();
    await page.getByTestId('scan-popover').getByRole('button', { name: 'Start scan' }).click();
    await expect.poll(() => panel().getAttribute('data-state'), SLOW).not.toBe('running');
    await page.getByRole('button', { name: 'Clear selection' }).click();
    return hostRow(name).getAttribute('data-state');
  }

  /** The `type base64` part of a target's served ed25519 host key, read inside the target. */
  async function servedKey(t: Target): Promise<string> {
    const line = (await t.exec('cat /etc/ssh/ssh_host_ed25519_key.pub')).stdout.trim();
    return line.split(/\s+/).slice(0, 2).join(' ');
  }

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
    await lightAndDark('host-key-prompt');
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
    // Missing, Security and Held are separate cells; pb-held's update counts as held, not missing.
    await expect
      .poll(() => machineRow('web01').locator('[title="1 security updates missing"]').count())
      .toBe(1);
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
    const held = page.locator('[data-testid="patch-row"][data-name="pb-held"]');
    expect(await held.getAttribute('data-held')).toBe('true');
    expect(await held.textContent()).toContain('1.0-1 → 1.1-1');
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
    await lightAndDark('host-key-changed');
    await trust.click();
    await expect.poll(() => hostRow('web01').getAttribute('data-state'), SLOW).toBe('done');
    expect(await hostRow('web01').textContent()).toMatch(/reboot needed/);
    await expect.poll(() => page.getByTestId('reboot-banner').isVisible(), SLOW).toBe(true);
    expect(await page.getByTestId('last-error').count()).toBe(0);
    await page.getByRole('button', { name: 'Collapse scan panel' }).click();
    await screenshot(page, '28-machine-reboot');
    await page.getByRole('button', { name: 'Expand scan panel' }).click();
  });

  it('lists the pinned host keys in Settings and says how each was trusted', async () => {
    await nav('Settings').click();
    await expect.poll(() => keyRow(web).count()).toBe(1);
    // web01: trusted in the changed-key prompt; db01: trusted on first use by the scan's checkbox.
    expect(await keyRow(web).getAttribute('data-source')).toBe('user');
    expect(await keyRow(web).textContent()).toContain(web.hostKeyFingerprintSha256);
    expect(await keyRow(web).textContent()).toContain('You trusted it');
    expect(await keyRow(web).textContent()).toContain('ssh-ed25519');
    expect(await keyRow(db).getAttribute('data-source')).toBe('tofu');
    expect(await keyRow(db).textContent()).toContain(db.hostKeyFingerprintSha256);
    expect(await keyRow(db).textContent()).toContain('Trusted on first use');
    // gone01 never answered: nothing pinned for it.
    expect(await page.getByTestId('host-key-row').count()).toBe(2);
    await page.getByRole('heading', { name: 'Host keys' }).scrollIntoViewIfNeeded();
    await lightAndDark('settings-host-keys');
  });

  it('forgets a host key after saying what happens next, and the next scan asks again', async () => {
    await page.getByRole('button', { name: `Forget the host key of ${web.address}:${web.port}` }).click();
    const confirm = page.getByTestId('confirm-dialog');
    expect(await confirm.textContent()).toMatch(/next scan .*ask you to compare its key again/);
    await lightAndDark('forget-host-key');
    await confirm.getByRole('button', { name: 'Forget host key' }).click();
    await expect.poll(() => keyRow(web).count()).toBe(0);
    expect(await keyRow(db).count()).toBe(1);
    expect(await scanOnly('web01')).toBe('failed');
    expect(await hostRow('web01').getAttribute('data-error-kind')).toBe('host-key-unknown');
  });

  it('imports known_hosts for machines of the inventory, never over a pinned key', async () => {
    const stranger = await generateHostKey('stranger', dataDir);
    const strangerKey = stranger.publicKey.trim().split(/\s+/).slice(0, 2).join(' ');
    const strangerFingerprint = fingerprintSha256(stranger.publicKey);
    const file = path.join(dataDir, 'known_hosts');
    fs.writeFileSync(
      file,
      [
        '# known_hosts of a jump host',
        `[${web.address}]:${web.port} ${await servedKey(web)}`, // 2: imported
        `[${db.address}]:${db.port} ${await servedKey(db)}`, // 3: already pinned, unchanged
        `[${db.address}]:${db.port} ${strangerKey}`, // 4: differs from db01's pinned key: conflict
        `@revoked [127.0.0.1]:1 ${strangerKey}`, // 5: revokes line 6
        `[127.0.0.1]:1 ${strangerKey}`, // 6: gone01's entry, revoked
        `unrelated.example.com ${strangerKey}`, // 7: not in the inventory
        'not-a-key-line', // 8: skipped
      ].join('\n') + '\n',
    );
    await nav('Settings').click();
    await page.getByRole('button', { name: 'Import known_hosts…' }).click();
    const dialog = page.getByTestId('known-hosts-dialog');
    expect(await dialog.textContent()).toMatch(/Only machines already in your inventory get keys/);
    await dialog.getByLabel('known_hosts file').setInputFiles(file);
    await lightAndDark('known-hosts-import');
    await dialog.getByRole('button', { name: 'Import keys' }).click();
    const report = dialog.getByTestId('known-hosts-report');
    await expect.poll(() => report.isVisible()).toBe(true);
    expect(await report.getAttribute('data-imported')).toBe('1');
    expect(await report.getAttribute('data-unchanged')).toBe('1');
    expect(await report.getAttribute('data-conflicts')).toBe('1');
    expect(await report.getAttribute('data-revoked')).toBe('1');
    expect(await report.getAttribute('data-not-found')).toBe('0');
    const conflict = report.getByTestId('known-hosts-conflict');
    expect(await conflict.getAttribute('data-address')).toBe(db.address);
    expect(await conflict.textContent()).toContain(db.hostKeyFingerprintSha256);
    expect(await conflict.textContent()).toContain(strangerFingerprint);
    expect(await report.getByTestId('known-hosts-revoked').textContent()).toContain('127.0.0.1:1');
    const skipped = report.getByTestId('known-hosts-skipped');
    expect(await skipped.evaluateAll((els) => els.map((e) => e.getAttribute('data-line')))).toEqual([
      '5',
      '8',
    ]);
    expect(await report.locator('[data-line="8"]').textContent()).toMatch(/not "hosts keytype key"/);
    await lightAndDark('known-hosts-report');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => dialog.count()).toBe(0);

    // web01's key came from the file; db01 kept the key it had.
    await expect.poll(() => keyRow(web).getAttribute('data-source')).toBe('known_hosts');
    expect(await keyRow(web).textContent()).toContain('From known_hosts');
    expect(await keyRow(web).textContent()).toContain(web.hostKeyFingerprintSha256);
    expect(await keyRow(db).textContent()).toContain(db.hostKeyFingerprintSha256);
    expect(await page.getByTestId('host-key-row').count()).toBe(2);
    // The imported key is the one web01 serves: the scan goes through without asking.
    expect(await scanOnly('web01')).toBe('done');
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

  it('shows a running scan again, whole, after the page is reloaded', async () => {
    await nav('Machines').click();
    await page.getByRole('checkbox', { name: 'Select hang01' }).check();
    await page.getByRole('button', { name: 'Scan 1 selected' }).click();
    await page.getByTestId('scan-popover').getByRole('button', { name: 'Start scan' }).click();
    await expect.poll(() => hostRow('hang01').getAttribute('data-state'), SLOW).toBe('connecting');
    // From the Dashboard, where the machine list is not loaded: the panel asks the core for the name.
    await nav('Dashboard').click();
    await page.reload();
    await expect.poll(() => panel().getAttribute('data-state')).toBe('running');
    await expect.poll(() => hostRow('hang01').getAttribute('data-state')).toBe('connecting');
    expect(await panel().getByRole('heading').textContent()).toMatch(/Scanning 1 machine/);
    const totals = page.getByTestId('scan-totals');
    expect(await totals.getAttribute('data-total')).toBe('1');
    expect(await totals.getAttribute('data-running')).toBe('1');
    await lightAndDark('scan-reattached');
    // The reattached job is this window's to cancel.
    await page.getByRole('button', { name: 'Cancel scan' }).click();
    await expect.poll(() => panel().getAttribute('data-state'), SLOW).toBe('cancelled');
    expect(await hostRow('hang01').getAttribute('data-state')).toBe('cancelled');
    await page.getByRole('button', { name: 'Close scan panel' }).click();
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

  it('shows every screen at 1280×800, light and dark', async () => {
    if (await panel().count()) await page.getByRole('button', { name: 'Close scan panel' }).click();
    await nav('Dashboard').click();
    await expect.poll(() => page.getByTestId('scan-stats').isVisible()).toBe(true);
    expect(await page.getByTestId('scan-stats').textContent()).toMatch(/Never scanned/);
    await lightAndDark('dashboard');
    await nav('Machines').click();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => page.getByTestId('machine-count').getAttribute('data-total')).toBe('1004');
    await lightAndDark('machines');
    await page.getByRole('searchbox', { name: 'Search machines' }).fill('web01');
    await expect.poll(() => page.getByTestId('machine-row').count()).toBe(1);
    await machineRow('web01').getByRole('link', { name: 'web01' }).click();
    await expect.poll(() => page.getByTestId('patch-row').count()).toBeGreaterThan(0);
    await lightAndDark('machine-page');
    await nav('Machines').click();
    await page.getByRole('searchbox', { name: 'Search machines' }).fill('');
    for (const link of ['Patches', 'Rollouts', 'Reports', 'Settings'] as const) {
      await nav(link).click();
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(link);
      if (link === 'Patches')
        await expect.poll(() => page.getByTestId('fleet-patch-row').count()).toBeGreaterThan(0);
      await lightAndDark(link.toLowerCase());
    }
    await page.getByRole('button', { name: 'Add credential' }).click();
    await lightAndDark('credential-dialog');
    await page.getByTestId('credential-dialog').getByRole('button', { name: 'Cancel' }).click();
  });

  it('shows platform notes on the machine page as information, not as a warning', async () => {
    // Debian targets have no platform limits to note (dnf, pacman, apk and macOS hosts do), so this window
    // adds two notes to the core's real answer for the machine page, on the way through the WebSocket.
    const NOTES = [
      'Security classification unknown: this repository publishes no updateinfo.',
      'Apple silicon: macOS updates need someone at the Mac to install.',
    ];
    const other = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    other.on('pageerror', (err) => {
      throw err;
    });
    const detailsRequests = new Set<number>();
    await other.routeWebSocket(/\/api/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => {
        const msg = JSON.parse(String(m)) as { id: number; channel: string };
        if (msg.channel === 'machines.scanDetails') detailsRequests.add(msg.id);
        server.send(m);
      });
      server.onMessage((m) => {
        const msg = JSON.parse(String(m)) as {
          t: string;
          id?: number;
          res?: { lastOk?: { notes: string[] } };
        };
        if (msg.t === 'res' && msg.id !== undefined && detailsRequests.has(msg.id) && msg.res?.lastOk) {
          msg.res.lastOk.notes = NOTES;
          ws.send(JSON.stringify(msg));
        } else ws.send(m);
      });
    });
    await nav('Machines').click();
    await page.getByRole('searchbox', { name: 'Search machines' }).fill('web01');
    await expect.poll(() => page.getByTestId('machine-row').count()).toBe(1);
    const id = await machineRow('web01').getAttribute('data-id');
    await page.getByRole('searchbox', { name: 'Search machines' }).fill('');
    await other.goto(`${host.url}#/machines/${id}`);
    const notes = other.getByTestId('scan-notes');
    await expect.poll(() => notes.isVisible()).toBe(true);
    expect(await notes.getByRole('listitem').allTextContents()).toEqual(NOTES);
    // Distinct from the warnings of the scan.
    expect(await notes.getAttribute('class')).toMatch(/banner-info/);
    await notes.scrollIntoViewIfNeeded();
    await lightAndDark('machine-notes', other);
    await other.close();
  });
});
