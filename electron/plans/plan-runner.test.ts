import { describe, expect, it } from 'vitest';

import { plan, ring, runnerBench, tickUntil } from './runner.test-helper';

const installs = (fleet: { host: (id: number) => { installs: Map<string, number> } }, ids: number[]) =>
  ids.map((id) => fleet.host(id).installs.get('openssl') ?? 0);

describe('plan runner: rings and batches on the engine (fake hosts, real SQLite, manual clock)', () => {
  const { setup } = runnerBench();

  it('runs a due plan ring by ring in batches, each host once, every transition audited with an event', async () => {
    const b = setup(5);
    b.mem.plans.set(1, {
      enabled: true,
      updatedAt: b.clock.now(),
      definition: plan({ rings: [ring('pilot', [1, 2], 1), ring('rest', [3, 4, 5], 2)] }),
    });
    await b.runner.tick();
    const [first] = b.runner.list();
    expect(first?.state).not.toBe('missed');
    const run = await tickUntil(b.runner, first?.id ?? 0, ['done']);
    expect(run.state).toBe('done');
    expect(installs(b.fleet, [1, 2, 3, 4, 5])).toEqual([1, 1, 1, 1, 1]);
    // Batches: pilot 1 + 1, rest 2 + 1 → four rollouts, hosts in pick order.
    expect(run.hosts.map((h) => [h.machineId, h.ring, h.batch, h.outcome])).toEqual([
      [1, 0, 1, 'succeeded'],
      [2, 0, 2, 'succeeded'],
      [3, 1, 1, 'succeeded'],
      [4, 1, 1, 'succeeded'],
      [5, 1, 2, 'succeeded'],
    ]);
    expect(new Set(run.hosts.map((h) => h.rolloutId)).size).toBe(4);
    expect(b.events.map((e) => e.to)).toEqual(['running', 'soaking', 'running', 'done']);
    // Between transitions the live view hears of each batch: started (running → running) and collected.
    const id = first?.id ?? 0;
    expect(b.hostEvents.map((e) => `${e.runId}:${e.ring}.${e.batch}`)).toEqual(
      ['0.1', '0.2', '1.1', '1.2'].flatMap((batch) => [`${id}:${batch}`, `${id}:${batch}`]),
    );
    const actions = b.fleet.audit.map((a) => a.action).filter((a) => a.startsWith('plan.'));
    expect(actions).toEqual(['plan.run-running', 'plan.run-soaking', 'plan.run-running', 'plan.run-done']);
    expect(b.notes.map((n) => n.kind)).toEqual(['plan-started', 'plan-done']);
    // The run is recorded once: more ticks make no second run of a "now" plan.
    await b.runner.tick();
    expect(b.runner.list()).toHaveLength(1);
  });

  it('waits out the soak after a ring, then promotes; a manual gate waits for "promote now"', async () => {
    const b = setup(3);
    b.mem.plans.set(1, {
      enabled: true,
      updatedAt: b.clock.now(),
      definition: plan({
        rings: [
          ring('pilot', [1], 5, { gate: { soakMinutes: 60 } }),
          ring('office', [2], 5, { gate: { manual: true } }),
          ring('servers', [3]),
        ],
      }),
    });
    await b.runner.tick();
    const id = b.runner.list()[0]?.id ?? 0;
    expect((await tickUntil(b.runner, id, ['soaking'])).state).toBe('soaking');
    await b.runner.tick();
    b.clock.advance(59 * 60_000);
    await b.runner.tick();
    expect(b.runner.get(id).state).toBe('soaking');
    // The live view's gate: the numbers behind it, the soak left on the core's own clock.
    expect(b.runner.get(id).gate).toMatchObject({
      ring: 0,
      ringName: 'pilot',
      nextRingName: 'office',
      state: 'soaking',
      succeeded: 1,
      due: 1,
      rate: 100,
      minSuccessPercent: 100,
      soakMinutes: 60,
      health: 'none',
      manual: false,
    });
    expect(b.runner.get(id).gate?.soakLeftMs).toBeLessThanOrEqual(60_000);
    expect(b.runner.get(id).gate?.soakLeftMs).toBeGreaterThan(0);
    expect(b.runner.get(id).hosts.map((h) => h.name)).toEqual(['host1']);
    expect(installs(b.fleet, [2])).toEqual([0]);
    b.clock.advance(60_000);
    const waiting = await tickUntil(b.runner, id, ['gate-waiting']);
    expect(waiting).toMatchObject({ state: 'gate-waiting', ring: 1 });
    expect(b.runner.get(id).gate).toMatchObject({
      state: 'waiting-promote',
      ringName: 'office',
      manual: true,
    });
    expect(installs(b.fleet, [1, 2, 3])).toEqual([1, 1, 0]);
    await b.runner.tick();
    expect(b.runner.get(id).state).toBe('gate-waiting');
    b.runner.promote(id);
    expect((await tickUntil(b.runner, id, ['done'])).state).toBe('done');
    expect(installs(b.fleet, [1, 2, 3])).toEqual([1, 1, 1]);
    expect(b.fleet.audit.some((a) => a.action === 'plan.promote-requested')).toBe(true);
  });

  it('halts at a gate whose success rate is too low, with the numbers, and notifies; promote overrides', async () => {
    const b = setup(4);
    b.fleet.host(2).failInstall = 100;
    b.mem.plans.set(1, {
      enabled: true,
      updatedAt: b.clock.now(),
      definition: plan({
        rings: [ring('pilot', [1, 2, 3], 5, { gate: { minSuccessPercent: 70 } }), ring('rest', [4])],
      }),
    });
    await b.runner.tick();
    const id = b.runner.list()[0]?.id ?? 0;
    const halted = await tickUntil(b.runner, id, ['halted']);
    expect(halted.state).toBe('halted');
    expect(halted.haltKind).toBe('gate');
    expect(halted.haltReason).toBe(
      'Gate after ring pilot: 2 of 3 due hosts succeeded (66.7 %); the gate needs 70 %.',
    );
    expect(b.notes.map((n) => n.kind)).toEqual(['plan-started', 'host-failed', 'gate-halted']);
    expect(b.notes[2]?.body).toContain('66.7 %');
    expect(b.runner.get(id).gate).toMatchObject({
      state: 'halted',
      succeeded: 2,
      due: 3,
      minSuccessPercent: 70,
      soakLeftMs: 0,
    });
    await b.runner.tick();
    expect(installs(b.fleet, [4])).toEqual([0]);
    b.runner.promote(id);
    expect((await tickUntil(b.runner, id, ['done'])).state).toBe('done');
    expect(installs(b.fleet, [1, 2, 3, 4])).toEqual([1, 0, 1, 1]);
  });

  it('halts before the third ring when a health check fails on a host of the second', async () => {
    const b = setup(5);
    b.mem.plans.set(1, {
      enabled: true,
      updatedAt: b.clock.now(),
      definition: plan({
        healthChecks: [{ kind: 'service', unit: 'nginx.service' }],
        rings: [
          ring('pilot', [1]),
          ring('office', [2, 3], 5, { gate: { minSuccessPercent: 50, soakMinutes: 30 } }),
          ring('servers', [4, 5]),
        ],
      }),
    });
    await b.runner.tick();
    const id = b.runner.list()[0]?.id ?? 0;
    // Ring 2's host 3 passes its check right after its install; its service stops during the soak.
    const soaking = await tickUntil(b.runner, id, ['soaking', 'halted']);
    expect(soaking).toMatchObject({ state: 'soaking', ring: 1 });
    b.clock.advance(30 * 60_000);
    b.health.failing.add(3);
    const halted = await tickUntil(b.runner, id, ['halted']);
    expect(halted.haltKind).toBe('gate');
    expect(halted.haltReason).toContain(
      'a health check no longer passes on host3 (service: unit inactive on host3)',
    );
    expect(halted.haltReason).toContain('2 of 2 due hosts had succeeded (100 %)');
    expect(b.runner.get(id).gate).toMatchObject({ state: 'halted', ringName: 'office', health: 'failed' });
    expect(installs(b.fleet, [1, 2, 3, 4, 5])).toEqual([1, 1, 1, 0, 0]);
  });

  it('fails a host whose health check fails right after its install; it counts toward the gate', async () => {
    const b = setup(3);
    b.health.failing.add(2);
    b.mem.plans.set(1, {
      enabled: true,
      updatedAt: b.clock.now(),
      definition: plan({
        healthChecks: [{ kind: 'tcp', port: 443 }],
        rings: [ring('pilot', [1, 2], 5, { gate: { minSuccessPercent: 60 } }), ring('rest', [3])],
      }),
    });
    await b.runner.tick();
    const id = b.runner.list()[0]?.id ?? 0;
    const halted = await tickUntil(b.runner, id, ['halted']);
    expect(halted.hosts.find((h) => h.machineId === 2)).toMatchObject({
      outcome: 'failed',
      reason: 'Health check failed: tcp: unit inactive on host2',
    });
    expect(halted.haltReason).toContain('1 of 2 due hosts succeeded (50 %)');
    // The success rate failed first: the gate's own health checks never ran.
    expect(b.runner.get(id).gate).toMatchObject({ state: 'halted', rate: 50, health: 'not-run' });
  });

  it('runs the pre-script before each install and the post-script after; either failing fails the host', async () => {
    const b = setup(4);
    b.health.scriptFails.add('2:pre');
    b.health.scriptFails.add('3:post');
    b.mem.plans.set(1, {
      enabled: true,
      updatedAt: b.clock.now(),
      definition: plan({
        scripts: { pre: 'systemctl stop app', post: 'systemctl start app' },
        failureThreshold: { kind: 'count', value: 2 },
        rings: [ring('pilot', [1, 2, 3], 5), ring('rest', [4])],
      }),
    });
    await b.runner.tick();
    const id = b.runner.list()[0]?.id ?? 0;
    const halted = await tickUntil(b.runner, id, ['halted', 'done']);
    // Host 2's pre-script failed before anything changed; host 3 installed, then its post-script failed.
    expect(installs(b.fleet, [1, 2, 3, 4])).toEqual([1, 0, 1, 0]);
    expect(b.health.scripts.map((x) => `${x.machineId}:${x.phase}`).sort()).toEqual(
      ['1:pre', '1:post', '2:pre', '3:pre', '3:post'].sort(),
    );
    expect(b.health.scripts.every((x) => x.session)).toBe(true); // over the engine's session, under its lock
    expect(b.health.scripts.find((x) => x.phase === 'pre')?.text).toBe('systemctl stop app');
    const host = (m: number) => halted.hosts.find((h) => h.machineId === m);
    expect(host(1)).toMatchObject({ outcome: 'succeeded' });
    expect(host(2)).toMatchObject({ outcome: 'failed', reason: 'pre-script: exit 3: not ready' });
    expect(host(3)).toMatchObject({ outcome: 'failed', reason: 'post-script: exit 3: not ready' });
    // Both count toward the plan's threshold of 2 failed hosts: the plan halts before ring 2.
    expect(halted).toMatchObject({ state: 'halted', haltKind: 'threshold' });
    expect(halted.haltReason).toBe(
      'The plan: 2 of 3 finished hosts failed (66.7 %); the threshold is 2 failed hosts.',
    );
    const rollout = b.rollouts.get(host(3)?.rolloutId ?? 0);
    expect(rollout.hosts.find((h) => h.machineId === 2)?.failureKind).toBe('pre-script');
    expect(rollout.hosts.find((h) => h.machineId === 3)?.failureKind).toBe('post-script');
    // The script's result is kept with the host's output in the rollout view.
    const out = b.rollouts
      .output(rollout.id, 2)
      .chunks.map((c) => c.text)
      .join('');
    expect(out).toContain("[patchbay] the plan's pre-script\npre-script: exit 3: not ready\n");
  });

  it('runs the post-script after a failed install too; the install keeps its failure, a failing post adds its own', async () => {
    const b = setup(2);
    b.fleet.host(1).failInstall = 100;
    b.fleet.host(2).failInstall = 100;
    b.health.scriptFails.add('2:post');
    b.mem.plans.set(1, {
      enabled: true,
      updatedAt: b.clock.now(),
      definition: plan({ scripts: { pre: 'stop app', post: 'start app' }, rings: [ring('all', [1, 2])] }),
    });
    await b.runner.tick();
    const id = b.runner.list()[0]?.id ?? 0;
    const run = await tickUntil(b.runner, id, ['done', 'halted']);
    expect(b.health.scripts.map((x) => `${x.machineId}:${x.phase}`).sort()).toEqual([
      '1:post',
      '1:pre',
      '2:post',
      '2:pre',
    ]);
    const hosts = b.rollouts.get(run.hosts[0]?.rolloutId ?? 0).hosts;
    const h1 = hosts.find((h) => h.machineId === 1);
    const h2 = hosts.find((h) => h.machineId === 2);
    expect(h1).toMatchObject({ state: 'failed', failureKind: 'lock-held' });
    expect(h1?.reason).not.toContain('post-script');
    expect(h2).toMatchObject({ state: 'failed', failureKind: 'lock-held' });
    expect(h2?.reason).toMatch(/; post-script: exit 3: not ready$/);
  });
});
