import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Core } from '../../electron/core/create-core';
import type { RolloutDetail } from '../../shared/domain';
import type { Target } from '../targets/hosts';
import { startTargets, stopAll } from '../targets/hosts';
import { dpkgLog, installedPb, targetsReady } from './apt-helpers';
import {
  type Call,
  callerOf,
  cliOn,
  createRollout,
  enrollTargets,
  openEngineCore,
  startToEnd,
} from './engine-bench';

// The whole engine on real Debian targets over real SSH: approvals, each host's own dry run, pre-flight,
// a detached install, verify by rescan, and a reboot verified by a new boot id. dpkg inside the target is
// the truth every result is checked against.
describe.runIf(targetsReady())('rollouts on real Debian targets', () => {
  let core: Core;
  let dir: string;
  let one: Target;
  let two: Target;
  let kern: Target;
  const ids: Record<string, number> = {};

  let call: Call;

  beforeAll(async () => {
    [one, two, kern] = (await startTargets([
      { name: 'rl-one', cases: ['security-update', 'normal-update'] },
      { name: 'rl-two', cases: ['security-update', 'new-dependency'] },
      { name: 'rl-kern', cases: ['reboot-required'] },
    ])) as [Target, Target, Target];
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-rollout-'));
    core = openEngineCore(dir, { pollMs: 200 });
    call = callerOf(core);
    // First contact pins the host keys; rollouts accept pinned keys only.
    Object.assign(ids, await enrollTargets(core, [one, two, kern]));
  }, 300_000);

  afterAll(async () => {
    await core?.close();
    await stopAll();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('installs the approved security update on two targets, and only it; dpkg and the rescan agree', async () => {
    const machineIds = [ids['rl-one'] ?? 0, ids['rl-two'] ?? 0];
    await call('decisions.decide', {
      select: { machineIds, securityOnly: true },
      scope: { kind: 'client', client: 'acme' },
      decision: 'approved',
    });
    const created = await createRollout(call, machineIds, { concurrency: 2, reboot: 'never' });
    expect(created.hosts.map((h) => h.state)).toEqual(['queued', 'queued']);
    const reviewed = await call('rollouts.review', { id: created.id });
    for (const h of reviewed.hosts) {
      expect(h.state).toBe('reviewed');
      expect(h.items.map((i) => `${i.name}=${i.version}`)).toEqual(['pb-openssl=3.0.11-1~deb12u2']);
      expect(h.plan?.upgrades.map((c) => c.name)).toEqual(['pb-openssl']);
      expect(h.plan?.removals).toEqual([]);
    }
    const done = await startToEnd(core, created.id);
    expect(done.state).toBe('finished');
    for (const [t, h] of [
      [one, done.hosts[0]],
      [two, done.hosts[1]],
    ] as const) {
      expect(h?.state, h?.reason).toBe('succeeded');
      const truth = await installedPb(t);
      expect(truth['pb-openssl']).toBe('3.0.11-1~deb12u2');
      // Not approved, so not installed.
      if (t === one) expect(truth['pb-tzdata']).toBe('2024a-0+deb12u1');
      if (t === two) expect(truth['pb-app']).toBe('1.0-1');
      expect((await dpkgLog(t)).filter((l) => l.startsWith('upgrade pb-openssl:'))).toHaveLength(1);
      // The verify rescan is in the scan history: pb-openssl is no longer missing there.
      const details = await call('machines.scanDetails', { id: h?.machineId ?? 0 });
      expect(details.patches.map((p) => p.name)).not.toContain('pb-openssl');
      expect(details.history.some((e) => e.kind === 'fixed' && e.name === 'pb-openssl')).toBe(true);
      expect(h?.result?.installed.map((i) => `${i.name} ${i.version} ${i.target}`)).toEqual([
        'pb-openssl 3.0.11-1~deb12u2 3.0.11-1~deb12u2',
      ]);
      expect(h?.result?.missing).toEqual([]);
    }
    const output = await call('rollouts.output', { id: created.id, machineId: ids['rl-one'] ?? 0 });
    expect(output.chunks.map((c) => c.text).join('')).toMatch(/Setting up pb-openssl/);
    const audit = await call('audit.list', { action: 'rollout' });
    expect(audit.items.map((e) => e.action).reverse()).toEqual([
      'rollout.created',
      'rollout.started',
      'rollout.host-outcome',
      'rollout.host-outcome',
      'rollout.finished',
    ]);
    expect((await call('audit.verify', {})).ok).toBe(true);
  }, 600_000);

  it('reboots a target whose update needs it and verifies it by a new boot id (through the CLI)', async () => {
    const id = ids['rl-kern'] ?? 0;
    const bootBefore = (await kern.exec('cat /proc/sys/kernel/random/boot_id')).stdout.trim();
    await call('decisions.decide', {
      select: { machineIds: [id], names: ['pb-kernel'] },
      scope: { kind: 'machine', machineId: id },
      decision: 'approved',
    });
    // The CLI runs its own core on the same data folder, as a technician's shell would.
    const cli = (args: string[]) => cliOn(dir, args);
    const created = await cli([
      'rollout',
      'create',
      '--machine',
      'rl-kern',
      '--reboot',
      'if-required',
      '--reboot-wait',
      '3',
      '--json',
    ]);
    expect(created.code, created.err).toBe(0);
    const rolloutId = (JSON.parse(created.out) as { id: number }).id;
    const review = await cli(['rollout', 'review', String(rolloutId)]);
    expect(review.code, review.err).toBe(0);
    expect(review.out).toContain('upgrade pb-kernel 6.1.0-1 → 6.1.0-2');
    const start = await cli(['rollout', 'start', String(rolloutId)]);
    expect(start.code, start.err + start.out).toBe(0);
    expect(start.err).toMatch(/rl-kern: rebooting/);
    const status = await cli(['rollout', 'status', String(rolloutId), '--json']);
    const h = (JSON.parse(status.out) as RolloutDetail).hosts[0];
    expect(h?.state, h?.reason).toBe('succeeded');
    const bootAfter = (await kern.exec('cat /proc/sys/kernel/random/boot_id')).stdout.trim();
    expect(bootAfter).not.toBe(bootBefore);
    expect(h?.bootIdBefore).toBe(bootBefore);
    expect(h?.bootIdAfter).toBe(bootAfter);
    expect((await installedPb(kern))['pb-kernel']).toBe('6.1.0-2');
    expect(h?.result?.rebootRequired).toBe(false);
    const list = await cli(['rollout', 'list']);
    expect(list.out).toMatch(new RegExp(`${rolloutId}\\s+finished`));
  }, 600_000);
});
