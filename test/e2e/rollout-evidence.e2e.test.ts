import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { verifyPack } from '../../electron/evidence/verify';
import { readZip } from '../../electron/evidence/zip';
import { type HostProcess, launchChromium, screenshot, startHostProcess } from '../helpers/browser-host';
import { hasChromium, needs } from '../helpers/needs';
import { fileCore } from '../helpers/temp';
import { targetsReady } from '../rollout/apt-helpers';
import { callerOf, enrollTargets } from '../rollout/engine-bench';
import { startTargets, stopAll } from '../targets/hosts';

// "Export evidence" on a finished rollout's page in real Chromium, through the browser host: the download
// is the pack of a real rollout on a real Debian target, and it verifies.
const run =
  needs('Chromium', hasChromium(), "install Debian's chromium (apt-get install chromium)") && targetsReady();

describe.runIf(run)('evidence export in the UI', () => {
  let browser: Browser;
  let host: HostProcess;
  let page: Page;
  let dataDir: string;
  let rolloutId = 0;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-e2e-evidence-'));
    const targets = await startTargets([{ name: 'ee-web01', cases: ['security-update'] }]);
    // Inventory, approval and the rollout itself through the core (the wizard and the live view have their own e2e).
    const { core } = fileCore(dataDir);
    const call = callerOf(core);
    const machineId = (await enrollTargets(core, targets))['ee-web01'] ?? 0;
    await call('decisions.decide', {
      select: { machineIds: [machineId], names: ['pb-openssl'] },
      scope: { kind: 'machine', machineId },
      decision: 'approved',
      note: 'Change 4711',
    });
    const created = await call('rollouts.create', {
      name: 'Acme December',
      targets: { kind: 'machines', machineIds: [machineId] },
      content: { kind: 'all-approved' },
      options: { concurrency: 1, reboot: 'never' },
    });
    rolloutId = created.id;
    await call('rollouts.review', { id: rolloutId });
    await call('rollouts.start', { id: rolloutId });
    await core.services.rollouts.wait(rolloutId);
    expect((await call('rollouts.get', { id: rolloutId })).hosts[0]?.state).toBe('succeeded');
    await core.close();
    browser = await launchChromium();
    host = await startHostProcess(dataDir);
    page = await browser.newPage({ viewport: { width: 1360, height: 860 }, acceptDownloads: true });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (err) => {
      throw err;
    });
    await page.goto(`${host.url}#/rollouts/${rolloutId}`);
  }, 10 * 60_000);

  afterAll(async () => {
    await host?.stop();
    await browser?.close();
    await stopAll();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  it('downloads a pack that verifies, holding the approval with its note', async () => {
    await expect.poll(() => page.getByTestId('rollout-page').getAttribute('data-state')).toBe('finished');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-evidence').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(
      new RegExp(`^patchbay-evidence-rollout-${rolloutId}-\\d{8}-\\d{6}\\.zip$`),
    );
    const saved = path.join(dataDir, 'download.zip');
    await download.saveAs(saved);
    const bytes = fs.readFileSync(saved);
    expect(verifyPack(bytes)).toMatchObject({
      ok: true,
      problems: [],
      rollout: { id: rolloutId, name: 'Acme December' },
    });
    const approvals =
      readZip(bytes)
        .find((e) => e.path === 'approvals.json')
        ?.data.toString() ?? '';
    expect(JSON.parse(approvals)).toMatchObject({
      hosts: [{ applied: [{ decision: 'approved', note: 'Change 4711', scope: { kind: 'machine' } }] }],
    });
    await expect
      .poll(() =>
        page.getByTestId('toast').filter({ hasText: 'Saved patchbay-evidence' }).getAttribute('data-kind'),
      )
      .toBe('success');
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await screenshot(page, `91-rollout-evidence-${colorScheme}`);
    }
  });
});
