import { describe, expect, it } from 'vitest';

import { engineHarness, machines } from './engine.test-helper';

describe('rollout run, threshold and cancel (fake hosts, real SQLite)', () => {
  const { setup } = engineHarness({ reconnectMs: 50 });

  it('reviews, starts and verifies: each approved package installed once per host', async () => {
    const { service, fleet, repo } = setup(3);
    const r = service.create({
      targets: machines(3),
      content: { kind: 'all-approved' },
      options: { concurrency: 2 },
    });
    expect(r.hosts.map((h) => h.state)).toEqual(['queued', 'queued', 'queued']);
    const reviewed = await service.review(r.id);
    expect(
      reviewed.hosts.every((h) => h.state === 'reviewed' && h.plan?.upgrades[0]?.toVersion === '3'),
    ).toBe(true);
    service.start(r.id);
    await service.wait(r.id);
    const done = service.get(r.id);
    expect(done.state).toBe('finished');
    expect(done.hosts.map((h) => h.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    for (const id of [1, 2, 3]) expect(fleet.host(id).installs.get('openssl')).toBe(1);
    expect(done.hosts[0]?.result?.installed).toEqual([
      { name: 'openssl', arch: '', version: '3', target: '3' },
    ]);
    expect(repo.outputText(r.id, 1)).toContain('Setting up openssl (3)');
    const flow = repo
      .events(r.id)
      .filter((e) => e.machineId === 1)
      .map((e) => e.to);
    expect(flow).toEqual([
      'reviewing',
      'reviewed',
      'preflight',
      'installing',
      'installing',
      'verifying',
      'succeeded',
    ]);
    expect(fleet.audit.map((a) => a.action)).toEqual([
      'rollout.created',
      'rollout.started',
      'rollout.host-outcome',
      'rollout.host-outcome',
      'rollout.host-outcome',
      'rollout.finished',
    ]);
  });

  it('shows a failed verify rescan in the host reason, and the host still succeeds', async () => {
    const { service, fleet } = setup(2);
    fleet.ports.rescan = async (_s, m) => {
      if (m.id === 2) throw new Error('The verify scan failed: the host closed the connection.');
    };
    const r = service.create({ targets: machines(2), content: { kind: 'all-approved' } });
    await service.review(r.id);
    service.start(r.id);
    await service.wait(r.id);
    const [one, two] = service.get(r.id).hosts;
    expect(one).toMatchObject({ state: 'succeeded', reason: '' });
    expect(two?.state).toBe('succeeded');
    expect(two?.result?.rescanProblem).toContain('closed the connection');
    expect(two?.reason).toContain('inventory of the host was not updated');
    expect(two?.reason).toContain('the host closed the connection');
  });

  it('fails a host whose pre-flight fails, before anything changes on it', async () => {
    const { service, fleet } = setup(2);
    fleet.host(2).failing = ['lock'];
    const r = service.create({ targets: machines(2), content: { kind: 'all-approved' } });
    await service.review(r.id);
    service.start(r.id);
    await service.wait(r.id);
    const h2 = service.get(r.id).hosts[1];
    expect(h2?.state).toBe('failed');
    expect(h2?.failureKind).toBe('preflight');
    expect(h2?.reason).toContain('lock check failed');
    expect(fleet.host(2).ops.size).toBe(0);
    expect(fleet.host(2).installs.size).toBe(0);
  });

  it('stops starting new hosts once the failure threshold is reached', async () => {
    const { service, fleet } = setup(4);
    for (const id of [1, 2, 3, 4]) fleet.host(id).failing = ['space'];
    const r = service.create({
      targets: machines(4),
      content: { kind: 'all-approved' },
      options: { concurrency: 1, failureThreshold: { kind: 'count', value: 2 } },
    });
    await service.review(r.id);
    service.start(r.id);
    await service.wait(r.id);
    const d = service.get(r.id);
    expect(d.hosts.map((h) => h.state)).toEqual(['failed', 'failed', 'skipped', 'skipped']);
    expect(d.stopReason).toBe('threshold');
  });

  it('cancel starts nothing new but follows a running install to its end', async () => {
    const { service, fleet } = setup(2);
    fleet.host(1).holdOps = true;
    const r = service.create({
      targets: machines(2),
      content: { kind: 'all-approved' },
      options: { concurrency: 1 },
    });
    await service.review(r.id);
    service.start(r.id);
    while (fleet.host(1).ops.size === 0) await new Promise((res) => setTimeout(res, 5));
    expect(service.cancel(r.id)).toEqual({ cancelled: true });
    await new Promise((res) => setTimeout(res, 30));
    expect(service.get(r.id).hosts[0]?.state).toBe('installing');
    fleet.finishOps(1);
    await service.wait(r.id);
    const d = service.get(r.id);
    expect(d.state).toBe('cancelled');
    expect(d.hosts.map((h) => h.state)).toEqual(['succeeded', 'cancelled']);
    expect(fleet.host(1).installs.get('openssl')).toBe(1);
    expect(fleet.host(2).ops.size).toBe(0);
  });

  it('coalesces progress into few messages whatever the host count', async () => {
    const { service, events } = setup(40);
    const r = service.create({
      targets: machines(40),
      content: { kind: 'all-approved' },
      options: { concurrency: 40 },
    });
    await service.review(r.id);
    service.start(r.id);
    await service.wait(r.id);
    // 40 hosts × 5 transitions each, all within a few intervals: a handful of messages, not 200.
    expect(events.length).toBeLessThan(20);
    const last = events.at(-1)?.rollouts[0];
    expect(last?.state).toBe('finished');
    expect(last?.counts.succeeded).toBe(40);
  });
});
