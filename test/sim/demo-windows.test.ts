/**
 * Demo mode's Windows machines (reached over OpenSSH, electron/demo/sim-windows.ts) take a rollout as the
 * app would run one: their approved updates reviewed, installed through a SYSTEM task, the machine
 * restarted and verified by a rescan — the simulated Windows of the install tests behind the demo host.
 */
import { describe, expect, it } from 'vitest';

import { openNodeCore } from '../../electron/core/node-core';
import { startDemo } from '../../electron/demo/start-demo';
import { callerOf, createRollout, startToEnd } from '../rollout/engine-bench';

describe('demo mode: Windows machines', () => {
  it('a rollout to a Windows machine over OpenSSH installs its approved updates and restarts it', async () => {
    const demo = await startDemo({ hosts: 30 });
    try {
      const core = openNodeCore(demo.dataDir, 'browser');
      try {
        const call = callerOf(core);
        const { items } = await call('machines.list', {
          filter: {},
          sort: { key: 'displayName', direction: 'asc' },
        });
        const win = items.find((m) => m.tags.includes('windows') && m.status?.lastStatus === 'ok');
        expect(win?.transport).toBe('ssh');
        const before = await call('machines.scanDetails', { id: win!.id });
        expect(before.lastOk?.packageManager).toBe('wua');
        expect(before.patches.length).toBeGreaterThan(0);
        await call('decisions.decide', {
          select: { machineIds: [win!.id], packageManager: 'wua' },
          scope: { kind: 'client', client: win!.client },
          decision: 'approved',
        });
        const created = await createRollout(call, [win!.id], { reboot: 'always' });
        const reviewed = await call('rollouts.review', { id: created.id });
        expect(reviewed.hosts[0]?.state).toBe('reviewed');
        const done = await startToEnd(core, created.id);
        const h = done.hosts[0];
        expect(h?.reason).toBe('');
        expect(h?.state).toBe('succeeded');
        expect(h?.result?.installed.length).toBe(reviewed.hosts[0]?.items.length);
        expect(h?.bootIdAfter).not.toBe(h?.bootIdBefore);
        const after = await call('machines.scanDetails', { id: win!.id });
        expect(after.patches.length).toBeLessThan(before.patches.length);
      } finally {
        await core.close();
      }
    } finally {
      await demo.stop();
    }
  }, 180_000);
});
