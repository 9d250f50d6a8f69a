import { describe, expect, it } from 'vitest';

import { engineHarness, machines } from './engine.test-helper';

describe('rollout create and review (fake hosts, real SQLite)', () => {
  const { setup } = engineHarness({ reconnectMs: 50 });

  it('sends progress when each host review ends and when the review ends, without being asked', async () => {
    const { service, events } = setup(2);
    const r = service.create({ targets: machines(2), content: { kind: 'all-approved' } });
    await service.review(r.id);
    // Flushed before the review answered: a window that did not start it needs no timer or poll.
    const batches = events.flatMap((e) => e.rollouts).filter((b) => b.rolloutId === r.id);
    const last = batches.at(-1);
    expect(last?.state).toBe('reviewed');
    expect(last?.counts.reviewed).toBe(2);
    const hostsSeen = new Map(batches.flatMap((b) => b.hosts).map((h) => [h.machineId, h.state]));
    expect([...hostsSeen.entries()].sort()).toEqual([
      [1, 'reviewed'],
      [2, 'reviewed'],
    ]);
  });

  it('refuses to start a plan with removals unless they are confirmed', async () => {
    const { service, fleet } = setup(1);
    fleet.host(1).removals = ['libold1'];
    const r = service.create({ targets: machines(1), content: { kind: 'all-approved' } });
    await service.review(r.id);
    expect(() => service.start(r.id)).toThrow(/removes packages on host1/);
    service.start(r.id, true);
    await service.wait(r.id);
    expect(service.get(r.id).hosts[0]?.state).toBe('succeeded');
  });

  it('installs only the named patches, and only when approved', async () => {
    const { service, fleet } = setup(1, [
      { name: 'openssl', version: '3' },
      { name: 'curl', version: '8' },
    ]);
    const r = service.create({
      targets: machines(1),
      content: {
        kind: 'named',
        refs: [
          { packageManager: 'apt', kind: 'package', name: 'curl', version: '' },
          // Not approved (the fake approves openssl 3 and curl 8 only): never installed.
          { packageManager: 'apt', kind: 'package', name: 'zlib', version: '' },
          { packageManager: 'apt', kind: 'package', name: 'openssl', version: '4' },
        ],
      },
    });
    const d = await service.review(r.id);
    expect(d.hosts[0]?.items.map((i) => i.name)).toEqual(['curl']);
    service.start(r.id);
    await service.wait(r.id);
    expect(fleet.host(1).installs.get('curl')).toBe(1);
    expect(fleet.host(1).installs.has('openssl')).toBe(false);
  });
});
