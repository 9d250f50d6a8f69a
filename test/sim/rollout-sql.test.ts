// What one rollout host costs in SQLite, counted on the real engine (real core, live ports, simulated hosts):
// every statement run and every prepare while a rollout runs, per host beyond the first (a 4-host rollout
// minus a 1-host one, over 3), against a budget. bench:rollout's CPU per host has SQLite as its third
// largest share; a change that adds a read per transition, a transaction, or a prepare per call fails here.
// `SQL_LIST=1` prints the per-host table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Fleet, startFleet } from '../../electron/demo/sim-fleet';
import type { RequestOf } from '../../shared/ipc';
import { simCore } from './sim-core';
import { countSql, perHost, total } from './sql-counter';

const names = ['sql-a', 'sql-b', 'sql-c', 'sql-d', 'sql-e'];

describe('SQLite per rollout host', () => {
  let fleet: Fleet;
  let sim: Awaited<ReturnType<typeof simCore>>;
  beforeAll(async () => {
    fleet = await startFleet({
      hosts: names.length,
      name: (i) => names[i] as string,
      profiles: ['debian12-security'],
      latencyMs: 2,
      rollout: { installMs: 100 },
    });
    // No store while the install streams (at most one per poll interval): only its end's, the same every run.
    sim = await simCore(fleet, { rollouts: { pollMs: 60_000 } });
    await sim.scan();
  });
  afterAll(async () => {
    await sim?.close();
    await fleet?.stop();
  });

  const call = async <
    C extends 'decisions.decide' | 'rollouts.create' | 'rollouts.review' | 'rollouts.start',
  >(
    channel: C,
    req: RequestOf<C>,
  ) => {
    const r = await sim.core.dispatch(channel, req);
    if (!r.ok) throw new Error(r.error.message);
    return r.res as never;
  };
  /** Reviews a rollout of the hosts, then counts what its run (start → every host's end) does in SQLite. */
  const run = async (hosts: string[]) => {
    const created: { id: number } = await call('rollouts.create', {
      targets: { kind: 'machines', machineIds: hosts.map(sim.id) },
      content: { kind: 'all-approved' },
      options: { reboot: 'never', concurrency: 4 },
    });
    await call('rollouts.review', { id: created.id });
    // The risk refresh and compliance snapshot that follow each scan run in the background: drained before
    // and at the end, so each window holds its rescans' in full (the drain's own snapshot cancels out).
    await sim.core.services.compliance.snapshot();
    const counted = countSql();
    try {
      await call('rollouts.start', { id: created.id });
      await sim.core.services.rollouts.wait(created.id);
      await sim.core.services.compliance.snapshot();
    } finally {
      counted.stop();
    }
    return counted;
  };

  it('runs a host within its budget of statements, transactions and prepares', async () => {
    await call('decisions.decide', {
      select: { names: ['pb-openssl', 'pb-tzdata'] },
      scope: { kind: 'all' },
      decision: 'approved',
    });
    const one = await run(names.slice(0, 1));
    const four = await run(names.slice(1));
    const runs = perHost(one.runs, four.runs, 3);
    if (process.env.SQL_LIST) {
      for (const [sql, n] of [...runs].sort((a, b) => b[1] - a[1]))
        console.log(`${n.toFixed(2).padStart(6)}  ${sql.slice(0, 140)}`);
    }
    const n = (re: RegExp) => total(runs, re);
    const at = (sql: string) => runs.get(sql) ?? 0;
    // Nothing is prepared per host: every statement on the way is prepared once.
    expect(total(perHost(one.prepares, four.prepares, 3))).toBeLessThanOrEqual(0);
    // Commits: 4 transitions (the install's output goes with the one to verifying: nothing is stored while it
    // streams here), the end with its audit entry, the verify rescan's writes (2).
    expect(n(/^COMMIT$/)).toBeLessThanOrEqual(7);
    // The host's row is read whole once per run of it (then each transition returns it); the machine once
    // per session (then only whether it is still there); the rollout row only for its control fields.
    expect(at('SELECT * FROM rollout_hosts WHERE rollout_id = ? AND machine_id = ?')).toBeLessThanOrEqual(1);
    expect(n(/^SELECT m\.\*/)).toBeLessThanOrEqual(1);
    // (The progress summary reads the rollout row and its counts on a timer, 5 times a second: not per host,
    // but a run that takes a flush longer shows a third of one here.)
    const timed = /^SELECT \* FROM rollouts WHERE id = \?$|GROUP BY state$/;
    expect(at('SELECT * FROM rollouts WHERE id = ?')).toBeLessThan(0.9);
    // Every transition is written with its event: 5 of each for a host that installs and verifies.
    expect(n(/^UPDATE rollout_hosts SET state = /)).toBe(5);
    expect(n(/^INSERT INTO rollout_events /)).toBe(5);
    expect(n(/^INSERT INTO audit_log /)).toBe(1);
    // No failure threshold set: nothing to count after each host.
    expect(n(/AS finished/)).toBe(0);
    // Everything together (the rescan's inventory write with its risk refresh is about half).
    expect(total(runs) - n(timed)).toBeLessThanOrEqual(80);
  });
});
