import { afterEach, describe, expect, it } from 'vitest';

import { type Db, openDatabase } from '../db/open';
import { OUTPUT_LIMIT_BYTES, rolloutsRepo } from '../db/repos/rollouts';

describe('rollouts repository', () => {
  let db: Db | null = null;
  afterEach(() => db?.close());

  const make = () => {
    db = openDatabase({ path: ':memory:' });
    const repo = rolloutsRepo(db);
    const id = repo.create(
      {
        name: 'n',
        targets: { kind: 'machines', machineIds: [5] },
        content: { kind: 'all-approved' },
        options: {
          concurrency: 1,
          failureThreshold: null,
          reboot: 'never',
          rebootReturnMs: 60_000,
          hostTimeLimitMs: 60_000,
        },
        createdBy: 'me',
        hosts: [5, 6, 7, 8].map((m) => ({ machineId: m, machineName: `db0${m}`, packageManager: 'apt' })),
      },
      1,
    );
    return { repo, id, db };
  };

  it('appends every transition to an event log that cannot be rewritten', () => {
    const { repo, id, db } = make();
    repo.transition(id, 5, 'preflight', { step: '' }, 2);
    repo.transition(id, 5, 'installing', { step: 'start', opId: 'r1-m5-a1', attempts: 1 }, 3);
    expect(repo.host(id, 5)).toMatchObject({
      state: 'installing',
      step: 'start',
      opId: 'r1-m5-a1',
      attempts: 1,
    });
    expect(repo.events(id).map((e) => [e.machineId, e.from, e.to])).toEqual([
      [null, '', 'created'],
      [5, 'queued', 'preflight'],
      [5, 'preflight', 'installing'],
    ]);
    expect(() => db.prepare('UPDATE rollout_events SET to_state = ?').run('succeeded')).toThrow(
      /append-only/,
    );
    expect(() => db.prepare('DELETE FROM rollout_events').run()).toThrow(/append-only/);
  });

  it('keeps a host output bounded, newest text kept, with the log offset stored alongside', () => {
    const { repo, id } = make();
    const chunk = 'x'.repeat(40 * 1024);
    for (let i = 0; i < 10; i++) repo.appendOutput(id, 5, `${i}${chunk}`, (i + 1) * 1000, 10 + i);
    const text = repo.outputText(id, 5);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(OUTPUT_LIMIT_BYTES);
    expect(text.endsWith(chunk)).toBe(true);
    expect(text.includes(`9${chunk}`)).toBe(true);
    expect(text.includes(`0${chunk}`)).toBe(false);
    expect(repo.host(id, 5)?.logOffset).toBe(10_000);
    const chunks = repo.output(id, 5, 0, 100);
    expect(repo.output(id, 5, chunks[0]?.id ?? 0, 100)).toHaveLength(chunks.length - 1);
  });

  it('counts the hosts the failure threshold counts: started and finished, and those of them failed', () => {
    const { repo, id } = make();
    expect(repo.finishedCounts(id)).toEqual({ finished: 0, failed: 0 });
    repo.transition(id, 5, 'preflight', { startedAt: 2 }, 2);
    repo.transition(id, 6, 'preflight', { startedAt: 2 }, 2);
    repo.transition(id, 7, 'preflight', { startedAt: 2 }, 2);
    repo.transition(id, 5, 'failed', { finishedAt: 3 }, 3);
    repo.transition(id, 6, 'succeeded', { finishedAt: 3 }, 3);
    // Skipped without starting (the threshold itself, or nothing approved): not counted.
    repo.transition(id, 8, 'skipped', {}, 3);
    expect(repo.finishedCounts(id)).toEqual({ finished: 2, failed: 1 });
    // The same as counting the hosts' rows one by one, as the engine once did.
    const started = repo.hosts(id).filter((h) => h.startedAt !== null);
    const finished = started.filter((h) => ['failed', 'succeeded'].includes(h.state));
    expect(finished.length).toBe(2);
  });

  it('gives a rollout lease to one runner at a time until it runs out', () => {
    const { repo, id } = make();
    expect(repo.claim(id, 'a', 100, 200)).toBe(true);
    expect(repo.claim(id, 'b', 150, 250)).toBe(false);
    expect(repo.claim(id, 'a', 150, 250)).toBe(true);
    expect(repo.claim(id, 'b', 251, 300)).toBe(true);
    repo.unclaim(id, 'a');
    expect(repo.leaseUntil(id)).toBe(300);
    repo.unclaim(id, 'b');
    expect(repo.leaseUntil(id)).toBe(0);
  });
});
