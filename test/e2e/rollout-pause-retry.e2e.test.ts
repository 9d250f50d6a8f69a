import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { RequestChannel, RequestOf, ResponseMap } from '../../shared/ipc';
import { type HostProcess, launchChromium, screenshot, startHostProcess } from '../helpers/browser-host';
import { hasChromium, needs } from '../helpers/needs';
import { fileCore } from '../helpers/temp';
import { dpkgLog, installedPb, targetsReady } from '../rollout/apt-helpers';
import { holdDpkgLock } from '../rollout/engine-bench';
import type { Target } from '../targets/hosts';
import { startTargets, stopAll } from '../targets/hosts';

// Pause, resume and "Retry failed hosts" in real Chromium on real Debian targets: pause while the first
// host's postinst waits, see it finish and the others wait, resume, let the third host fail on a held dpkg
// lock, release it, retry just that host (reviewed afresh) and see it installed once.
const run =
  needs('Chromium', hasChromium(), "install Debian's chromium (apt-get install chromium)") && targetsReady();
const SLOW = { timeout: 180_000, interval: 250 };
const OPENSSL_NEW = '3.0.11-1~deb12u2';

describe.runIf(run)('pause, resume and retry in the UI on real Debian hosts', () => {
  let browser: Browser;
  let host: HostProcess;
  let page: Page;
  let dataDir: string;
  let slow: Target;
  let queued: Target;
  let locked: Target;
  let rolloutId = 0;
  let release: (() => Promise<void>) | null = null;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-e2e-pause-'));
    [slow, queued, locked] = (await startTargets([
      { name: 'pz-slow01', cases: ['slow-postinst'] },
      { name: 'pz-web02', cases: ['security-update'] },
      { name: 'pz-db03', cases: ['slow-postinst', 'security-update'] },
    ])) as [Target, Target, Target];
    await slow.exec('rm -f /run/pb-slow-go');
    // Inventory, first scan, approvals and a reviewed rollout through the core (the wizard has its own e2e).
    const { core } = fileCore(dataDir);
    const call = async <C extends RequestChannel>(c: C, req: RequestOf<C>) => {
      const r = await core.dispatch(c, req);
      if (!r.ok) throw new Error(`${c}: ${r.error.message}`);
      return r.res as ResponseMap[C];
    };
    const cred = await call('credentials.create', {
      credential: { name: 'targets key', kind: 'ssh-key', keyPath: slow.privateKeyPath, secrets: {} },
    });
    const ids: number[] = [];
    for (const t of [slow, queued, locked]) {
      const m = await call('machines.create', {
        machine: {
          displayName: t.name.replace(/^pz-/, ''),
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
      ids.push(m.id);
    }
    const scan = await call('scan.start', { machineIds: ids, trustNewHostKeys: true });
    await core.services.scanner.wait(scan.jobId);
    for (const [i, name] of [
      [0, 'pb-slow'],
      [1, 'pb-openssl'],
      [2, 'pb-openssl'],
    ] as const) {
      const machineId = ids[i] ?? 0;
      await call('decisions.decide', {
        select: { machineIds: [machineId], names: [name] },
        scope: { kind: 'machine', machineId },
        decision: 'approved',
      });
    }
    const created = await call('rollouts.create', {
      name: 'Acme Friday',
      targets: { kind: 'machines', machineIds: ids },
      content: { kind: 'all-approved' },
      options: { concurrency: 1, reboot: 'never' },
    });
    rolloutId = created.id;
    await call('rollouts.review', { id: rolloutId });
    await core.close();
    browser = await launchChromium();
    host = await startHostProcess(dataDir);
    page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (err) => {
      throw err;
    });
    await page.goto(`${host.url}#/rollouts/${rolloutId}`);
  }, 15 * 60_000);

  afterAll(async () => {
    for (const t of [slow, queued, locked]) await t?.exec('touch /run/pb-slow-go').catch(() => undefined);
    await host?.stop();
    await browser?.close();
    await stopAll();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  const hostRow = (name: string): Locator => page.getByTestId('rollout-host-row').filter({ hasText: name });
  const rolloutState = () => page.getByTestId('rollout-page').getAttribute('data-state');
  const upgrades = async (t: Target, pkg: string) =>
    (await dpkgLog(t)).filter((l) => l.startsWith(`upgrade ${pkg}:`));
  async function lightAndDark(name: string) {
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await screenshot(page, `${name}-${colorScheme}`);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  }

  it('pauses while slow01 installs: it finishes, the others wait, and it stays paused', async () => {
    await expect.poll(() => rolloutState(), SLOW).toBe('reviewed');
    await page.getByTestId('start-rollout').click();
    await expect.poll(() => hostRow('slow01').getAttribute('data-state'), SLOW).toBe('installing');
    await page.getByTestId('pause-rollout').click();
    await expect.poll(() => rolloutState()).toBe('paused');
    expect(await page.getByTestId('paused-banner').textContent()).toMatch(
      /2 machines are waiting; 1 machine finishes what it is doing first/,
    );
    await lightAndDark('71-rollout-pausing');
    await slow.exec('touch /run/pb-slow-go');
    await expect.poll(() => hostRow('slow01').getAttribute('data-state'), SLOW).toBe('succeeded');
    await expect
      .poll(() => page.getByTestId('paused-banner').textContent())
      .toMatch(/2 machines are waiting\./);
    expect(await hostRow('web02').getAttribute('data-state')).toBe('reviewed');
    expect(await page.getByTestId('resume-rollout').isEnabled()).toBe(true);
    await lightAndDark('72-rollout-paused');
    // A reload (or restart) shows it paused; nothing started on the waiting hosts.
    await page.reload();
    await expect.poll(() => rolloutState()).toBe('paused');
    expect(await upgrades(queued, 'pb-openssl')).toEqual([]);
    expect(await upgrades(slow, 'pb-slow')).toHaveLength(1);
  });

  it('resumes: web02 installs, db03 fails on a dpkg lock another apt run holds', async () => {
    release = (await holdDpkgLock(locked, 'pz-lock-holder')).release;
    await page.getByTestId('resume-rollout').click();
    await expect.poll(() => rolloutState(), SLOW).toBe('finished');
    await expect.poll(() => hostRow('web02').getAttribute('data-state'), SLOW).toBe('succeeded');
    expect(await hostRow('db03').getAttribute('data-state')).toBe('failed');
    await expect.poll(() => page.getByTestId('retry-panel').isVisible(), SLOW).toBe(true);
    expect(await page.getByTestId('retry-panel').textContent()).toMatch(/1 machine did not get every patch/);
    await lightAndDark('73-rollout-retry-offered');
  });

  it('retries the failed host: a new rollout of db03 alone, reviewed afresh, installs once', async () => {
    await release?.();
    await page.getByTestId('retry-rollout').click();
    await expect.poll(() => page.url()).not.toMatch(new RegExp(`#/rollouts/${rolloutId}$`));
    await expect.poll(() => rolloutState(), SLOW).toBe('reviewed');
    expect(await page.getByTestId('retry-of').textContent()).toMatch(new RegExp(`rollout ${rolloutId}`));
    expect(await page.getByTestId('plan-host').count()).toBe(1);
    expect(await page.getByTestId('plan-host').textContent()).toMatch(/db03/);
    await lightAndDark('74-rollout-retry-review');
    await page.getByTestId('start-rollout').click();
    await expect.poll(() => rolloutState(), SLOW).toBe('finished');
    await expect.poll(() => hostRow('db03').getAttribute('data-state'), SLOW).toBe('succeeded');
    expect((await installedPb(locked))['pb-openssl']).toBe(OPENSSL_NEW);
    expect(await upgrades(locked, 'pb-openssl')).toHaveLength(1);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rollouts' }).click();
    const row = page.getByTestId('rollout-row').filter({ hasText: 'Acme Friday (retry)' });
    expect(await row.getByTestId('retry-of').textContent()).toBe(`retry of #${rolloutId}`);
    await lightAndDark('75-rollout-history-retry');
  });
});
