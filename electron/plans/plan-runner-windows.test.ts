import { setTimeout as sleep } from 'node:timers/promises';

import { describe, expect, it } from 'vitest';

import { overThreshold } from './plan-gates';
import { WINDOW_REASON } from './run-advance';
import { plan, ring, runnerBench, tickUntil } from './runner.test-helper';

const H = 3_600_000;
const installs = (fleet: { host: (id: number) => { installs: Map<string, number> } }, ids: number[]) =>
  ids.map((id) => fleet.host(id).installs.get('openssl') ?? 0);
// Mon 6 Jan 2025 10:00 UTC is the bench's start; a one-off window 10:00–11:00 UTC that day.
const window1 = { kind: 'once' as const, zone: 'UTC', start: '2025-01-06T10:00', end: '2025-01-06T11:00' };
const window2 = { kind: 'once' as const, zone: 'UTC', start: '2025-01-07T10:00', end: '2025-01-07T11:00' };

describe('plan runner: windows, missed runs, thresholds, two runners', () => {
  const { setup } = runnerBench();

  it('counts a percent threshold over finished hosts, judged from the sample where one failure is X %', () => {
    expect(overThreshold({ kind: 'percent', value: 10 }, 1, 2, 40)).toBe(false);
    expect(overThreshold({ kind: 'percent', value: 10 }, 1, 10, 40)).toBe(true);
    expect(overThreshold({ kind: 'percent', value: 10 }, 1, 11, 40)).toBe(false);
    expect(overThreshold({ kind: 'percent', value: 50 }, 1, 2, 40)).toBe(true);
    expect(overThreshold({ kind: 'percent', value: 10 }, 1, 3, 3)).toBe(true);
    expect(overThreshold({ kind: 'count', value: 2 }, 1, 1, 9)).toBe(false);
    expect(overThreshold({ kind: 'count', value: 2 }, 2, 9, 9)).toBe(true);
    expect(overThreshold(null, 5, 5, 5)).toBe(false);
  });

  it('never starts a host outside its window: the rest carries over to the next window', async () => {
    const b = setup(3);
    for (const m of [1, 2, 3]) b.mem.windows.set(m, [window1, window2]);
    b.mem.plans.set(1, {
      enabled: true,
      updatedAt: b.clock.now(),
      definition: plan({ rings: [ring('all', [1, 2, 3], 1, { batchPauseMinutes: 45 })] }),
    });
    await b.runner.tick();
    const id = b.runner.list()[0]?.id ?? 0;
    expect(installs(b.fleet, [1, 2, 3])).toEqual([1, 0, 0]);
    b.clock.advance(45 * 60_000); // 10:45: the pause ends, the window is open
    await b.runner.tick();
    expect(installs(b.fleet, [1, 2, 3])).toEqual([1, 1, 0]);
    b.clock.advance(45 * 60_000); // 11:30: the window has closed
    const waiting = await tickUntil(b.runner, id, ['waiting-window']);
    expect(waiting.state).toBe('waiting-window');
    expect(installs(b.fleet, [3])).toEqual([0]);
    b.clock.advance(23 * H); // Tue 10:30: the next window
    expect((await tickUntil(b.runner, id, ['done'])).state).toBe('done');
    expect(installs(b.fleet, [1, 2, 3])).toEqual([1, 1, 1]);
  });

  it('skips a host whose window closes while its batch runs, and carries it over', async () => {
    const b = setup(2);
    for (const m of [1, 2]) b.mem.windows.set(m, [window1, window2]);
    // Host 1's verify rescan happens at 11:05: the window has closed before host 2 starts.
    b.fleet.ports.rescan = async (_s, m) => {
      if (m.id === 1) b.clock.t = Date.UTC(2025, 0, 6, 11, 5);
    };
    b.mem.plans.set(1, {
      enabled: true,
      updatedAt: b.clock.now(),
      definition: plan({ options: { concurrency: 1 }, rings: [ring('all', [1, 2], 5)] }),
    });
    await b.runner.tick();
    const id = b.runner.list()[0]?.id ?? 0;
    const run = await tickUntil(b.runner, id, ['waiting-window']);
    expect(run.hosts.map((h) => [h.outcome, h.reason])).toEqual([
      ['succeeded', ''],
      ['pending', WINDOW_REASON],
    ]);
    expect(installs(b.fleet, [1, 2])).toEqual([1, 0]);
    b.clock.t = Date.UTC(2025, 0, 7, 10, 1);
    expect((await tickUntil(b.runner, id, ['done'])).state).toBe('done');
    expect(installs(b.fleet, [1, 2])).toEqual([1, 1]);
  });

  it('records a run as missed when Patchbay was not running during its window; a late run inside it starts', async () => {
    const b = setup(1);
    b.mem.windows.set(1, [window1]);
    b.mem.plans.set(1, {
      enabled: true,
      updatedAt: Date.UTC(2025, 0, 1),
      definition: plan({
        schedule: { kind: 'once', zone: 'UTC', at: '2025-01-06T10:00' },
        rings: [ring('all', [1])],
      }),
    });
    b.clock.t = Date.UTC(2025, 0, 6, 12, 0); // Patchbay comes back at 12:00; the window closed at 11:00
    await b.runner.tick();
    const [missed] = b.runner.list();
    expect(missed?.state).toBe('missed');
    expect(b.notes.map((n) => n.kind)).toEqual(['window-missed']);
    expect(installs(b.fleet, [1])).toEqual([0]);

    b.mem.plans.set(2, {
      enabled: true,
      updatedAt: Date.UTC(2025, 0, 1),
      definition: plan({
        name: 'Plan B',
        schedule: { kind: 'once', zone: 'UTC', at: '2025-01-07T10:00' },
        rings: [ring('all', [1])],
      }),
    });
    b.mem.windows.set(1, [window2]);
    b.clock.t = Date.UTC(2025, 0, 7, 10, 30); // late, but the window is still open
    await b.runner.tick();
    const late = b.runner.list().find((r) => r.planId === 2);
    expect(late?.state).toBe('done');
    expect(installs(b.fleet, [1])).toEqual([1]);
  });

  it('halts on the batch failure threshold: no new host of the batch starts', async () => {
    const b = setup(4);
    b.fleet.host(1).failInstall = 100;
    b.mem.plans.set(1, {
      enabled: true,
      updatedAt: b.clock.now(),
      definition: plan({
        options: { concurrency: 1 },
        rings: [ring('all', [1, 2, 3, 4], 4, { batchFailureThreshold: { kind: 'count', value: 1 } })],
      }),
    });
    await b.runner.tick();
    const id = b.runner.list()[0]?.id ?? 0;
    const halted = await tickUntil(b.runner, id, ['halted']);
    expect(halted.haltKind).toBe('threshold');
    expect(halted.haltReason).toBe(
      'Batch 1 of ring all: 1 of 1 finished hosts failed (100 %); the threshold is 1 failed host.',
    );
    expect(installs(b.fleet, [2, 3, 4])).toEqual([0, 0, 0]);
  });

  it('two runners on one database file, one plan: each host patched once', async () => {
    const b = setup(6, { file: true });
    const other = b.open('runner-b');
    b.mem.plans.set(1, {
      enabled: true,
      updatedAt: b.clock.now(),
      definition: plan({ rings: [ring('pilot', [1, 2], 1), ring('rest', [3, 4, 5, 6], 2)] }),
    });
    for (let i = 0; i < 10; i++) await Promise.all([b.runner.tick(), other.runner.tick()]);
    const runs = b.runner.list();
    expect(runs).toHaveLength(1);
    expect(runs[0]?.state).toBe('done');
    expect(installs(b.fleet, [1, 2, 3, 4, 5, 6])).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('a second runner resumes a run whose runner died, once its lease ran out', async () => {
    const b = setup(3, { file: true });
    b.mem.plans.set(1, {
      enabled: true,
      updatedAt: b.clock.now(),
      definition: plan({
        rings: [ring('pilot', [1], 5, { gate: { soakMinutes: 10 } }), ring('rest', [2, 3])],
      }),
    });
    await b.runner.tick(); // runner A: pilot done, soaking; then A "dies" (never stops, lease held)
    const id = b.runner.list()[0]?.id ?? 0;
    expect(b.runner.get(id).state).toBe('soaking');
    const other = b.open('runner-b');
    b.clock.advance(11 * 60_000);
    expect((await tickUntil(other.runner, id, ['done'], 3)).state).toBe('done'); // A's 60 s lease ended
    expect(installs(b.fleet, [1, 2, 3])).toEqual([1, 1, 1]);
  });

  it('a long batch keeps its lease (heartbeat): a second runner does not take the run over', async () => {
    const b = setup(2, { file: true });
    b.fleet.host(1).holdOps = true; // host 1's install runs until the test lets it finish
    b.mem.plans.set(1, {
      enabled: true,
      updatedAt: b.clock.now(),
      definition: plan({ rings: [ring('all', [1, 2], 1)] }),
    });
    const driving = b.runner.tick(); // runner A: batch 1 starts and waits for host 1's install
    const id = b.runner.list()[0]?.id ?? 0;
    for (let i = 0; i < 500 && b.fleet.host(1).ops.size === 0; i++) await sleep(5);
    expect(b.fleet.host(1).ops.size).toBe(1);
    const other = b.open('runner-b');
    b.clock.advance(5 * 60_000); // the batch has run 5 minutes: far past A's 60 s lease without renewal
    // A's heartbeat (every 10 ms of real time in this bench) renews on the moved clock.
    const renewed = () => b.repo.lease(id).until === b.clock.now() + 60_000;
    for (let i = 0; i < 400 && !renewed(); i++) await sleep(5);
    expect(b.repo.lease(id)).toEqual({ runner: 'runner-a', until: b.clock.now() + 60_000 });
    await other.runner.tick();
    expect(other.runner.busy()).toBe(false);
    expect(b.repo.lease(id).runner).toBe('runner-a');
    b.fleet.finishOps(1);
    await driving;
    expect((await tickUntil(b.runner, id, ['done'])).state).toBe('done');
    expect(installs(b.fleet, [1, 2])).toEqual([1, 1]);
  });
});
