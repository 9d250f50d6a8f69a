import { afterEach, describe, expect, it } from 'vitest';

import { silentLogger } from '../core/logger';
import { type Db, openDatabase } from '../db/open';
import { rolloutsRepo } from '../db/repos/rollouts';
import { opIdFor } from './decisions';
import { fakeFleet } from './fake-ports.test-helper';
import { MAX_ATTEMPTS } from './host-common';
import { type RolloutService, rolloutService } from './rollout-service';

/**
 * The engine removes a host's op directories once its result is stored, and a resume never needs them: a
 * removed directory reads as "never started", which the engine re-checks instead of running again.
 */
describe('op directories removed after the result is stored (fake hosts, real SQLite)', () => {
  let db: Db | null = null;
  const services: RolloutService[] = [];
  afterEach(async () => {
    await Promise.all(services.splice(0).map((s) => s.close()));
    db?.close();
  });

  const setup = (n: number) => {
    db = openDatabase({ path: ':memory:' });
    const repo = rolloutsRepo(db);
    const fleet = fakeFleet(n, [
      { name: 'openssl', version: '3' },
      { name: 'curl', version: '8' },
    ]);
    const make = () => {
      const s = rolloutService({
        repo,
        ports: fleet.ports,
        clock: { now: () => Date.now() },
        logger: silentLogger,
        events: () => {},
        pollMs: 5,
        reconnectMs: 50,
      });
      services.push(s);
      return s;
    };
    return { repo, fleet, make };
  };

  it("removes each host's finished op once it has succeeded; a host that never installed is left alone", async () => {
    const { fleet, make } = setup(2);
    fleet.host(2).failing = ['lock'];
    const service = make();
    const r = service.create({
      targets: { kind: 'machines', machineIds: [1, 2] },
      content: { kind: 'all-approved' },
    });
    await service.review(r.id);
    service.start(r.id);
    await service.wait(r.id);
    expect(service.get(r.id).hosts.map((h) => h.state)).toEqual(['succeeded', 'failed']);
    expect(fleet.host(1).removedOps).toEqual([opIdFor(r.id, 1, 1)]);
    expect(fleet.host(2).removedOps).toEqual([]);
  });

  it('removes a lost earlier attempt too, once a later attempt has finished', async () => {
    const { repo, fleet, make } = setup(1);
    const first = make();
    const r = first.create({
      targets: { kind: 'machines', machineIds: [1] },
      content: { kind: 'all-approved' },
    });
    await first.review(r.id);
    // As after a crash: attempt 1 was lost on the host (rebooted mid-install) with openssl in.
    repo.setState(r.id, 'running', Date.now(), { startedAt: Date.now() });
    repo.transition(
      r.id,
      1,
      'installing',
      { step: 'follow', opId: opIdFor(r.id, 1, 1), attempts: 1, bootIdBefore: 'boot-1-0' },
      Date.now(),
    );
    const h = fleet.host(1);
    h.ops.set(opIdFor(r.id, 1, 1), { state: 'lost', code: -1, log: '', pending: ['openssl=3', 'curl=8'] });
    h.versions.set('openssl', '3');
    const second = make();
    expect(second.resumeAll()).toEqual([r.id]);
    await second.wait(r.id);
    expect(second.get(r.id).hosts[0]?.state).toBe('succeeded');
    expect(h.removedOps).toEqual([opIdFor(r.id, 1, 1), opIdFor(r.id, 1, 2)]);
  });

  it("removes the last attempt's lost op too, once the host failed on it (nothing reads it again)", async () => {
    const { repo, fleet, make } = setup(1);
    const first = make();
    const r = first.create({
      targets: { kind: 'machines', machineIds: [1] },
      content: { kind: 'all-approved' },
    });
    await first.review(r.id);
    // As after crashes: the last allowed attempt was lost on the host with nothing installed.
    repo.setState(r.id, 'running', Date.now(), { startedAt: Date.now() });
    const last = opIdFor(r.id, 1, MAX_ATTEMPTS);
    repo.transition(
      r.id,
      1,
      'installing',
      { step: 'follow', opId: last, attempts: MAX_ATTEMPTS, bootIdBefore: 'boot-1-0' },
      Date.now(),
    );
    const h = fleet.host(1);
    h.ops.set(last, { state: 'lost', code: -1, log: '', pending: ['openssl=3', 'curl=8'] });
    const second = make();
    expect(second.resumeAll()).toEqual([r.id]);
    await second.wait(r.id);
    const host = second.get(r.id).hosts[0];
    expect(host?.state).toBe('failed');
    expect(host?.failureKind).toBe('interrupted');
    expect(h.removedOps).toEqual([last]);
    // Re-checked and given up on: never started again.
    expect([...h.ops.keys()]).toEqual([last]);
  });

  it('a resume that finds the op directory already removed re-checks and installs nothing again', async () => {
    const { repo, fleet, make } = setup(1);
    const first = make();
    const r = first.create({
      targets: { kind: 'machines', machineIds: [1] },
      content: { kind: 'all-approved' },
    });
    await first.review(r.id);
    first.start(r.id);
    await first.wait(r.id);
    const h = fleet.host(1);
    expect(h.removedOps).toEqual([opIdFor(r.id, 1, 1)]);
    expect(h.installs).toEqual(
      new Map([
        ['openssl', 1],
        ['curl', 1],
      ]),
    );
    // The worst case: the database says the install is still being followed while its directory is gone
    // (stored result, removal, then a crash): the op reads as unknown after a recorded start.
    repo.setState(r.id, 'running', Date.now());
    repo.transition(r.id, 1, 'installing', { step: 'follow', finishedAt: null }, Date.now());
    const second = make();
    expect(second.resumeAll()).toEqual([r.id]);
    await second.wait(r.id);
    expect(second.get(r.id).hosts[0]?.state).toBe('succeeded');
    // No second op id, no package installed twice.
    expect([...h.ops.keys()]).toEqual([opIdFor(r.id, 1, 1)]);
    expect(h.installs.get('openssl')).toBe(1);
    expect(h.installs.get('curl')).toBe(1);
  });
});
