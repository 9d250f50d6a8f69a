import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Fleet, startFleet } from '../../electron/demo/sim-fleet';
import { type HostProcess, launchChromium, screenshot, startHostProcess } from '../helpers/browser-host';
import { hasChromium, needs } from '../helpers/needs';
import { fileCore } from '../helpers/temp';
import type { Archive } from '../targets/apt-archive';
import { startArchive } from '../targets/apt-archive';
import type { Target } from '../targets/hosts';
import { startTargets, stopAll } from '../targets/hosts';

// The whole rollout story in real Chromium on real Debian targets over real SSH: scan, approve on the
// Patches page, create a rollout in the wizard, review a dry run that REMOVES a package (web01: pb-core
// 2.0-1 breaks pb-plugin), confirm the removal, start, watch db01 live while its package's postinst waits
// for the test, then see each host verified — and check the hosts' own dpkg agrees.
const TOOLS = ['debootstrap', 'unshare', 'nsenter', 'apt-ftparchive', 'gpg', 'ssh-keygen'];
const BIN = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const missing = TOOLS.filter((tool) => !BIN.some((dir) => fs.existsSync(path.join(dir, tool))));
const run =
  needs('Chromium', hasChromium(), "install Debian's chromium (apt-get install chromium)") &&
  needs(
    'root, debootstrap, apt-utils and gnupg',
    process.getuid?.() === 0 && missing.length === 0,
    `run as root after apt-get install -y debootstrap openssh-client apt-utils gnupg (missing: ${missing.join(', ') || 'root'})`,
  );

const SLOW = { timeout: 180_000, interval: 250 };

/** Version of every installed pb-* package, from dpkg inside the target. */
async function installedPb(t: Target): Promise<Record<string, string>> {
  const r = await t.exec("dpkg-query -W -f='${db:Status-Abbrev} ${Package} ${Version}\\n' 'pb-*'");
  const out: Record<string, string> = {};
  for (const line of r.stdout.split('\n')) {
    const m = /^(\S+)\s+(\S+) (\S+)$/.exec(line);
    if (m && /^[a-z]i$/.test(m[1] ?? '')) out[m[2] ?? ''] = m[3] ?? '';
  }
  return out;
}

describe.runIf(run)('a rollout from the UI on real Debian hosts', () => {
  let browser: Browser;
  let host: HostProcess;
  let page: Page;
  let dataDir: string;
  let archive: Archive;
  let web: Target;
  let db: Target;
  let slow: Fleet;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-e2e-rollout-'));
    archive = await startArchive();
    [web, db] = (await startTargets(
      [
        { name: 'roll-web01', cases: ['removal', 'security-update'] },
        { name: 'roll-db01', cases: ['slow-postinst', 'security-update'] },
      ],
      { archive },
    )) as [Target, Target];
    // The inventory through the core's own handlers (the inventory UI has its own e2e).
    const { core } = fileCore(dataDir);
    const cred = await core.handlers['credentials.create']({
      credential: {
        name: 'targets key',
        kind: 'ssh-key',
        keyPath: '',
        secrets: { privateKey: fs.readFileSync(web.privateKeyPath, 'utf8') },
      },
    });
    for (const [name, t] of [
      ['web01', web],
      ['db01', db],
    ] as const) {
      await core.handlers['machines.create']({
        machine: {
          displayName: name,
          address: t.address,
          port: t.port,
          transport: 'ssh',
          username: t.user,
          credentialId: cred.id,
          tags: [],
          client: 'Acme',
          site: '',
          notes: '',
          proxyJump: '',
        },
      });
    }
    await core.close();
    // One simulated host whose every command takes 10 s: a scan of it is still running when the page
    // reloads. It accepts the targets' key, so it shares their credential.
    slow = await startFleet({
      hosts: 1,
      name: () => 'roll-slow01',
      latencyMs: 10_000,
      authorizedKeys: [fs.readFileSync(`${web.privateKeyPath}.pub`, 'utf8').trim()],
      keyCache: null,
    });
    browser = await launchChromium();
    host = await startHostProcess(dataDir);
    page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (err) => {
      throw err;
    });
    await page.goto(host.url);
  }, 15 * 60_000);

  afterAll(async () => {
    await db?.exec('touch /run/pb-slow-go').catch(() => undefined);
    await host?.stop();
    await slow?.stop();
    await browser?.close();
    await stopAll();
    await archive?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });
  const fleetRow = (name: string) => page.locator(`[data-testid="fleet-patch-row"][data-name="${name}"]`);
  const planHost = (name: string): Locator => page.getByTestId('plan-host').filter({ hasText: name });
  const hostRow = (name: string): Locator => page.getByTestId('rollout-host-row').filter({ hasText: name });
  const rolloutState = () => page.getByTestId('rollout-page').getAttribute('data-state');
  const scanPanel = () => page.getByTestId('scan-panel');
  const scanRow = (name: string): Locator => page.getByTestId('scan-host-row').filter({ hasText: name });

  async function lightAndDark(name: string) {
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await screenshot(page, `70-${name}-${colorScheme}`);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  }

  it('scans both hosts, trusting their first-seen keys', async () => {
    await nav('Machines').click();
    await page.getByRole('button', { name: 'Scan 2 machines' }).click();
    const popover = page.getByTestId('scan-popover');
    await popover
      .getByRole('checkbox', { name: 'Trust host keys of machines contacted for the first time' })
      .check();
    await popover.getByRole('button', { name: 'Start scan' }).click();
    await expect.poll(() => page.getByTestId('scan-panel').getAttribute('data-state'), SLOW).toBe('done');
    await page.getByRole('button', { name: 'Close scan panel' }).click();
  });

  it('approves the patches on the Patches page', async () => {
    await nav('Patches').click();
    for (const name of ['pb-core', 'pb-openssl', 'pb-slow']) {
      await expect.poll(() => fleetRow(name).count(), SLOW).toBe(1);
      await fleetRow(name)
        .getByRole('button', { name: `Approve ${name}` })
        .click();
      const dialog = page.getByTestId('decide-dialog');
      await dialog.getByRole('button', { name: 'Approve', exact: true }).click();
      await expect.poll(() => dialog.isVisible()).toBe(false);
      await expect.poll(() => fleetRow(name).getByTestId('fleet-decision').textContent()).toMatch(/Approved/);
    }
    // The "Approved" toasts would cover the screenshots that follow.
    const dismiss = page.getByRole('button', { name: 'Dismiss notification' });
    for (let i = 0; i < 10 && (await dismiss.count()) > 0; i++) {
      await dismiss
        .first()
        .click({ timeout: 2000 })
        .catch(() => undefined); // it may have timed out on its own meanwhile
    }
  });

  it('creates a rollout in the wizard: machines, all approved, options', async () => {
    await nav('Rollouts').click();
    await page.getByTestId('new-rollout').first().click();
    const wizard = page.getByTestId('rollout-wizard');
    // Next without a machine says so beside the picker and stays on the step.
    await wizard.getByRole('button', { name: 'Next' }).click();
    await expect
      .poll(() => wizard.getByTestId('machine-picker').textContent())
      .toMatch(/Pick at least one machine/);
    await wizard.getByTestId('machine-picker').getByText('web01').click();
    await wizard.getByTestId('machine-picker').getByText('db01').click();
    await lightAndDark('rollout-wizard');
    await wizard.getByRole('button', { name: 'Next' }).click();
    // Named content takes dnf/yum/zypper advisories too: a typed id that was never added stops Next.
    await wizard.getByLabel('Patches I name').check();
    const advisories = wizard.getByTestId('advisory-adder');
    await advisories.getByLabel('Advisory for').selectOption('zypper');
    await advisories.getByLabel('Advisory id').fill('SUSE-2024-1234');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => advisories.textContent()).toMatch(/Press Add to include this advisory/);
    await advisories.getByRole('button', { name: 'Add', exact: true }).click();
    await expect
      .poll(() => advisories.getByRole('list', { name: 'Named advisories' }).textContent())
      .toMatch(/SUSE-2024-1234\s*zypper/);
    expect(await advisories.getByLabel('Advisory id').inputValue()).toBe('');
    await lightAndDark('rollout-wizard-advisory');
    await wizard.getByLabel('All approved patches').check();
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByLabel('Name (optional)').fill('Acme December');
    await wizard.getByLabel('Reboot if required').check();
    await wizard.getByRole('button', { name: 'Create and review' }).click();
    await expect.poll(() => rolloutState()).toBe('created');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Acme December');
    expect(page.url()).toMatch(/#\/rollouts\/\d+$/);
  });

  it('reviews each host’s own dry run: the removal is shown and must be confirmed', async () => {
    await page.getByTestId('review-rollout').click();
    await expect.poll(() => rolloutState(), SLOW).toBe('reviewed');
    const removals = planHost('web01').getByTestId('plan-removals');
    expect(await removals.locator('[data-name="pb-plugin"]').count()).toBe(1);
    expect(await planHost('web01').getByTestId('plan-upgrades').textContent()).toMatch(/pb-core.*2\.0-1/);
    expect(await planHost('db01').getByTestId('plan-removals').count()).toBe(0);
    expect(await planHost('db01').getByTestId('plan-upgrades').textContent()).toMatch(/pb-slow/);
    const start = page.getByTestId('start-rollout');
    expect(await start.isDisabled()).toBe(true);
    await lightAndDark('rollout-review-removal');
    await page.getByTestId('confirm-removals').check();
    expect(await start.isDisabled()).toBe(false);
    // Nothing changed on the hosts yet.
    expect(await installedPb(web)).toMatchObject({ 'pb-core': '1.0-1', 'pb-plugin': '1.0-1' });
  });

  it('starts and shows db01 live while its package operation runs, with its output', async () => {
    await page.getByTestId('start-rollout').click();
    await expect.poll(() => rolloutState()).toBe('running');
    // pb-slow's postinst waits for /run/pb-slow-go: db01 stays installing until the test says so.
    await expect.poll(() => hostRow('db01').getAttribute('data-state'), SLOW).toBe('installing');
    await page.getByRole('button', { name: 'Output of db01' }).click();
    await expect
      .poll(() => page.getByTestId('host-output').textContent(), SLOW)
      .toMatch(/Unpacking pb-slow|Setting up pb-slow/);
    // web01's install may still be finishing when db01's output shows (both start at once); db01 is held
    // in its postinst, so it alone is left installing.
    const counts = page.locator('[data-testid="state-count"][data-state="installing"]');
    await expect.poll(() => counts.getAttribute('data-count'), SLOW).toBe('1');
    await lightAndDark('rollout-live');
  });

  it('re-attaches both a running scan and the running rollout after a reload, without duplicates', async () => {
    const rolloutUrl = page.url();
    // A scan of the slow simulated host, started while db01 installs.
    await nav('Machines').click();
    await page.getByRole('button', { name: 'Add machine' }).click();
    const dialog = page.getByTestId('machine-dialog');
    await dialog.getByLabel('Display name').fill('slow01');
    await dialog.getByLabel('Address').fill(slow.hosts[0]?.address ?? '');
    await dialog.getByLabel('Port', { exact: true }).fill(String(slow.hosts[0]?.port));
    await dialog.getByLabel('Username').fill('patch');
    await dialog.getByLabel('Credential').selectOption({ label: 'targets key (SSH key)' });
    await dialog.getByRole('button', { name: 'Add machine' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    await page.getByRole('checkbox', { name: 'Select slow01' }).check();
    await page.getByRole('button', { name: 'Scan 1 selected' }).click();
    const popover = page.getByTestId('scan-popover');
    await popover
      .getByRole('checkbox', { name: 'Trust host keys of machines contacted for the first time' })
      .check();
    await popover.getByRole('button', { name: 'Start scan' }).click();
    await expect.poll(() => scanRow('slow01').getAttribute('data-state'), SLOW).toBe('scanning');

    // Back on the rollout and reload: one jobs.active answer re-attaches both.
    await page.goto(rolloutUrl);
    await page.reload();
    await expect.poll(() => rolloutState()).toBe('running');
    await expect.poll(() => hostRow('db01').getAttribute('data-state'), SLOW).toBe('installing');
    await expect.poll(() => scanPanel().getAttribute('data-state')).toBe('running');
    expect(await scanRow('slow01').getAttribute('data-state')).toBe('scanning');
    expect(await page.getByTestId('rollout-host-row').count()).toBe(2);
    expect(await page.getByTestId('scan-host-row').count()).toBe(1);
    await lightAndDark('rollout-and-scan-reattached');
    // Progress continues after the reload: the scan ends by itself, still one row, and the rollout runs on.
    await expect.poll(() => scanRow('slow01').getAttribute('data-state'), SLOW).toBe('done');
    expect(await scanPanel().getAttribute('data-state')).toBe('done');
    expect(await page.getByTestId('scan-host-row').count()).toBe(1);
    expect(await rolloutState()).toBe('running');
    expect(await page.getByTestId('rollout-host-row').count()).toBe(2);
    await page.getByRole('button', { name: 'Close scan panel' }).click();

    await nav('Rollouts').click();
    await expect.poll(() => page.getByTestId('running-rollouts').isVisible()).toBe(true);
    await page.getByTestId('running-rollouts').getByRole('link').first().click();
    await expect.poll(() => rolloutState()).toBe('running');
  });

  it('finishes: each host verified by a rescan, and the hosts’ own dpkg agrees', async () => {
    await db.exec('touch /run/pb-slow-go');
    await expect.poll(() => rolloutState(), SLOW).toBe('finished');
    await expect.poll(() => hostRow('web01').getAttribute('data-state'), SLOW).toBe('succeeded');
    await expect.poll(() => hostRow('db01').getAttribute('data-state'), SLOW).toBe('succeeded');
    await expect
      .poll(() => hostRow('web01').getByTestId('host-verified').textContent(), SLOW)
      .toMatch(/2 of 2 at the target version \(pb-core 2\.0-1, pb-openssl 3\.0\.11-1~deb12u2\)/);
    expect(await hostRow('db01').getByTestId('host-verified').textContent()).toMatch(
      /2 of 2 at the target version \(pb-openssl 3\.0\.11-1~deb12u2, pb-slow 1\.1-1\)/,
    );
    expect(await page.getByTestId('retry-panel').count()).toBe(0);
    const w = await installedPb(web);
    expect(w['pb-core']).toBe('2.0-1');
    expect(w['pb-plugin']).toBeUndefined();
    expect(w['pb-openssl']).toBe('3.0.11-1~deb12u2');
    const d = await installedPb(db);
    expect(d['pb-slow']).toBe('1.1-1');
    expect(d['pb-openssl']).toBe('3.0.11-1~deb12u2');
    await lightAndDark('rollout-finished');
  });

  it('lists the rollout in the history with its results and who created it', async () => {
    await nav('Rollouts').click();
    const row = page.getByTestId('rollout-row').filter({ hasText: 'Acme December' });
    expect(await row.getAttribute('data-state')).toBe('finished');
    expect(await row.textContent()).toMatch(/2 succeeded/);
    await lightAndDark('rollout-history');
  });
});
