import fs from 'node:fs';
import path from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Fleet, startFleet } from '../../electron/demo/sim-fleet';
import { type RunningHost, startHost } from '../../electron/host/server';
import { launchChromium, screenshot } from '../helpers/browser-host';
import { fastClock } from '../helpers/fast-clock';
import { hasChromium, needs } from '../helpers/needs';
import { simCore } from '../sim/sim-core';

// Issue 9's proof in Chromium: build a plan with two rings and a maintenance window in the UI, run it on an
// accelerated clock (60×: the 5-minute soak passes in 5 s) against the fleet simulator over real SSH, watch
// ring 1 finish, the gate halt on its success rate (one pilot host fails: its disk is full), reload the
// window and find the run again, promote it by hand and see ring 2 run. The core and the browser host run
// in this process so the test can hand the core its fast clock; no production entry point can.
const STATIC = path.resolve('dist/renderer');
const run = needs('Chromium', hasChromium(), "install Debian's chromium (apt-get install chromium)");
const FACTOR = 60;
const SLOW = { timeout: 60_000, interval: 100 };
const NAMES = ['pilot-a', 'pilot-b-full', 'office-a', 'office-b'];
const WEEKDAY = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Weekday label and HH:MM of an instant in UTC (the window's zone). */
const wall = (t: number) => {
  const d = new Date(t);
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  return { day: WEEKDAY[d.getUTCDay()] as string, time: `${hh}:${mm}` };
};

describe.runIf(run)('a plan run, live, on an accelerated clock in real Chromium', () => {
  let fleet: Fleet;
  let sim: Awaited<ReturnType<typeof simCore>>;
  let host: RunningHost;
  let browser: Browser;
  let page: Page;
  const clock = fastClock(FACTOR);

  beforeAll(async () => {
    if (!fs.existsSync(path.join(STATIC, 'index.html')))
      throw new Error('dist/renderer is missing: run `npm run build` first');
    fleet = await startFleet({
      hosts: NAMES.length,
      name: (i) => NAMES[i] as string,
      profiles: ['debian12-security'],
      latencyMs: 5,
      rollout: { installMs: 300, hosts: { 'pilot-b-full': { failInstall: 'disk-full' } } },
    });
    sim = await simCore(fleet, {
      clock,
      // The leases count on the fast clock; long enough that one runner never loses its own mid-batch.
      rollouts: { pollMs: 100, leaseMs: 30_000 * FACTOR },
      plans: { run: true, tickMs: 200 },
    });
    await sim.scan();
    const h = sim.core.handlers;
    await h['machines.editTags']({
      ids: [sim.id('pilot-a'), sim.id('pilot-b-full')],
      add: ['pilot'],
      remove: [],
    });
    await h['machines.editTags']({
      ids: [sim.id('office-a'), sim.id('office-b')],
      add: ['office'],
      remove: [],
    });
    await h['groups.save']({ name: 'pilot', filter: { tags: ['pilot'] } });
    await h['groups.save']({ name: 'office', filter: { tags: ['office'] } });
    await h['decisions.decide']({
      select: { names: ['pb-openssl'] },
      scope: { kind: 'all' },
      decision: 'approved',
    });
    host = await startHost({ core: sim.core, staticDir: STATIC, port: 0 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1360, height: 1300 } });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => {
      throw err;
    });
    await page.goto(host.url + '#/plans');
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await sim?.close();
    await fleet?.stop();
  });

  it('builds the plan in the UI: a window for the pilot group, two rings, a 5-minute soak', async () => {
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Plans');
    // A window open from an hour ago (on the core's clock) for 12 hours: the pilot ring may start.
    const from = wall(clock.now() - 3_600_000);
    const to = wall(clock.now() + 11 * 3_600_000);
    await page.getByLabel('Applies to').selectOption('group');
    await page
      .locator('.windows-editor')
      .getByLabel('Group', { exact: true })
      .selectOption({ label: 'pilot' });
    await page.getByLabel('Window time zone', { exact: true }).fill('UTC');
    await page.getByLabel('Window starts on').selectOption({ label: from.day });
    await page.getByLabel('Window starts at').fill(from.time);
    await page.getByLabel('Window ends on').selectOption({ label: to.day });
    await page.getByLabel('Window ends at').fill(to.time);
    await page.getByRole('button', { name: 'Add window' }).click();
    await expect.poll(() => page.getByTestId('window-row').count()).toBe(1);
    expect(await page.getByTestId('window-row').textContent()).toContain('group pilot');

    await page.getByTestId('new-plan').click();
    const editor = page.getByTestId('plan-editor');
    await editor.getByLabel('Name', { exact: true }).fill('Pilot first');
    await editor.getByLabel('Content', { exact: true }).selectOption('all-approved');
    await editor.getByLabel('Schedule', { exact: true }).selectOption('now');
    await editor.getByLabel('Time zone', { exact: true }).fill('UTC');
    const rings = editor.getByTestId('ring-fields');
    await rings.nth(0).getByLabel('Ring name').fill('pilot');
    await rings.nth(0).getByLabel('Machines', { exact: true }).selectOption('group');
    await rings.nth(0).getByLabel('Group', { exact: true }).selectOption({ label: 'pilot' });
    await rings.nth(0).getByLabel('Ring 1 batch size').fill('1');
    await rings.nth(0).getByLabel('Gate: soak (min)').fill('5');
    await editor.getByRole('button', { name: 'Add ring' }).click();
    await rings.nth(1).getByLabel('Ring name').fill('office');
    await rings.nth(1).getByLabel('Machines', { exact: true }).selectOption('group');
    await rings.nth(1).getByLabel('Group', { exact: true }).selectOption({ label: 'office' });
    await rings.nth(1).getByLabel('Ring 2 batch size').fill('2');
    await expect
      .poll(() => rings.nth(0).getByTestId('ring-machines').textContent())
      .toMatch(/^pilot-a \(open now\)/);
    await editor.getByRole('button', { name: 'Save plan' }).click();
    await expect.poll(() => page.getByTestId('plan-row').count()).toBe(1);
    // The window shows on the 30-day calendar under its scope.
    await expect.poll(() => page.getByTestId('cal-window-row').count()).toBe(1);
    expect(await page.getByTestId('cal-window-row').textContent()).toContain('group pilot');
  });

  it('runs ring 1 in two batches, soaks, and the gate halts on the success rate', async () => {
    await page.getByTestId('plan-row').getByLabel('Enable Pilot first').click();
    await expect.poll(() => page.getByTestId('plan-run-row').count(), SLOW).toBe(1);
    await page
      .getByTestId('plan-run-row')
      .getByRole('link', { name: /Open run/ })
      .click();
    const view = page.getByTestId('plan-run-view');
    await expect.poll(() => view.isVisible()).toBe(true);
    const ring1 = view.getByTestId('run-ring').nth(0);
    // Live: ring 1 is seen running (a batch under way links to its rollout), then soaking with time left.
    await expect.poll(() => ring1.getByTestId('ring-state').textContent(), SLOW).toMatch(/Running|Done/);
    await expect.poll(() => view.getByTestId('run-state').textContent(), SLOW).toBe('Soaking');
    await expect.poll(() => view.getByTestId('gate-soak-time').textContent()).toMatch(/left of 5 min/);
    expect(await ring1.getByTestId('run-batch').count()).toBe(2);
    expect(await ring1.textContent()).toMatch(/pilot-aSucceeded/);
    expect(await ring1.textContent()).toMatch(/pilot-b-fullFailed/);
    expect(await view.getByTestId('gate-success-rate').textContent()).toContain(
      '1 of 2 due machines succeeded (50 %); needs 100 %',
    );
    expect(await view.getByTestId('run-ring').nth(1).getByTestId('ring-state').textContent()).toBe(
      'Not started',
    );
    await screenshot(page, '93-plan-run-soaking');
    // Halt asks first and says what it does; cancelling leaves the run alone.
    await page.getByRole('button', { name: 'Halt', exact: true }).click();
    const halt = page.getByTestId('halt-dialog');
    expect(await halt.textContent()).toContain('it is never killed mid-way');
    await halt.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => halt.count()).toBe(0);

    // 5 minutes on the core's clock are 5 s here: the gate judges and halts, and says why.
    await expect.poll(() => view.getByTestId('run-state').textContent(), SLOW).toBe('Halted');
    expect(await view.getByTestId('run-halt-reason').textContent()).toBe(
      'A promotion gate did not pass. Gate after ring pilot: 1 of 2 due hosts succeeded (50 %); the gate needs 100 %.',
    );
    expect(await view.getByTestId('gate-state').textContent()).toContain('ring office has not started');
    expect(await view.getByTestId('gate-soak-time').textContent()).toContain('5 min, over');
    await screenshot(page, '94-plan-run-halted');
  });

  it('finds the halted run again after a reload, and promotes it by hand: ring 2 runs', async () => {
    await page.reload();
    const view = page.getByTestId('plan-run-view');
    await expect.poll(() => view.getByTestId('run-state').textContent()).toBe('Halted');
    await page.getByRole('button', { name: 'Promote now' }).click();
    const dialog = page.getByTestId('promote-dialog');
    expect(await dialog.textContent()).toContain('The gate is skipped: ring office starts at once');
    await dialog.getByRole('button', { name: 'Promote now' }).click();
    const ring2 = view.getByTestId('run-ring').nth(1);
    await expect.poll(() => ring2.getByTestId('ring-state').textContent(), SLOW).toMatch(/Running|Done/);
    await expect.poll(() => ring2.getByTestId('run-batch').count(), SLOW).toBe(1);
    await screenshot(page, '95-plan-run-promoted');
    await expect.poll(() => view.getByTestId('run-state').textContent(), SLOW).toBe('Done');
    expect(await ring2.textContent()).toMatch(
      /office-aSucceeded.*office-bSucceeded|office-bSucceeded.*office-aSucceeded/,
    );
    expect(await view.getByTestId('run-gate').count()).toBe(0);
    // The operator's promotion is in the run's own record, and each host was patched once.
    const detail = await sim.core.handlers['plans.run']({ id: 1 });
    const promoted = detail.events.find((e) => e.to === 'running' && e.detail.ring === 'office');
    expect(promoted?.detail.promotedBy).not.toBe('gate');
    for (const [name, c] of Object.entries(fleet.counts())) {
      if (name === 'pilot-b-full') continue;
      expect({ installs: c.installs, secondStarts: c.secondStarts }, name).toEqual({
        installs: 1,
        secondStarts: 0,
      });
    }
    // The batch rollouts have ended: the sidebar's "running" badge goes away too.
    await expect.poll(() => page.getByTestId('rollouts-running').count()).toBe(0);
    await screenshot(page, '96-plan-run-done');
    // The Plans page lists the run, done, and links back to its view.
    await view.getByRole('link', { name: 'All plans' }).click();
    const row = page.getByTestId('plan-run-row');
    await expect.poll(() => row.textContent()).toMatch(/^Pilot first.*Done2Open run 1$/);
    await screenshot(page, '97-plans-runs-list');
    await row.getByRole('link', { name: 'Open run 1' }).click();
    await expect.poll(() => page.getByTestId('run-state').textContent()).toBe('Done');
  });
});
