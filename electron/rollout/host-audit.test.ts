import { afterEach, describe, expect, it } from 'vitest';

import type { AuditEntry } from '../../shared/decisions';
import { auditLog } from '../audit/audit-log';
import { silentLogger } from '../core/logger';
import { type Db, openDatabase } from '../db/open';
import { rolloutsRepo } from '../db/repos/rollouts';
import { fakeFleet } from './fake-ports.test-helper';
import { type RolloutService, rolloutService } from './rollout-service';

/**
 * Every host of a rollout gets exactly one audit entry with its final state and reason, however it ended:
 * by its own run, by a cancel or the failure threshold before it started, or already in its review. The
 * entries go through the real hash-chained audit log, whose chain must still verify.
 */
describe('per-host audit entries (fake hosts, real SQLite and audit log)', () => {
  let db: Db | null = null;
  const services: RolloutService[] = [];
  afterEach(async () => {
    await Promise.all(services.splice(0).map((s) => s.close()));
    db?.close();
  });

  const setup = (n: number) => {
    db = openDatabase({ path: ':memory:' });
    const log = auditLog(db, { clock: { now: () => Date.now() }, actor: () => 'tester' });
    const fleet = fakeFleet(n, [{ name: 'openssl', version: '3' }]);
    fleet.ports.audit = (e) => void log.append(e);
    const service = rolloutService({
      repo: rolloutsRepo(db),
      ports: fleet.ports,
      clock: { now: () => Date.now() },
      logger: silentLogger,
      events: () => {},
      pollMs: 5,
      reconnectMs: 50,
    });
    services.push(service);
    return { fleet, service, log };
  };
  const machines = (n: number) => ({
    kind: 'machines' as const,
    machineIds: Array.from({ length: n }, (_, i) => i + 1),
  });
  /** machineId → the host-outcome entries written for it. */
  const outcomes = (entries: AuditEntry[]) => {
    const by = new Map<number, AuditEntry[]>();
    for (const e of entries.filter((x) => x.action === 'rollout.host-outcome')) {
      const id = e.detail.machineId as number;
      by.set(id, [...(by.get(id) ?? []), e]);
    }
    return by;
  };

  it('a cancelled run: one entry per host — finished, cancelled and failed in review — and the chain verifies', async () => {
    const { fleet, service, log } = setup(4);
    fleet.host(1).holdOps = true;
    fleet.host(3).down = true; // fails its review: never runs
    const r = service.create({
      targets: machines(4),
      content: { kind: 'all-approved' },
      options: { concurrency: 1 },
    });
    await service.review(r.id);
    fleet.host(3).down = false;
    service.start(r.id);
    while (fleet.host(1).ops.size === 0) await new Promise((res) => setTimeout(res, 5));
    service.cancel(r.id);
    fleet.finishOps(1);
    await service.wait(r.id);
    expect(service.get(r.id).hosts.map((h) => h.state)).toEqual([
      'succeeded',
      'cancelled',
      'failed',
      'cancelled',
    ]);
    const all = log.all();
    const by = outcomes(all);
    expect([...by.keys()].sort()).toEqual([1, 2, 3, 4]);
    for (const list of by.values()) expect(list).toHaveLength(1);
    expect(by.get(1)?.[0]?.detail).toMatchObject({ rolloutId: r.id, state: 'succeeded', installed: 1 });
    expect(by.get(2)?.[0]?.detail).toMatchObject({
      state: 'cancelled',
      reason: 'Cancelled before it started.',
    });
    expect(by.get(3)?.[0]?.detail).toMatchObject({ state: 'failed', reason: 'host3 is unreachable' });
    expect(by.get(4)?.[0]?.subject).toBe(`rollout ${r.id}: host4 cancelled`);
    // The rollout's own entries frame the hosts': the end comes after every host's.
    const actions = all.map((e) => e.action);
    expect(actions.lastIndexOf('rollout.host-outcome')).toBeLessThan(actions.indexOf('rollout.cancelled'));
    expect(actions.filter((a) => a === 'rollout.cancelled')).toHaveLength(1);
    expect(log.verify()).toMatchObject({ ok: true, broken: null, entries: all.length });
  });

  it('hosts skipped by the failure threshold get their entry with the reason', async () => {
    const { fleet, service, log } = setup(3);
    fleet.host(1).failing = ['space'];
    const r = service.create({
      targets: machines(3),
      content: { kind: 'all-approved' },
      options: { concurrency: 1, failureThreshold: { kind: 'count', value: 1 } },
    });
    await service.review(r.id);
    service.start(r.id);
    await service.wait(r.id);
    const by = outcomes(log.all());
    expect([1, 2, 3].map((id) => by.get(id)?.map((e) => e.detail.state))).toEqual([
      ['failed'],
      ['skipped'],
      ['skipped'],
    ]);
    expect(by.get(2)?.[0]?.detail.reason).toBe('Not started: the failure threshold was reached.');
    expect(log.verify().ok).toBe(true);
  });

  it('cancelling a reviewed rollout that never started writes one entry per host', async () => {
    const { service, log } = setup(2);
    const r = service.create({ targets: machines(2), content: { kind: 'all-approved' } });
    await service.review(r.id);
    service.cancel(r.id);
    const by = outcomes(log.all());
    expect([1, 2].map((id) => by.get(id)?.map((e) => e.detail.state))).toEqual([
      ['cancelled'],
      ['cancelled'],
    ]);
    expect(log.all().map((e) => e.action)).toEqual([
      'rollout.created',
      'rollout.host-outcome',
      'rollout.host-outcome',
      'rollout.cancelled',
    ]);
    expect(log.verify().ok).toBe(true);
  });

  it("a host's final state and its entry are written together: a crash between them loses neither", async () => {
    const { fleet, service, log } = setup(2);
    const r = service.create({ targets: machines(2), content: { kind: 'all-approved' } });
    await service.review(r.id);
    // The process "dies" while writing host 1's entry: the append throws once, as a crash there would stop
    // it. Its final state must not stay behind without the entry (a resume never runs a final host again).
    const append = fleet.ports.audit;
    let crashed = false;
    let stateAtCrash = '';
    fleet.ports.audit = (e) => {
      if (!crashed && e.action === 'rollout.host-outcome' && e.detail.machineId === 1) {
        crashed = true;
        setImmediate(() => (stateAtCrash = service.get(r.id).hosts[0]?.state ?? ''));
        throw new Error('killed while appending');
      }
      append(e);
    };
    service.start(r.id);
    await service.wait(r.id);
    expect(crashed).toBe(true);
    // Rolled back with the entry, the host was still verifying and was verified again, then ended once.
    expect(stateAtCrash).not.toBe('succeeded');
    expect(service.get(r.id).hosts.map((h) => h.state)).toEqual(['succeeded', 'succeeded']);
    const by = outcomes(log.all());
    expect(by.get(1)?.map((e) => e.detail.state)).toEqual(['succeeded']);
    expect(by.get(2)?.map((e) => e.detail.state)).toEqual(['succeeded']);
    expect(log.verify().ok).toBe(true);
  });
});
