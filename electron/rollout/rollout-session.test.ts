import { describe, expect, it } from 'vitest';

import { engineHarness, machines } from './engine.test-helper';

describe('rollout host sessions (fake hosts, real SQLite)', () => {
  const { setup } = engineHarness({ reconnectMs: 50 });

  it('opens one session for the review and one for pre-flight → install → verify, per host', async () => {
    const { fleet, make } = setup(2);
    // Count sessions per machine before the service is built: it takes the ports as they are then.
    const opened = new Map<number, number>();
    const inner = fleet.ports.withSession;
    fleet.ports.withSession = (m, signal, work) => {
      opened.set(m.id, (opened.get(m.id) ?? 0) + 1);
      return inner(m, signal, work);
    };
    const service = make();
    const r = service.create({ targets: machines(2), content: { kind: 'all-approved' }, options: {} });
    await service.review(r.id);
    service.start(r.id);
    await service.wait(r.id);
    expect(service.get(r.id).hosts.map((h) => h.state)).toEqual(['succeeded', 'succeeded']);
    expect([...opened.entries()].sort()).toEqual([
      [1, 2],
      [2, 2],
    ]);
    for (const id of [1, 2]) expect(fleet.host(id).installs.get('openssl')).toBe(1);
  });

  it('reconnects after a dropped connection mid-install and follows the same op to its end', async () => {
    const { fleet, make } = setup(1);
    let opened = 0;
    const inner = fleet.ports.withSession;
    fleet.ports.withSession = (m, signal, work) => {
      opened++;
      return inner(m, signal, work);
    };
    const service = make({ reconnectMs: 5_000 });
    const r = service.create({ targets: machines(1), content: { kind: 'all-approved' }, options: {} });
    await service.review(r.id);
    fleet.host(1).holdOps = true;
    service.start(r.id);
    // The op is started and held; the host then drops (every command fails), comes back, and the op ends.
    for (let i = 0; i < 200 && fleet.host(1).ops.size === 0; i++)
      await new Promise((res) => setTimeout(res, 5));
    fleet.host(1).down = true;
    await new Promise((res) => setTimeout(res, 30));
    fleet.host(1).down = false;
    fleet.finishOps(1);
    await service.wait(r.id);
    expect(service.get(r.id).hosts[0]?.state).toBe('succeeded');
    // Review, the shared session that dropped, and at least one new one that followed the op to its end.
    expect(opened).toBeGreaterThanOrEqual(3);
    expect(fleet.host(1).ops.size).toBe(1);
    expect(fleet.host(1).installs.get('openssl')).toBe(1);
  });
});
