import { describe, expect, it } from 'vitest';

import type { Machine } from '../../shared/domain';
import { engineHarness, machines } from './engine.test-helper';

const tick = (ms = 5) => new Promise((res) => setTimeout(res, ms));

describe('rollout pause and resume (fake hosts, real SQLite)', () => {
  const { setup } = engineHarness({ reconnectMs: 50 });

  /** Three reviewed hosts run one at a time; host 1's install is held until the test lets it finish. */
  async function runningWithHeldFirst() {
    const s = setup(3);
    s.fleet.host(1).holdOps = true;
    const r = s.service.create({
      targets: machines(3),
      content: { kind: 'all-approved' },
      options: { concurrency: 1 },
    });
    await s.service.review(r.id);
    s.service.start(r.id);
    while (s.fleet.host(1).ops.size === 0) await tick();
    return { ...s, id: r.id };
  }
  const states = (d: { hosts: { state: string }[] }) => d.hosts.map((h) => h.state);
  const opsOn = (fleet: ReturnType<typeof setup>['fleet']) => [1, 2, 3].map((m) => fleet.host(m).ops.size);

  it('pause starts no new host, lets the running install finish once, and resume completes the queue', async () => {
    const { service, fleet, id } = await runningWithHeldFirst();
    expect(service.pause(id).state).toBe('paused');
    fleet.finishOps(1);
    await service.wait(id);
    const paused = service.get(id);
    expect(paused.state).toBe('paused');
    expect(states(paused)).toEqual(['succeeded', 'reviewed', 'reviewed']);
    expect(opsOn(fleet)).toEqual([1, 0, 0]);
    expect(paused.runnerUntil).toBe(0);

    expect(service.resume(id).state).toBe('running');
    await service.wait(id);
    const done = service.get(id);
    expect(done.state).toBe('finished');
    expect(states(done)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    for (const m of [1, 2, 3]) expect(fleet.host(m).installs.get('openssl')).toBe(1);
    expect(fleet.audit.map((a) => a.action)).toEqual([
      'rollout.created',
      'rollout.started',
      'rollout.paused',
      'rollout.host-outcome',
      'rollout.resumed',
      'rollout.host-outcome',
      'rollout.host-outcome',
      'rollout.finished',
    ]);
    expect(fleet.audit[4]?.detail).toMatchObject({ cause: 'operator', waiting: 2 });
  });

  it('a resume while the last host still works continues with the waiting hosts in the same run', async () => {
    const { service, fleet, id } = await runningWithHeldFirst();
    service.pause(id);
    await tick(20);
    service.resume(id);
    fleet.finishOps(1);
    await service.wait(id);
    expect(service.get(id).state).toBe('finished');
    expect(opsOn(fleet)).toEqual([1, 1, 1]);
  });

  it('stays paused across a crash: the host under way is followed to its end, the queue waits', async () => {
    const { service, fleet, repo, make, id } = await runningWithHeldFirst();
    service.pause(id);
    await service.close(); // Patchbay stops while host 1 installs.
    expect(repo.host(id, 1)?.state).toBe('installing');
    const second = make();
    expect(second.resumeAll()).toEqual([id]);
    fleet.finishOps(1);
    await second.wait(id);
    expect(second.get(id).state).toBe('paused');
    expect(states(second.get(id))).toEqual(['succeeded', 'reviewed', 'reviewed']);
    expect(fleet.host(1).ops.size).toBe(1);
    expect(fleet.host(1).installs.get('openssl')).toBe(1);
    // A paused rollout with nothing under way is simply paused at the next start: nothing runs.
    await second.close();
    const third = make();
    expect(third.resumeAll()).toEqual([]);
    await tick(20);
    expect(opsOn(fleet)).toEqual([1, 0, 0]);
    expect(() => third.start(id)).toThrow(/paused: resume it/);
    third.resume(id);
    await third.wait(id);
    expect(states(third.get(id))).toEqual(['succeeded', 'succeeded', 'succeeded']);
  });

  it('cancel works from paused: at once when nothing works, after the running install otherwise', async () => {
    const a = await runningWithHeldFirst();
    a.service.pause(a.id);
    expect(a.service.cancel(a.id)).toEqual({ cancelled: true });
    a.fleet.finishOps(1);
    await a.service.wait(a.id);
    const d = a.service.get(a.id);
    expect(d.state).toBe('cancelled');
    expect(states(d)).toEqual(['succeeded', 'cancelled', 'cancelled']);
    // Every host has its entry: the one that installed, and the two the cancel stopped.
    expect(a.fleet.audit.map((x) => x.action).slice(-5)).toEqual([
      'rollout.cancel-requested',
      'rollout.host-outcome',
      'rollout.host-outcome',
      'rollout.host-outcome',
      'rollout.cancelled',
    ]);
    expect(() => a.service.resume(a.id)).toThrow(/cancelled/);

    const b = await runningWithHeldFirst();
    b.service.pause(b.id);
    b.fleet.finishOps(1);
    await b.service.wait(b.id);
    expect(b.service.cancel(b.id)).toEqual({ cancelled: true });
    const e = b.service.get(b.id);
    expect(e.state).toBe('cancelled');
    expect(states(e)).toEqual(['succeeded', 'cancelled', 'cancelled']);
    expect(b.fleet.audit.map((x) => x.action).slice(-3)).toEqual([
      'rollout.host-outcome',
      'rollout.host-outcome',
      'rollout.cancelled',
    ]);
  });

  it('a cancel of a paused rollout a crash left mid-install ends it at the next start, after that host', async () => {
    const { service, fleet, repo, make, id } = await runningWithHeldFirst();
    service.pause(id);
    await service.close();
    // Another process (the CLI) cancels while no Patchbay runs it: only the request is recorded.
    expect(make().cancel(id)).toEqual({ cancelled: true });
    expect(repo.get(id)).toMatchObject({ state: 'paused', cancelRequested: true });
    expect(fleet.audit.at(-1)?.action).toBe('rollout.cancel-requested');
    const next = make();
    expect(next.resumeAll()).toEqual([id]);
    fleet.finishOps(1);
    await next.wait(id);
    const d = next.get(id);
    expect(d.state).toBe('cancelled');
    expect(states(d)).toEqual(['succeeded', 'cancelled', 'cancelled']);
    expect(opsOn(fleet)).toEqual([1, 0, 0]);
    expect(fleet.audit.at(-1)?.action).toBe('rollout.cancelled');
  });

  it('a pause or resume from another process on the same database is obeyed', async () => {
    const { service, fleet, make, id } = await runningWithHeldFirst();
    const other = make();
    other.pause(id);
    fleet.finishOps(1);
    await service.wait(id);
    expect(service.get(id).state).toBe('paused');
    expect(opsOn(fleet)).toEqual([1, 0, 0]);
    // The first process gave the lease back when it stopped: the other one takes the run.
    other.resume(id);
    await other.wait(id);
    expect(other.get(id).state).toBe('finished');
    expect(opsOn(fleet)).toEqual([1, 1, 1]);
  });

  it('only a running rollout pauses, only a paused one resumes', async () => {
    const { service } = setup(1);
    const r = service.create({ targets: machines(1), content: { kind: 'all-approved' } });
    expect(() => service.pause(r.id)).toThrow(/Only a running rollout/);
    expect(() => service.resume(r.id)).toThrow(/Only a paused rollout/);
  });
});

describe('hosts run in the order they were picked', () => {
  const { setup } = engineHarness();
  /** Machine ids in the order their pre-flight started. */
  const startOrder = (repo: ReturnType<typeof setup>['repo'], id: number) =>
    repo
      .events(id)
      .filter((e) => e.to === 'preflight')
      .map((e) => e.machineId);

  it('named machines: as picked (a repeated pick counts once); a group: by name', async () => {
    const { service, repo, fleet } = setup(4);
    const r = service.create({
      targets: { kind: 'machines', machineIds: [3, 1, 3, 4, 2] },
      content: { kind: 'all-approved' },
      options: { concurrency: 1 },
    });
    expect(r.hosts.map((h) => h.machineId)).toEqual([3, 1, 4, 2]);
    await service.review(r.id);
    expect(service.get(r.id).hosts.map((h) => h.machineId)).toEqual([3, 1, 4, 2]);
    service.start(r.id);
    await service.wait(r.id);
    expect(startOrder(repo, r.id)).toEqual([3, 1, 4, 2]);

    const named = (id: number, displayName: string) => ({ ...fleet.host(id), id, displayName }) as unknown;
    fleet.ports.machinesOf = () =>
      [named(1, 'web-b'), named(2, 'db'), named(3, 'web-a'), named(4, 'app')] as Machine[];
    const g = service.create({ targets: { kind: 'group', groupId: 1 }, content: { kind: 'all-approved' } });
    expect(g.hosts.map((h) => h.machineName)).toEqual(['app', 'db', 'web-a', 'web-b']);
  });
});
