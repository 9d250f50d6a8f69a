import { describe, expect, it } from 'vitest';

import { eventKey } from '../../shared/ipc';
import type { PlanRecord } from '../../shared/plan-api';
import type { PlanRun, PlanRunDetail, PlanRunEvent } from '../../shared/plan-runs';
import { createCore } from '../core/create-core';
import { dataFiles } from '../core/paths';
import { nodeSecretBox } from '../secrets/node-secrets';
import { draft, ok, planCore, refused, satNight, WED_5_FEB_2025 } from './plans.test-helper';

// The plan-run requests as the UI and the CLI send them, on a core built by create-core: the runner it wires
// (not started: the test ticks it with the core's clock) makes the run, and promote/halt go through dispatch.

describe('plan run events', () => {
  it('are coalesced per run: two runs moving in one interval each keep their newest message', () => {
    const e = (runId: number) =>
      ({
        runId,
        planId: 1,
        planName: 'P',
        from: '',
        to: 'running',
        ring: 0,
        batch: 0,
        reason: '',
        at: 0,
      }) as const;
    expect(eventKey('plans.run', e(1))).not.toBe(eventKey('plans.run', e(2)));
    expect(eventKey('plans.run', e(1))).toBe(eventKey('plans.run', { ...e(1), to: 'soaking' }));
    expect(eventKey('plans.runHosts', { runId: 1, ring: 0, batch: 1 })).not.toBe(
      eventKey('plans.runHosts', { runId: 2, ring: 0, batch: 1 }),
    );
  });
});

describe('plan run requests', () => {
  it('lists the run the wired runner made, refuses a promote outside a gate, halts it — audited, with events', async () => {
    const { core, ids, call, audited } = await planCore();
    const moves: { from: string; to: string }[] = [];
    core.subscribe((channel, p) => {
      if (channel === 'plans.run') {
        const e = p as PlanRunEvent;
        moves.push({ from: e.from, to: e.to });
      }
    });
    ok(await call('windows.set', { scope: { level: 'machine', machineId: ids.web01 }, windows: [satNight] }));
    const def = draft('Now', [['pilot', { kind: 'machines', machineIds: [ids.web01] }]]);
    const plan = ok<PlanRecord>(
      await call('plans.create', {
        definition: { ...def, schedule: { kind: 'now', zone: 'UTC' } },
        enabled: true,
      }),
    );
    expect(ok<PlanRun[]>(await call('plans.runs', {}))).toEqual([]);

    await core.services.planRunner.tick();
    const runs = ok<PlanRun[]>(await call('plans.runs', { planId: plan.id }));
    expect(runs.map((r) => [r.planName, r.state])).toEqual([['Now', 'waiting-window']]);
    expect(runs[0]).not.toHaveProperty('definition');
    expect(ok<PlanRun[]>(await call('plans.runs', { planId: plan.id + 1 }))).toEqual([]);
    const id = runs[0]?.id ?? 0;

    const detail = ok<PlanRunDetail>(await call('plans.run', { id }));
    expect(detail.hosts.map((h) => [h.machineId, h.outcome])).toEqual([[ids.web01, 'pending']]);
    expect(detail.events.map((e) => `${e.from}>${e.to}`)).toEqual(['>running', 'running>waiting-window']);
    expect(detail.definition.name).toBe('Now');

    // Promote is for gates only: a clear refusal in words, nothing requested.
    expect(refused(await call('plans.promote', { id }))).toMatchObject({
      code: 'conflict',
      message: 'A run that is waiting-window cannot be promoted (only at a gate).',
    });
    expect(refused(await call('plans.run', { id: id + 100 }))).toMatchObject({ code: 'not-found' });

    const asked = ok<PlanRun>(await call('plans.halt', { id, note: 'change freeze' }));
    expect(asked).toMatchObject({ haltRequested: true, state: 'waiting-window' });
    expect(audited('plan.halt-requested')[0]?.detail).toMatchObject({ runId: id, note: 'change freeze' });
    await core.services.planRunner.tick();
    const halted = ok<PlanRunDetail>(await call('plans.run', { id }));
    expect(halted).toMatchObject({ state: 'halted', haltKind: 'operator' });
    expect(moves).toEqual([
      { from: '', to: 'running' },
      { from: 'running', to: 'waiting-window' },
      { from: 'waiting-window', to: 'halted' },
    ]);
    expect(refused(await call('plans.halt', { id }))).toMatchObject({
      code: 'conflict',
      message: 'The run is halted already.',
    });
    // An operator halt is not a gate's: promote still refuses.
    expect(refused(await call('plans.promote', { id }))).toMatchObject({ code: 'conflict' });
    expect(refused(await call('plans.halt', { id, extra: 1 }))).toMatchObject({ code: 'invalid' });
    await core.close();
  });

  it('only a core opened with plans.run starts the loop: its first round runs as the core opens', async () => {
    const { core, ids, call, dataDir } = await planCore();
    // A closed window: the run waits and no host is ever reached.
    ok(await call('windows.set', { scope: { level: 'machine', machineId: ids.gx01 }, windows: [satNight] }));
    const def = draft('Now', [['pilot', { kind: 'machines', machineIds: [ids.gx01] }]]);
    ok(
      await call('plans.create', {
        definition: { ...def, schedule: { kind: 'now', zone: 'UTC' } },
        enabled: true,
      }),
    );
    await core.close();
    const open = (run: boolean) => {
      const files = dataFiles(dataDir);
      return createCore({
        dbPath: files.db,
        secrets: nodeSecretBox(files.keyFile, {}),
        host: 'browser',
        dataDir,
        version: '0.0.0-test',
        clock: { now: () => WED_5_FEB_2025 + 60_000 },
        plans: { run },
      });
    };
    // A one-shot CLI core: the runner answers requests but drives nothing.
    const oneShot = open(false);
    expect(ok<PlanRun[]>(await oneShot.dispatch('plans.runs', {}))).toEqual([]);
    await oneShot.close();
    // The app's core: the loop's first round (schedule) runs as it starts, so the run is there at once.
    const app = open(true);
    const [run] = ok<PlanRun[]>(await app.dispatch('plans.runs', {}));
    expect(run).toMatchObject({ planName: 'Now' });
    // Closing stops the loop and gives the run's lease back before the database closes.
    await app.close();
    const again = open(false);
    expect(ok<PlanRun[]>(await again.dispatch('plans.runs', {})).map((r) => r.id)).toEqual([run?.id]);
    expect(again.db.prepare('SELECT state, runner FROM plan_runs').all()).toEqual([
      { state: 'waiting-window', runner: '' },
    ]);
    await again.close();
  });
});
