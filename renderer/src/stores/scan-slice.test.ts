import { describe, expect, it, vi } from 'vitest';

import { parseMachineId } from '../app/routes';
import { isRunning } from './scan-session';
import { createAppStore } from './store';
import { stubApi } from './stub-api.test-helper';

const JOB = '7f6b0e7e-3c1a-4f7e-9d55-2a0f6f1b9a11';
const totals = { total: 1, queued: 0, running: 0, done: 1, failed: 0, cancelled: 0 };

describe('scan slice', () => {
  it('starts a scan of a filter, shows the job, and finishes it from events', async () => {
    const { api, calls } = stubApi({ 'scan.start': () => ({ jobId: JOB, runId: 3, total: 1 }) });
    const store = createAppStore(api);
    const ok = await store
      .getState()
      .startScan({ filter: { tags: ['prod'] } }, { trustNewHostKeys: true, names: new Map([[5, 'web01']]) });
    expect(ok).toBe(true);
    expect(calls[0]).toEqual(['scan.start', { filter: { tags: ['prod'] }, trustNewHostKeys: true }]);
    expect(store.getState().scan?.totals).toMatchObject({ total: 1, queued: 1 });
    store
      .getState()
      .onScanProgress({ jobId: JOB, runId: 3, hosts: [{ machineId: 5, state: 'done' }], totals });
    store.getState().onScanFinished({ jobId: JOB, runId: 3, state: 'done', totals });
    const s = store.getState().scan;
    expect(isRunning(s)).toBe(false);
    expect(s?.names.get(5)).toBe('web01');
    store.getState().closeScanPanel();
    expect(store.getState().scan).toBeNull();
  });

  it('keeps the panel open while a scan runs', async () => {
    const { api } = stubApi({ 'scan.start': () => ({ jobId: JOB, runId: 3, total: 1 }) });
    const store = createAppStore(api);
    await store.getState().startScan({ machineIds: [5] }, { trustNewHostKeys: false, names: new Map() });
    store.getState().closeScanPanel();
    expect(store.getState().scan).not.toBeNull();
  });

  it('reports a refused start in the panel and as a toast', async () => {
    vi.useFakeTimers();
    try {
      const { api } = stubApi({
        'scan.start': () => Promise.reject(new Error('No machines to scan.')),
      });
      const store = createAppStore(api);
      const ok = await store
        .getState()
        .startScan({ filter: {} }, { trustNewHostKeys: false, names: new Map() });
      expect(ok).toBe(false);
      expect(store.getState().scan?.startError).toBe('No machines to scan.');
      expect(store.getState().toasts.at(-1)).toMatchObject({ kind: 'error' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('trusts the key of a failed result, then rescans only that machine', async () => {
    vi.useFakeTimers();
    try {
      const { api, calls } = stubApi({
        'scan.trustHostKey': () => ({ address: '10.0.0.5', port: 22, fingerprint: 'SHA256:abc' }),
        'scan.start': () => ({ jobId: JOB, runId: 4, total: 1 }),
      });
      const store = createAppStore(api);
      await store.getState().trustAndRescan(42, 5, 'web01');
      expect(calls).toEqual([
        ['scan.trustHostKey', { resultId: 42 }],
        ['scan.start', { machineIds: [5], trustNewHostKeys: false }],
      ]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('cancels every running job of the session', async () => {
    const { api, calls } = stubApi({
      'scan.start': () => ({ jobId: JOB, runId: 3, total: 2 }),
      'scan.cancel': () => ({ cancelled: true }),
    });
    const store = createAppStore(api);
    await store.getState().startScan({ machineIds: [1, 2] }, { trustNewHostKeys: false, names: new Map() });
    await store.getState().cancelScan();
    expect(calls.at(-1)).toEqual(['scan.cancel', { jobId: JOB }]);
  });

  it('shows a job started elsewhere in a new session once the last one ended', () => {
    const { api } = stubApi({});
    const store = createAppStore(api);
    store
      .getState()
      .onScanProgress({ jobId: JOB, runId: 9, hosts: [{ machineId: 1, state: 'queued' }], totals });
    expect(store.getState().scan?.jobs.has(JOB)).toBe(true);
    expect(store.getState().scanPanel).toBe('open');
  });
});

describe('attaching to running scans', () => {
  const active = (hosts: { machineId: number; state: 'connecting' | 'done' }[]) => [
    { jobId: JOB, runId: 2, hosts, totals: { ...totals, total: hosts.length, done: 0 } },
  ];

  it('shows an attached job with every host and names the hosts it did not know', async () => {
    const { api, calls } = stubApi({
      'machines.get': ({ id }: { id: number }) => ({ id, displayName: `host-${id}` }),
    });
    const store = createAppStore(api);
    await store.getState().attachScans(active([{ machineId: 7, state: 'connecting' }]));
    expect(store.getState().scan?.names.get(7)).toBe('host-7');
    expect(calls.map((c) => c[0])).toEqual(['machines.get']);
    expect(isRunning(store.getState().scan)).toBe(true);
    expect(store.getState().scan?.hosts.get(7)?.state).toBe('connecting');
    expect(store.getState().scanPanel).toBe('open');
  });

  it('names the hosts an attached job reports later, asking for each only once', async () => {
    const { api, calls } = stubApi({
      'machines.get': ({ id }: { id: number }) =>
        id === 9 ? Promise.reject(new Error('gone')) : { id, displayName: `host-${id}` },
    });
    const store = createAppStore(api);
    await store.getState().attachScans(active([{ machineId: 7, state: 'connecting' }]));
    const batch = (machineId: number) =>
      store
        .getState()
        .onScanProgress({ jobId: JOB, runId: 2, hosts: [{ machineId, state: 'connecting' }], totals });
    batch(8);
    batch(9);
    await vi.waitFor(() => expect(store.getState().scan?.names.get(8)).toBe('host-8'));
    batch(9);
    await new Promise((r) => setTimeout(r, 400));
    expect(calls.filter(([c, req]) => c === 'machines.get' && (req as { id: number }).id === 9)).toHaveLength(
      1,
    );
  });

  it('asks for the whole list once when many hosts need names', async () => {
    const hosts = Array.from({ length: 40 }, (_, i) => ({ machineId: i + 1, state: 'connecting' as const }));
    const { api, calls } = stubApi({
      'machines.list': () => ({
        items: hosts.map((h) => ({ id: h.machineId, displayName: `m${h.machineId}` })),
        total: 40,
      }),
    });
    const store = createAppStore(api);
    await store.getState().attachScans(active(hosts));
    expect(calls.map((c) => c[0])).toEqual(['machines.list']);
    expect(store.getState().scan?.names.get(40)).toBe('m40');
  });

  it('shows nothing when no scan runs', async () => {
    const store = createAppStore(stubApi({}).api);
    await store.getState().attachScans([]);
    expect(store.getState().scan).toBeNull();
  });
});

describe('machine links', () => {
  it('reads the machine id of #/machines/<id>', () => {
    expect(parseMachineId('#/machines/12')).toBe(12);
    expect(parseMachineId('#/machines')).toBeNull();
    expect(parseMachineId('#/machines/abc')).toBeNull();
    expect(parseMachineId('#/machines/0')).toBeNull();
    expect(parseMachineId('#/patches/12')).toBeNull();
  });
});
