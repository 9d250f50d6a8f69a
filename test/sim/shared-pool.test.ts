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

  it('lists a running scan in jobs.active, in the common job shape, until it ends', async () => {
    const names = fleet.hosts.map((h) => h.name);
    const job = await sim.start(names);
    const active = await sim.core.handlers['jobs.active']({});
    expect(active).toHaveLength(1);
    expect(active[0]).toMatchObject({
      kind: 'scan',
      jobId: job.jobId,
      title: `Scan of ${names.length} machines`,
    });
    expect(active[0]?.totals.total).toBe(names.length);
    expect(active[0]?.hosts.map((h) => h.machineId).sort()).toEqual(names.map((n) => sim.id(n)).sort());
    await job.done;
    expect(await sim.core.handlers['jobs.active']({})).toEqual([]);
  });

  it('scans one host over a session the caller holds, as a run of its own in the scan history', async () => {
    const name = fleet.hosts[2]?.name ?? '';
    const machine = await sim.core.handlers['machines.get']({ id: sim.id(name) });
    const { scanner } = sim.core.services;
    const before = fleet.counts()[name];
    const r = await sim.core.ssh.pool.withSession(
      scanner.targetOf(machine),
      { hostKeys: sim.core.repos.hostKeys, hostKeyPolicy: 'pinned-only' },
      (session) => scanner.scanHostRun(session, machine),
    );
    expect(r.ok).toBe(true);
    expect(r.ok && r.findings.facts.bootId).toBe(fleet.bootId(name));
    // One connection, one command: the collection over the caller's session.
    expect(fleet.counts()[name]).toEqual({
      connections: (before?.connections ?? 0) + 1,
      execs: (before?.execs ?? 0) + 1,
      installs: 0,
      secondStarts: 0,
    });
    const run = sim.core.db
      .prepare('SELECT state, machine_count, ok_count FROM scan_runs WHERE id = ?')
      .get(r.runId);
    expect(run).toEqual({ state: 'done', machine_count: 1, ok_count: 1 });
    const details = await sim.core.handlers['machines.scanDetails']({ id: machine.id });
    expect(details.status?.lastScanAt).toBeGreaterThan(0);
    expect(sim.bootIdOf(name)).toBe(fleet.bootId(name));
  });
});
