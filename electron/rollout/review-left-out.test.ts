import { afterEach, describe, expect, it } from 'vitest';

import { silentLogger } from '../core/logger';
import { type Db, openDatabase } from '../db/open';
import { rolloutsRepo } from '../db/repos/rollouts';
import type { PlatformInstaller } from '../platforms/installer';
import { fakeFleet, fakeInstaller } from './fake-ports.test-helper';
import { type RolloutService, rolloutService } from './rollout-service';

// An installer that leaves items out of its plan (zypper: a reboot patch under policy "never"): the
// review drops them from the host's items, so they are neither installed nor expected by verification.
describe('review: items the installer leaves out', () => {
  let db: Db | null = null;
  let service: RolloutService | null = null;
  afterEach(async () => {
    await service?.close();
    db?.close();
  });

  const setup = (leftOut: string[]) => {
    db = openDatabase({ path: ':memory:' });
    const fleet = fakeFleet(1, [
      { name: 'openssl', version: '3' },
      { name: 'glibc', version: '3' },
    ]);
    const inst: PlatformInstaller = {
      ...fakeInstaller,
      parseDryRun: (out, code) => ({ ...fakeInstaller.parseDryRun(out, code), leftOut }),
    };
    service = rolloutService({
      repo: rolloutsRepo(db),
      ports: { ...fleet.ports, installer: (pm) => (pm === 'apt' ? inst : null) },
      clock: { now: () => Date.now() },
      logger: silentLogger,
      events: () => {},
      pollMs: 5,
      reconnectMs: 50,
    });
    return { fleet, service };
  };

  it('keeps only the other items, installs and verifies those', async () => {
    const { fleet, service } = setup(['glibc']);
    const r = service.create({
      targets: { kind: 'machines', machineIds: [1] },
      content: { kind: 'all-approved' },
    });
    const h = (await service.review(r.id)).hosts[0];
    expect(h?.state).toBe('reviewed');
    expect(h?.items.map((i) => i.name)).toEqual(['openssl']);
    service.start(r.id);
    await service.wait(r.id);
    const done = service.get(r.id).hosts[0];
    expect(done?.state, done?.reason).toBe('succeeded');
    expect(done?.result?.missing).toEqual([]);
    expect(fleet.host(1).installs.get('glibc')).toBeUndefined();
    expect(fleet.host(1).installs.get('openssl')).toBe(1);
  });

  it('skips a host when everything approved is left out', async () => {
    const { service } = setup(['glibc', 'openssl']);
    const r = service.create({
      targets: { kind: 'machines', machineIds: [1] },
      content: { kind: 'all-approved' },
    });
    const h = (await service.review(r.id)).hosts[0];
    expect(h?.state).toBe('skipped');
    expect(h?.items).toEqual([]);
    expect(h?.reason).toMatch(/needs a reboot/);
  });
});
