import fs from 'node:fs';

import { describe, expect, it } from 'vitest';

import { openNodeCore } from '../../electron/core/node-core';
import { startDemo } from '../../electron/demo/start-demo';

describe('demo mode', () => {
  it('seeds a throwaway folder an app can open and scan, and deletes it on stop', async () => {
    const demo = await startDemo({ hosts: 60 });
    try {
      expect(demo.notice).toMatch(/^DEMO MODE: 60 simulated machines/);
      expect(demo.summary).toEqual({ machines: 60, ok: 56, failed: 4 });
      // What the app does next: open its own core on the folder.
      const core = openNodeCore(demo.dataDir, 'browser');
      try {
        const { items } = await core.handlers['machines.list']({
          filter: {},
          sort: { key: 'displayName', direction: 'asc' },
        });
        expect(items).toHaveLength(60);
        expect(new Set(items.map((m) => m.client)).size).toBeGreaterThan(5);
        expect(items.every((m) => m.os !== '' || m.status?.lastStatus === 'failed')).toBe(true);
        expect(items.some((m) => m.os.startsWith('Debian GNU/Linux 12'))).toBe(true);
        // Windows workstations and servers, reached over OpenSSH, scanned with the Windows Update Agent.
        const windows = items.filter((m) => m.tags.includes('windows'));
        expect(windows.length).toBeGreaterThan(3);
        const scanned = windows.filter((m) => m.status?.lastStatus === 'ok');
        expect(scanned.length).toBeGreaterThan(0);
        expect(scanned.every((m) => /^Microsoft Windows/.test(m.os))).toBe(true);
        const win = await core.handlers['machines.scanDetails']({ id: scanned[0]!.id });
        expect(win.lastOk?.packageManager).toBe('wua');
        const failures = items
          .filter((m) => m.status?.lastStatus === 'failed')
          .map((m) => m.status?.lastErrorKind);
        expect(failures.sort()).toEqual(['auth-failed', 'host-key-changed', 'refused', 'refused']);
        expect((await core.handlers['groups.list']({})).map((g) => g.name)).toContain('PCI scope');
        // A scan started from the app reaches the simulated hosts (still running in this process).
        const ids = items
          .filter((m) => m.status?.lastStatus === 'ok')
          .slice(0, 3)
          .map((m) => m.id);
        const { jobId } = await core.handlers['scan.start']({ machineIds: ids });
        await core.services.scanner.wait(jobId);
        const again = await core.handlers['machines.list']({
          filter: {},
          sort: { key: 'displayName', direction: 'asc' },
        });
        const rescanned = again.items.filter((m) => ids.includes(m.id));
        expect(rescanned.every((m) => m.status?.lastStatus === 'ok')).toBe(true);
        expect(
          rescanned.every((m) => (m.status?.lastScanAt ?? 0) > (items[0]?.status?.lastScanAt ?? 0)),
        ).toBe(true);
      } finally {
        await core.close();
      }
    } finally {
      await demo.stop();
    }
    expect(fs.existsSync(demo.dataDir)).toBe(false);
  });
});
