import { describe, expect, it, vi } from 'vitest';

import type { JobProgress } from '../../../shared/domain';
import { ROLLOUT_HOST_STATES } from '../../../shared/domain';
import type { RolloutProgressBatch } from '../../../shared/ipc';
import { progressOf } from './jobs-slice';
import { isRunning } from './scan-session';
import { createAppStore } from './store';
import { stubApi } from './stub-api.test-helper';

const JOB = '7f6b0e7e-3c1a-4f7e-9d55-2a0f6f1b9a11';
const totals = { total: 1, queued: 0, running: 1, done: 0, failed: 0, cancelled: 0 };
const counts = Object.fromEntries(ROLLOUT_HOST_STATES.map((s) => [s, 0])) as RolloutProgressBatch['counts'];

const scanProgress = {
  jobId: JOB,
  runId: 2,
  hosts: [{ machineId: 7, state: 'connecting' as const }],
  totals,
};
const scanJob: JobProgress = {
  kind: 'scan',
  jobId: JOB,
  title: 'Scan of 1 machine',
  startedAt: 1,
  totals,
  hosts: [{ machineId: 7, state: 'connecting' }],
  progress: scanProgress,
};
const rolloutBatch: RolloutProgressBatch = {
  rolloutId: 4,
  state: 'running',
  stopReason: '',
  counts: { ...counts, installing: 1 },
  hosts: [{ machineId: 7, state: 'installing', step: 'follow' }],
};
const rolloutJob: JobProgress = {
  kind: 'rollout',
  jobId: '4',
  title: 'Rollout 4',
  startedAt: 2,
  totals,
  hosts: [{ machineId: 7, state: 'installing' }],
  progress: rolloutBatch,
};
// A kind a newer core may run (plans) that this window has no view for.
const planJob = { ...scanJob, kind: 'plan', jobId: 'plan-1' } as unknown as JobProgress;

describe('jobs slice', () => {
  it('asks jobs.active once when the connection opens and hands each job to its kind', async () => {
    const { api, calls } = stubApi({
      'jobs.active': () => [planJob, scanJob, rolloutJob],
      'machines.get': ({ id }: { id: number }) => ({ id, displayName: `host-${id}` }),
    });
    const store = createAppStore(api);
    store.getState().setConnection('open');
    await vi.waitFor(() => expect(store.getState().scan?.names.get(7)).toBe('host-7'));
    expect(calls.map((c) => c[0])).toEqual(['jobs.active', 'machines.get']);
    // The scan went to the scan panel, whole, and only the scan: the plan job made no session of its own.
    const scan = store.getState().scan;
    expect(isRunning(scan)).toBe(true);
    expect([...(scan?.jobs.keys() ?? [])]).toEqual([JOB]);
    expect(scan?.hosts.get(7)?.state).toBe('connecting');
    // The rollout went to the rollouts slice with its batch.
    expect([...store.getState().liveRollouts.keys()]).toEqual([4]);
    expect(store.getState().liveRollouts.get(4)?.hosts[0]?.step).toBe('follow');
    // Only a change to "open" asks again; a reconnect (closed, then open) does.
    store.getState().setConnection('open');
    expect(calls.filter((c) => c[0] === 'jobs.active')).toHaveLength(1);
    store.getState().setConnection('lost');
    store.getState().setConnection('open');
    await vi.waitFor(() => expect(calls.filter((c) => c[0] === 'jobs.active')).toHaveLength(2));
  });

  it('ends what the window shows as running when the core no longer lists it', async () => {
    const { api } = stubApi({ 'jobs.active': () => [] });
    const store = createAppStore(api);
    store.getState().onScanProgress(scanProgress);
    store.getState().onRolloutProgress({ rollouts: [rolloutBatch] });
    expect(store.getState().liveRollouts.size).toBe(1);
    await store.getState().attachActiveJobs();
    expect(isRunning(store.getState().scan)).toBe(false);
    expect(store.getState().scan?.hosts.get(7)?.state).toBe('cancelled');
    expect(store.getState().liveRollouts.size).toBe(0);
  });

  it('changes nothing when the request fails', async () => {
    const store = createAppStore(stubApi({}).api);
    store.getState().onScanProgress(scanProgress);
    await store.getState().attachActiveJobs();
    expect(isRunning(store.getState().scan)).toBe(true);
  });

  it('picks the progress of one kind in the order the core listed it', () => {
    const second: JobProgress = {
      ...scanJob,
      kind: 'scan',
      jobId: 'b',
      progress: { ...scanProgress, jobId: 'b' },
    };
    const jobs = [scanJob, rolloutJob, planJob, second];
    expect(progressOf(jobs, 'scan').map((p) => p.jobId)).toEqual([JOB, 'b']);
    expect(progressOf(jobs, 'rollout').map((p) => p.rolloutId)).toEqual([4]);
  });
});
