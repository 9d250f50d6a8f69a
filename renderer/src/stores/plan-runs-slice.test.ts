import { afterEach, describe, expect, it, vi } from 'vitest';

import type { PlanRunEvent } from '../../../shared/plan-runs';
import { parsePlanRunId, planRunHref, REFRESH_MS } from './plan-runs-slice';
import { createAppStore } from './store';
import { stubApi } from './stub-api.test-helper';

const event = (runId: number): PlanRunEvent => ({
  runId,
  planId: 1,
  planName: 'P',
  from: 'running',
  to: 'running',
  ring: 0,
  batch: 1,
  reason: '',
  at: 0,
});

describe('plan runs in the store', () => {
  afterEach(() => vi.useRealTimers());

  it('reads the run of a #/plans/runs/<id> hash, and nothing else', () => {
    expect(parsePlanRunId(planRunHref(42))).toBe(42);
    expect(parsePlanRunId('#/plans')).toBeNull();
    expect(parsePlanRunId('#/plans/runs/0')).toBeNull();
    expect(parsePlanRunId('#/plans/runs/abc')).toBeNull();
    expect(parsePlanRunId('#/rollouts/3')).toBeNull();
  });

  it('fetches the open run at most every REFRESH_MS however many events arrive, and only for it', async () => {
    vi.useFakeTimers();
    let fetched = 0;
    const { api } = stubApi({
      'plans.run': ({ id }: { id: number }) => {
        fetched++;
        return { id, rolloutId: 9 };
      },
      'plans.runs': () => [],
    });
    const store = createAppStore(api);
    store.getState().setPlanRunId(3);
    await vi.advanceTimersByTimeAsync(0);
    expect(fetched).toBe(1);
    // A second's worth of transitions and batch progress, 200 messages: four fetches at most.
    for (let i = 0; i < 100; i++) {
      store.getState().onPlanRunEvent(event(3));
      store.getState().onPlanRolloutProgress({
        rollouts: [{ rolloutId: 9, state: 'running', stopReason: '', counts: {} as never, hosts: [] }],
      });
      await vi.advanceTimersByTimeAsync(10);
    }
    await vi.advanceTimersByTimeAsync(REFRESH_MS);
    expect(fetched - 1).toBeGreaterThanOrEqual(3);
    expect(fetched - 1).toBeLessThanOrEqual(1000 / REFRESH_MS + 1);
    // Another run's events and another rollout's progress fetch nothing.
    const before = fetched;
    store.getState().onPlanRunEvent(event(4));
    store.getState().onPlanRolloutProgress({
      rollouts: [{ rolloutId: 10, state: 'running', stopReason: '', counts: {} as never, hosts: [] }],
    });
    await vi.advanceTimersByTimeAsync(REFRESH_MS * 2);
    expect(fetched).toBe(before);
  });
});
