import { afterEach, describe, expect, it, vi } from 'vitest';

import type { RolloutDetail, RolloutHost, RolloutOutputChunk } from '../../../shared/domain';
import { DEFAULT_ROLLOUT_OPTIONS, ROLLOUT_HOST_STATES } from '../../../shared/domain';
import type { RolloutProgressBatch } from '../../../shared/ipc';
import { appendChunks, applyBatch, EMPTY_OUTPUT, lastLine, OUTPUT_KEEP_CHARS } from './rollout-live';
import { createAppStore } from './store';
import { stubApi } from './stub-api.test-helper';

const counts = (over: Partial<RolloutDetail['counts']> = {}) => ({
  ...(Object.fromEntries(ROLLOUT_HOST_STATES.map((s) => [s, 0])) as RolloutDetail['counts']),
  ...over,
});

function host(machineId: number, over: Partial<RolloutHost> = {}): RolloutHost {
  return {
    rolloutId: 7,
    machineId,
    machineName: `web0${machineId}`,
    packageManager: 'apt',
    state: 'reviewed',
    step: '',
    items: [],
    advisories: [],
    plan: null,
    preflight: null,
    opId: null,
    bootIdBefore: '',
    bootIdAfter: '',
    result: null,
    failureKind: '',
    reason: '',
    attempts: 0,
    updatedAt: 1,
    startedAt: null,
    finishedAt: null,
    ...over,
  };
}

function detail(over: Partial<RolloutDetail> = {}): RolloutDetail {
  return {
    id: 7,
    name: '',
    state: 'running',
    targets: { kind: 'machines', machineIds: [1, 2] },
    content: { kind: 'security-approved' },
    options: DEFAULT_ROLLOUT_OPTIONS,
    createdBy: 'tech',
    createdAt: 1,
    startedAt: 2,
    finishedAt: null,
    confirmRemovals: false,
    cancelRequested: false,
    retryOf: null,
    stopReason: '',
    runnerUntil: 0,
    counts: counts({ reviewed: 2 }),
    hosts: [host(1), host(2)],
    ...over,
  };
}

const batch = (over: Partial<RolloutProgressBatch> = {}): RolloutProgressBatch => ({
  rolloutId: 7,
  state: 'running',
  stopReason: '',
  counts: counts({ installing: 1, reviewed: 1 }),
  hosts: [{ machineId: 1, state: 'installing', step: 'follow', output: 'Unpacking openssl (3.0.2)\n' }],
  ...over,
});

afterEach(() => vi.useRealTimers());

describe('rollout live helpers', () => {
  it('folds a batch into the rollout shown and leaves other rollouts alone', () => {
    const d = detail();
    const next = applyBatch(d, batch());
    expect(next.hosts[0]).toMatchObject({ state: 'installing', step: 'follow' });
    expect(next.hosts[1]).toBe(d.hosts[1]);
    expect(next.counts.installing).toBe(1);
    expect(applyBatch(d, batch({ rolloutId: 8 }))).toBe(d);
  });

  it('clears an old failure reason when a host moves on without one', () => {
    const d = detail({
      hosts: [host(1, { state: 'installing', reason: 'lock held', failureKind: 'lock-held' })],
    });
    const same = applyBatch(d, batch({ hosts: [{ machineId: 1, state: 'installing', step: 'follow' }] }));
    expect(same.hosts[0]?.reason).toBe('lock held');
    const moved = applyBatch(
      d,
      batch({ hosts: [{ machineId: 1, state: 'verifying', step: 'after-install' }] }),
    );
    expect(moved.hosts[0]).toMatchObject({ reason: '', failureKind: '' });
  });

  it('appends output chunks once each and keeps only the tail, cut at a line start', () => {
    const c = (id: number, text: string): RolloutOutputChunk => ({ id, at: id, text });
    let out = appendChunks(EMPTY_OUTPUT, [c(1, 'a\n'), c(2, 'b\n')]);
    out = appendChunks(out, [c(2, 'b\n'), c(3, 'c\n')]);
    expect(out).toEqual({ text: 'a\nb\nc\n', lastId: 3, truncated: false });
    const line = `${'x'.repeat(99)}\n`;
    const big = appendChunks(out, [c(4, line.repeat((OUTPUT_KEEP_CHARS / 100) * 2))]);
    expect(big.truncated).toBe(true);
    expect(big.text.length).toBeLessThanOrEqual(OUTPUT_KEEP_CHARS);
    expect(big.text.startsWith('x'.repeat(99))).toBe(true);
  });

  it('finds the last non-empty output line', () => {
    expect(lastLine('Setting up openssl ...\n\n')).toBe('Setting up openssl ...');
    expect(lastLine('progress 10%\rprogress 90%')).toBe('progress 90%');
    expect(lastLine('')).toBe('');
  });
});

describe('rollouts slice', () => {
  it('creates, reviews and starts with the removal confirmation', async () => {
    const reviewed = detail({ state: 'reviewed' });
    const { api, calls } = stubApi({
      'rollouts.create': () => detail({ state: 'created' }),
      'rollouts.list': () => [],
      'rollouts.review': () => reviewed,
      'rollouts.start': () => ({ ...reviewed, state: 'running' }),
      'rollouts.get': () => detail(),
    });
    const store = createAppStore(api);
    const id = await store.getState().createRollout({
      targets: { kind: 'machines', machineIds: [1, 2] },
      content: { kind: 'security-approved' },
    });
    expect(id).toBe(7);
    expect(store.getState().rollout?.state).toBe('created');
    const review = store.getState().reviewRollout(7);
    expect(store.getState().rollout?.state).toBe('reviewing');
    expect(store.getState().rolloutBusy).toBe('review');
    await review;
    expect(store.getState().rollout?.state).toBe('reviewed');
    await store.getState().startRollout(7, true);
    expect(calls.find(([c]) => c === 'rollouts.start')).toEqual([
      'rollouts.start',
      { id: 7, confirmRemovals: true },
    ]);
    expect(store.getState().rollout?.state).toBe('running');
    expect(store.getState().rolloutBusy).toBeNull();
  });

  it('pauses and resumes, showing a refusal as a toast', async () => {
    let state: RolloutDetail['state'] = 'running';
    const { api, calls } = stubApi({
      'rollouts.pause': () => ((state = 'paused'), detail({ state })),
      'rollouts.resume': () => Promise.reject(new Error('Only a paused rollout can be resumed')),
      'rollouts.get': () => detail({ state }),
      'rollouts.list': () => [],
    });
    const store = createAppStore(api);
    store.setState({ rollout: detail() });
    await store.getState().pauseRollout(7, true);
    expect(store.getState().rollout?.state).toBe('paused');
    await store.getState().pauseRollout(7, false);
    expect(calls.filter(([c]) => c !== 'rollouts.list')).toEqual([
      ['rollouts.pause', { id: 7 }],
      ['rollouts.get', { id: 7 }],
      ['rollouts.resume', { id: 7 }],
    ]);
    expect(store.getState().toasts.at(-1)?.message).toContain('Could not resume the rollout');
    expect(store.getState().rolloutBusy).toBeNull();
  });

  it('retries: the new rollout becomes the one shown; a refusal is a toast and no id', async () => {
    let refuse = false;
    const { api, calls } = stubApi({
      'rollouts.retry': () =>
        refuse
          ? Promise.reject(new Error('No host of that rollout failed.'))
          : detail({ id: 9, state: 'created', retryOf: 7, hosts: [host(2, { state: 'queued' })] }),
      'rollouts.list': () => [],
    });
    const store = createAppStore(api);
    store.setState({ rollout: detail({ state: 'finished' }) });
    expect(await store.getState().retryRollout(7, true)).toBe(9);
    expect(calls[0]).toEqual(['rollouts.retry', { id: 7, includeCancelled: true }]);
    expect(store.getState().rollout).toMatchObject({ id: 9, retryOf: 7 });
    refuse = true;
    expect(await store.getState().retryRollout(9, false)).toBeNull();
    expect(calls.find(([c, r]) => c === 'rollouts.retry' && (r as { id: number }).id === 9)).toEqual([
      'rollouts.retry',
      { id: 9 },
    ]);
    expect(store.getState().toasts.at(-1)?.message).toContain('No host of that rollout failed');
  });

  it('shows a refused start as a toast and keeps the rollout as it was', async () => {
    const { api } = stubApi({
      'rollouts.start': () => Promise.reject(new Error('confirm the removals to start.')),
      'rollouts.list': () => [],
    });
    const store = createAppStore(api);
    store.setState({ rollout: detail({ state: 'reviewed' }) });
    await store.getState().startRollout(7, false);
    expect(store.getState().toasts.at(-1)).toMatchObject({ kind: 'error' });
    expect(store.getState().toasts.at(-1)?.message).toContain('confirm the removals');
    expect(store.getState().rollout?.state).toBe('reviewed');
  });

  it('re-attaches to a running rollout after a reload: every host state from its progress batch', async () => {
    const { api } = stubApi({ 'rollouts.get': () => detail({ counts: counts({ reviewed: 2 }) }) });
    const store = createAppStore(api);
    await store.getState().openRollout(7);
    store.getState().attachRollouts([
      batch({
        hosts: [
          { machineId: 1, state: 'installing', step: 'follow' },
          { machineId: 2, state: 'failed', step: '', reason: 'dpkg lock held', failureKind: 'lock-held' },
        ],
      }),
    ]);
    const r = store.getState().rollout;
    expect(r?.hosts.map((h) => h.state)).toEqual(['installing', 'failed']);
    expect(r?.hosts[1]?.failureKind).toBe('lock-held');
    expect(store.getState().liveRollouts.has(7)).toBe(true);
  });

  it('follows progress: host states, last output line, and the detail again once hosts finish', async () => {
    vi.useFakeTimers();
    const done = detail({
      state: 'finished',
      hosts: [host(1, { state: 'succeeded' }), host(2, { state: 'succeeded' })],
    });
    const { api, calls } = stubApi({ 'rollouts.get': () => done, 'rollouts.list': () => [] });
    const store = createAppStore(api);
    store.setState({ rollout: detail() });
    store.getState().onRolloutProgress({ rollouts: [batch()] });
    expect(store.getState().rollout?.hosts[0]?.state).toBe('installing');
    expect(store.getState().rolloutTails.get(1)).toBe('Unpacking openssl (3.0.2)');
    expect(calls).toHaveLength(0);
    store.getState().onRolloutProgress({
      rollouts: [batch({ state: 'finished', hosts: [{ machineId: 1, state: 'succeeded', step: '' }] })],
    });
    await vi.runAllTimersAsync();
    expect(calls.filter(([c]) => c === 'rollouts.get')).toHaveLength(1);
    expect(store.getState().rollout?.state).toBe('finished');
    expect(store.getState().liveRollouts.has(7)).toBe(false);
  });

  it('learns that a review another window started has ended from progress alone, then fetches the plans', async () => {
    vi.useFakeTimers();
    const plan = { upgrades: [], installs: [], removals: [], problems: [], raw: '' } as never;
    const reviewed = detail({ state: 'reviewed', hosts: [host(1, { plan }), host(2, { plan })] });
    const { api, calls } = stubApi({ 'rollouts.get': () => reviewed, 'rollouts.list': () => [] });
    const store = createAppStore(api);
    store.setState({
      rollout: detail({ state: 'reviewing', hosts: [host(1, { state: 'reviewing' }), host(2)] }),
    });
    store.getState().onRolloutProgress({
      rollouts: [
        batch({
          state: 'reviewed',
          counts: counts({ reviewed: 2 }),
          hosts: [{ machineId: 1, state: 'reviewed', step: '' }],
        }),
      ],
    });
    expect(store.getState().rollout?.state).toBe('reviewed');
    expect(store.getState().rollout?.hosts[0]?.state).toBe('reviewed');
    await vi.runAllTimersAsync();
    expect(calls.filter(([c]) => c === 'rollouts.get')).toHaveLength(1);
    expect(store.getState().rollout?.hosts[1]?.plan).toBe(plan);
  });

  it('reads a watched host output by offsets, and again after the host prints', async () => {
    vi.useFakeTimers();
    const stored: RolloutOutputChunk[] = [
      { id: 1, at: 1, text: 'Reading package lists...\n' },
      { id: 2, at: 2, text: 'Unpacking openssl\n' },
    ];
    const { api, calls } = stubApi({
      'rollouts.output': (req: { afterId: number }) => ({ chunks: stored.filter((c) => c.id > req.afterId) }),
    });
    const store = createAppStore(api);
    store.setState({ rollout: detail() });
    await store.getState().watchHostOutput(1);
    expect(store.getState().rolloutOutput?.output.text).toBe('Reading package lists...\nUnpacking openssl\n');
    stored.push({ id: 3, at: 3, text: 'Setting up openssl\n' });
    store.getState().onRolloutProgress({
      rollouts: [
        batch({
          hosts: [{ machineId: 1, state: 'installing', step: 'follow', output: 'Setting up openssl\n' }],
        }),
      ],
    });
    await vi.runAllTimersAsync();
    const reads = calls
      .filter(([c]) => c === 'rollouts.output')
      .map(([, r]) => (r as { afterId: number }).afterId);
    expect(reads).toEqual([0, 2]);
    expect(store.getState().rolloutOutput?.output.text.split('\n').filter(Boolean)).toHaveLength(3);
    // Output of another host does not read the watched host's log again.
    store.getState().onRolloutProgress({
      rollouts: [batch({ hosts: [{ machineId: 2, state: 'installing', step: 'follow', output: 'x\n' }] })],
    });
    await vi.runAllTimersAsync();
    expect(calls.filter(([c]) => c === 'rollouts.output')).toHaveLength(2);
  });

  it('cancels and throws the refusal for the confirm dialog', async () => {
    const { api } = stubApi({
      'rollouts.cancel': () => Promise.reject(new Error('Wait for the review to end, then cancel.')),
      'rollouts.list': () => [],
    });
    const store = createAppStore(api);
    await expect(store.getState().cancelRollout(7)).rejects.toThrow('Wait for the review');
    expect(store.getState().rolloutBusy).toBeNull();
  });
});
