import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Fleet, startFleet } from '../../electron/demo/sim-fleet';
import { simCore } from './sim-core';

// A scan the operator lets trust machines contacted for the first time pins their keys over real SSH
// (ssh2 against the simulator): each pin is a trust decision and leaves one audit entry, once.
describe('keys pinned on first use are audited', () => {
  let fleet: Fleet;
  let sim: Awaited<ReturnType<typeof simCore>>;

  beforeAll(async () => {
    fleet = await startFleet({ hosts: 2, name: (i) => `tofu-${i + 1}`, profiles: ['debian12-security'] });
    sim = await simCore(fleet, { pin: false });
  });
  afterAll(async () => {
    await sim?.close();
    await fleet?.stop();
  });

  it('records hostkey.trusted per host with its fingerprint, and nothing on the next scan', async () => {
    const names = fleet.hosts.map((h) => h.name);
    const first = await (await sim.start(names, true)).done;
    expect([...first.values()].map((p) => p.state)).toEqual(['done', 'done']);
    const { items } = sim.core.services.audit.list({ action: 'hostkey' });
    expect(items.map((e) => [e.action, e.subject, e.detail.fingerprint, e.detail.firstUse]).sort()).toEqual(
      fleet.hosts
        .map((h) => ['hostkey.trusted', `host key of ${h.address}:${h.port}`, h.fingerprint, true])
        .sort(),
    );
    // Pinned now: the second scan trusts nothing new.
    await sim.scan(names);
    expect(sim.core.services.audit.list({ action: 'hostkey' }).total).toBe(2);
    expect(sim.core.services.audit.verify().ok).toBe(true);
  });
});
