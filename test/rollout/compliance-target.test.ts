import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { type Core, createCore } from '../../electron/core/create-core';
import { silentLogger } from '../../electron/core/logger';
import { dataFiles } from '../../electron/core/paths';
import { nodeSecretBox } from '../../electron/secrets/node-secrets';
import { utcDay } from '../../electron/vuln/sla';
import type { Target } from '../targets/hosts';
import { startTargets, stopAll } from '../targets/hosts';
import { installedPb, targetsReady } from './apt-helpers';
import { callerOf, enrollTargets, startToEnd } from './engine-bench';

const DAY = 86_400_000;

// Issue 11's proof on a real Debian target: scan → a fix goes overdue → approved rollout → verify scan →
// the overdue count falls, the trend moves and the fix's time to remediate is recorded. The core's clock
// runs 100 days ahead after the first scan (real time otherwise), so the SLA deadline passes for real.
describe.runIf(targetsReady())('compliance over time on a real Debian target', () => {
  let core: Core | null = null;
  let dir = '';
  afterAll(async () => {
    await core?.close();
    await stopAll();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('falls from overdue to patched after a rollout, with the fix counted in the MTTR', async () => {
    const [target] = (await startTargets([
      { name: 'cmp01', cases: ['security-update', 'normal-update'] },
    ])) as [Target];
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-compliance-target-'));
    const files = dataFiles(dir);
    let offset = 0;
    const c = createCore({
      dbPath: files.db,
      secrets: nodeSecretBox(files.keyFile),
      logger: silentLogger,
      host: 'browser',
      dataDir: dir,
      version: 'test',
      clock: { now: () => Date.now() + offset },
      rollouts: { pollMs: 200 },
    });
    core = c;
    const call = callerOf(c);
    const machineId = (await enrollTargets(c, [target])).cmp01 ?? 0;
    const first = await call('compliance.trend', { scope: 'client', name: 'acme', days: 1 });
    expect(first.points).toEqual([
      expect.objectContaining({ scanned: 1, unpatched: 1, patched: 0, overdue: 0, carried: false }),
    ]);
    const fixes = first.points[0]?.fixes ?? 0;
    expect(fixes).toBeGreaterThan(0);

    // 100 days later (no scan in between): the security fix is past any default deadline (90 days for a
    // fix without a severity). The quiet days are carried forward; the deadline's passing shows.
    offset = 100 * DAY;
    const late = await call('compliance.trend', { scope: 'client', name: 'acme', days: 101 });
    expect(late.points).toHaveLength(101);
    expect(late.points[1]).toMatchObject({ carried: true, overdue: 0 });
    expect(late.points.at(-1)).toMatchObject({ unpatched: 1, overdue: 1, fixes });
    expect((await call('risk.summary', {})).overdue).toBeGreaterThan(0);

    await call('decisions.decide', {
      select: { machineIds: [machineId], securityOnly: true },
      scope: { kind: 'client', client: 'acme' },
      decision: 'approved',
      note: 'compliance test',
    });
    const created = await call('rollouts.create', {
      name: 'cmp-night',
      targets: { kind: 'machines', machineIds: [machineId] },
      content: { kind: 'all-approved' },
      options: { concurrency: 1, reboot: 'never' },
    });
    await call('rollouts.review', { id: created.id });
    const done = await startToEnd(c, created.id);
    expect(done.hosts[0]?.state, done.hosts[0]?.reason).toBe('succeeded');
    expect((await installedPb(target))['pb-openssl']).toBe('3.0.11-1~deb12u2');

    // The verify scan no longer reports the security fix: today's point has no overdue machine.
    const after = await call('compliance.trend', { scope: 'fleet', days: 101 });
    const today = after.points.at(-1);
    expect(today).toMatchObject({ day: utcDay(Date.now() + offset), overdue: 0, carried: false });
    expect(today?.fixes).toBeLessThan(fixes);
    expect(after.points[0]).toMatchObject({ overdue: 0, unpatched: 1 });
    const mttr = await call('compliance.mttr', { scope: 'client', name: 'acme', days: 30 });
    expect(mttr.all.fixed).toBeGreaterThanOrEqual(1);
    expect(mttr.all.meanDays).toBeGreaterThanOrEqual(99.9);
    expect(mttr.all.meanDays).toBeLessThan(101);
  });
});
