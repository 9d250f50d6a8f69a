import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Fleet, startFleet } from '../../electron/demo/sim-fleet';
import type { openSession } from '../../electron/ssh/session';
import { simCore } from './sim-core';

type SimCore = Awaited<ReturnType<typeof simCore>>;

const LIMIT = 3;

describe("the core's one SSH pool and host locks, shared by every job", () => {
  let fleet: Fleet;
  let sim: SimCore;
  // Connections open now (from the start of connecting to close), over all and per address.
  let open = 0;
  let maxOpen = 0;
  const perHost = new Map<string, number>();
  let maxPerHost = 0;

  const counting =
    (inner: typeof openSession): typeof openSession =>
    async (target, options) => {
      open += 1;
      maxOpen = Math.max(maxOpen, open);
      const n = (perHost.get(target.address) ?? 0) + 1;
      perHost.set(target.address, n);
      maxPerHost = Math.max(maxPerHost, n);
      const done = () => {
        open -= 1;
        perHost.set(target.address, (perHost.get(target.address) ?? 1) - 1);
      };
      let session;
      try {
        session = await inner(target, options);
      } catch (err) {
        done();
        throw err;
      }
      let closed = false;
      return {
        ...session,
        hostKey: session.hostKey,
        close: () => {
          if (!closed) done();
          closed = true;
          session.close();
        },
      };
    };

  beforeAll(async () => {
    fleet = await startFleet({ hosts: 8, profiles: ['debian12-security'], latencyMs: 150 });
    sim = await simCore(fleet, { concurrency: LIMIT, wrapOpen: counting });
  });
  afterAll(async () => {
    await sim?.close();
    await fleet?.stop();
  });

  it('keeps two scan jobs together within the connection limit and never on one host at once', async () => {
    const names = fleet.hosts.map((h) => h.name);
    const before = fleet.counts();
    const a = await sim.start(names);
    const b = await sim.start([...names].reverse());
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect(maxOpen).toBe(LIMIT);
    expect(maxPerHost).toBe(1);
    for (const name of names) {
      expect(ra.get(sim.id(name))?.state).toBe('done');
      expect(rb.get(sim.id(name))?.state).toBe('done');
      // Each job really connected to each host (two connections per host, one after the other).
      expect(fleet.counts()[name]?.connections).toBe((before[name]?.connections ?? 0) + 2);
    }
    expect(open).toBe(0);
  });

  it('reports a host a rollout holds as busy, without connecting to it, and scans the others', async () => {
    const [held, free] = fleet.hosts.map((h) => h.name);
    if (!held || !free) throw new Error('fleet too small');
    const { hostLocks } = sim.core.ssh;
    const release = await hostLocks.acquire(sim.id(held), { kind: 'rollout', id: 'r-1' });
    try {
      const before = fleet.counts()[held]?.connections;
      const r = await sim.scan([held, free]);
      expect(r.get(sim.id(free))?.state).toBe('done');
      expect(r.get(sim.id(held))).toMatchObject({
        state: 'failed',
        errorKind: 'busy',
        message: expect.stringMatching(/a rollout is patching this machine/i),
      });
      expect(fleet.counts()[held]?.connections).toBe(before);
      const details = await sim.core.handlers['machines.scanDetails']({ id: sim.id(held) });
      expect(details.lastError?.kind).toBe('busy');
      expect(hostLocks.holder(sim.id(held))).toEqual({ kind: 'rollout', id: 'r-1' });
    } finally {
      release();
    }
    expect(hostLocks.holder(sim.id(held))).toBeNull();
    const again = await sim.scan([held]);
    expect(again.get(sim.id(held))?.state).toBe('done');
  });
});
