import { describe, expect, it } from 'vitest';

import type { PlanGateStatus, PlanRunDetail } from '../../../../shared/plan-runs';
import { planDefinitionSchema } from '../../../../shared/plans';
import { canHalt, canPromote, durationText, gateLines, haltText, ringViews } from './plan-run-model';

const definition = planDefinitionSchema.parse({
  name: 'Pilot first',
  content: { kind: 'all-approved' },
  schedule: { kind: 'now', zone: 'UTC' },
  rings: [
    {
      name: 'pilot',
      targets: { kind: 'machines', machineIds: [1, 2] },
      batch: { kind: 'count', value: 1 },
      gate: {},
    },
    {
      name: 'office',
      targets: { kind: 'machines', machineIds: [3, 4] },
      batch: { kind: 'count', value: 2 },
      gate: {},
    },
  ],
});

const host = (machineId: number, ring: number, over: Partial<PlanRunDetail['hosts'][number]> = {}) => ({
  machineId,
  name: `m${machineId}`,
  ring,
  position: machineId,
  outcome: 'pending' as const,
  batch: null,
  rolloutId: null,
  reason: '',
  finishedAt: null,
  ...over,
});

function detail(over: Partial<PlanRunDetail>): PlanRunDetail {
  return {
    id: 1,
    planId: 1,
    planName: 'Pilot first',
    scheduledAt: 0,
    createdAt: 0,
    state: 'running',
    ring: 0,
    batch: 1,
    rolloutId: null,
    nextBatchAt: 0,
    ringFinishedAt: null,
    haltKind: '',
    haltReason: '',
    promoteRequested: false,
    haltRequested: false,
    updatedAt: 0,
    finishedAt: null,
    definition,
    hosts: [],
    events: [],
    gate: null,
    now: 0,
    ...over,
  };
}

describe('the live plan view model', () => {
  it('shows ring 1 running batch by batch, the rest not started, ring 2 pending', () => {
    const run = detail({
      batch: 2,
      rolloutId: 12,
      hosts: [
        host(1, 0, { outcome: 'succeeded', batch: 1, rolloutId: 11 }),
        host(2, 0, { outcome: 'running', batch: 2, rolloutId: 12 }),
      ],
    });
    const [r1, r2] = ringViews(run);
    expect(r1).toMatchObject({ name: 'pilot', state: 'running', note: '' });
    expect(r1?.batches.map((b) => [b.batch, b.state, b.rolloutId])).toEqual([
      [1, 'done', 11],
      [2, 'running', 12],
    ]);
    expect(r2).toMatchObject({ name: 'office', state: 'pending', batches: [], notStarted: [] });
  });

  it('marks the batch a halt cut short, and says how the next ring was started', () => {
    const halted = detail({
      state: 'halted',
      haltKind: 'threshold',
      haltReason:
        'Batch 1 of ring pilot: 1 of 1 finished hosts failed (100 %); the threshold is 1 failed host.',
      hosts: [host(1, 0, { outcome: 'failed', batch: 1 }), host(2, 0, { outcome: 'skipped', batch: 1 })],
    });
    expect(ringViews(halted)[0]?.batches[0]?.state).toBe('halted');
    expect(haltText(halted)).toBe(
      'Too many machines failed. Batch 1 of ring pilot: 1 of 1 finished hosts failed (100 %); the threshold is 1 failed host.',
    );
    expect(canPromote(halted)).toBe(false);
    expect(canHalt(halted)).toBe(false);
    const promoted = detail({
      ring: 1,
      events: [
        { from: 'halted', to: 'running', at: 5, detail: { promotedBy: 'ana', ring: 'office', hosts: 2 } },
      ],
    });
    expect(ringViews(promoted)[0]).toMatchObject({ state: 'done', note: 'promoted by ana (gate skipped)' });
    expect(haltText(promoted)).toBeNull();
  });

  it('words the gate with its numbers: rate against the one needed, soak left, health checks', () => {
    const g: PlanGateStatus = {
      ring: 0,
      ringName: 'pilot',
      nextRingName: 'office',
      state: 'soaking',
      succeeded: 1,
      due: 2,
      rate: 50,
      minSuccessPercent: 100,
      soakMinutes: 90,
      soakEndsAt: 1000,
      soakLeftMs: 65 * 60_000,
      health: 'to-run',
      manual: true,
    };
    expect(gateLines(g)).toEqual([
      { what: 'Success rate', text: '1 of 2 due machines succeeded (50 %); needs 100 %', ok: false },
      { what: 'Soak time', text: '1 h 5 min left of 1 h 30 min', ok: null },
      { what: 'Health checks', text: 'run again on the ring’s machines when the soak is over', ok: null },
      { what: 'Promotion', text: 'waits for “Promote now”', ok: null },
    ]);
    // Before the ring has finished nothing is judged yet.
    expect(gateLines({ ...g, state: 'ring-under-way', soakLeftMs: null })[0]?.ok).toBeNull();
    expect(gateLines({ ...g, state: 'ring-under-way', soakLeftMs: null })[1]?.text).toBe(
      '1 h 30 min after the ring finishes',
    );
    expect(durationText(40_000)).toBe('40 s');
    expect(durationText(120 * 60_000)).toBe('2 h');
  });
});
