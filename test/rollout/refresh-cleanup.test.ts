import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Core } from '../../electron/core/create-core';
import { opIdFor } from '../../electron/rollout/decisions';
import { startOp } from '../../electron/rollout/remote-op';
import type { Target } from '../targets/hosts';
import { startTargets, stopAll } from '../targets/hosts';
import { dpkgLog, installedPb, sessionTo, targetsReady } from './apt-helpers';
import {
  type Call,
  callerOf,
  createRollout,
  enrollTargets,
  openEngineCore,
  preflightEvents,
  startToEnd,
} from './engine-bench';

const OPENSSL_OLD = '3.0.11-1~deb12u1';
const OPENSSL_NEW = '3.0.11-1~deb12u2';
const OPS = '/var/lib/patchbay/ops';

// Pre-flight refreshes stale lists, and op directories are cleaned up, on real Debian targets through the
// core's API: dpkg inside each target, and the ops directory there, are the truth.
describe.runIf(targetsReady())('pre-flight list refresh and op directory clean-up on real targets', () => {
  let core: Core;
  let dir: string;
  const t: Record<string, Target> = {};
  const ids: Record<string, number> = {};

  let call: Call;

  /** Approves pb-openssl on `host` only, reviews a rollout of it there, starts it and waits for its end. */
  async function rollOut(host: string) {
    const machineId = ids[host] ?? 0;
    await call('decisions.decide', {
      select: { machineIds: [machineId], names: ['pb-openssl'] },
      scope: { kind: 'machine', machineId },
      decision: 'approved',
    });
    const created = await createRollout(call, [machineId], { reboot: 'never' });
    expect((await call('rollouts.review', { id: created.id })).hosts[0]?.state).toBe('reviewed');
    const done = await startToEnd(core, created.id);
    const output = await call('rollouts.output', { id: created.id, machineId });
    return {
      id: created.id,
      machineId,
      host: done.hosts[0],
      output: output.chunks.map((c) => c.text).join(''),
    };
  }

  const opsOn = async (x: Target) =>
    (await x.exec(`ls -1 ${OPS} 2>/dev/null || true`)).stdout.split('\n').filter(Boolean).sort();

  beforeAll(async () => {
    const specs = [
      { name: 'rc-stale', cases: ['security-update' as const, 'stale-lists' as const], staleListsDays: 12 },
      {
        name: 'rc-unreachable',
        cases: ['security-update' as const, 'stale-lists' as const, 'unreachable-repo' as const],
        staleListsDays: 12,
      },
    ];
    const started = await startTargets(specs);
    specs.forEach((s, i) => (t[s.name] = started[i] as Target));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-refresh-cleanup-'));
    core = openEngineCore(dir, { pollMs: 200 });
    call = callerOf(core);
    // First contact pins the host keys; the scan does not refresh, so the lists stay 12 days old.
    Object.assign(ids, await enrollTargets(core, started));
  }, 300_000);

  afterAll(async () => {
    for (const x of Object.values(t)) await x.exec('touch /run/pb-op-go').catch(() => undefined);
    await core?.close();
    await stopAll();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stale lists: pre-flight refreshes them, the install succeeds, its op directory is removed and old ones pruned', async () => {
    const x = t['rc-stale'] as Target;
    expect(
      (await call('machines.scanDetails', { id: ids['rc-stale'] ?? 0 })).lastOk?.listsAgeSeconds,
    ).toBeGreaterThan(11 * 86_400);
    // Already on the host: a finished op 40 days old (pruned), one 2 days old (kept), a running one (kept).
    await x.exec(
      `mkdir -p ${OPS}/old-done ${OPS}/young-done && echo 0 > ${OPS}/old-done/exit && echo 0 > ${OPS}/young-done/exit && touch -d '40 days ago' ${OPS}/old-done/exit && touch -d '2 days ago' ${OPS}/young-done/exit`,
    );
    await x.exec('rm -f /run/pb-op-go');
    const s = await sessionTo(x);
    try {
      const waits = 'while [ ! -f /run/pb-op-go ]; do sleep 0.2; done; echo released';
      expect((await startOp(s, 'other-running', waits, 300_000)).kind).toBe('started');
    } finally {
      s.close();
    }
    const before = await dpkgLog(x);

    const { id, machineId, host, output } = await rollOut('rc-stale');
    expect(host?.state, host?.reason).toBe('succeeded');
    expect((await installedPb(x))['pb-openssl']).toBe(OPENSSL_NEW);
    const after = (await dpkgLog(x)).slice(before.length);
    expect(after.filter((l) => l.startsWith('upgrade pb-openssl:'))).toHaveLength(1);
    // Recorded as host events and in the host's output.
    const events = preflightEvents(dir, id, machineId);
    expect(events.map((e) => [e.step ?? '', e.refresh ?? ''])).toEqual([
      ['', ''],
      ['refresh', 'start'],
      ['refreshed', 'ok'],
    ]);
    expect(output).toMatch(/\[patchbay\] refreshing the package lists \(package lists are 12 days old/);
    expect(output).toMatch(/^(Hit|Get):\d+ http:\/\/127\.0\.0\.1:\d+/m);
    expect(host?.preflight?.checks.find((c) => c.id === 'lists')).toEqual({
      id: 'lists',
      ok: true,
      message: 'package lists refreshed before installing',
    });
    // This rollout's op is gone once its result was stored; the prune took only the old finished one.
    expect(await opsOn(x)).toEqual(['other-running', 'young-done']);
    expect(opIdFor(id, machineId, 1)).not.toMatch(/other|young/);
    expect((await x.exec(`cat ${OPS}/other-running/exit 2>/dev/null || echo none`)).stdout.trim()).toBe(
      'none',
    );
  }, 600_000);

  it('stale lists with an unreachable repository: fails with "repository unreachable" before anything changes', async () => {
    const x = t['rc-unreachable'] as Target;
    const before = await dpkgLog(x);
    const { id, machineId, host, output } = await rollOut('rc-unreachable');
    expect(host?.state).toBe('failed');
    expect(host?.failureKind).toBe('repository-unreachable');
    expect(host?.reason).toMatch(/repository unreachable \(http:\/\/127\.0\.0\.2:\d+\/vendor bookworm\)/);
    expect(host?.opId).toBeNull();
    expect(output).toMatch(/^Err:\d+ http:\/\/127\.0\.0\.2/m);
    expect(preflightEvents(dir, id, machineId).map((e) => e.step ?? '')).toEqual(['', 'refresh']);
    // dpkg untouched, and no operation was ever started.
    expect((await installedPb(x))['pb-openssl']).toBe(OPENSSL_OLD);
    expect(await dpkgLog(x)).toEqual(before);
    expect(await opsOn(x)).toEqual([]);
  }, 600_000);
});
