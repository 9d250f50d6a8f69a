import { describe, expect, it, vi } from 'vitest';

import type { Machine } from '../../../shared/domain';
import type { PatchbayApi } from '../../../shared/ipc';
import { createAppStore } from './store';

const machine = (id: number): Machine => ({
  id,
  displayName: `m${id}`,
  address: `m${id}.example`,
  port: 22,
  transport: 'ssh',
  username: 'root',
  credentialId: null,
  os: '',
  tags: [],
  client: '',
  site: '',
  notes: '',
  proxyJump: '',
  createdAt: 0,
  updatedAt: 0,
  status: null,
});

/** An API whose channels are mocks; unlisted channels fail loudly. */
function stubApi(handlers: Record<string, (req: never) => unknown>): PatchbayApi {
  return new Proxy({} as PatchbayApi, {
    get: (_t, channel: string) => {
      if (channel === 'on') return () => () => undefined;
      const h = handlers[channel];
      return h
        ? vi.fn(async (req: never) => h(req))
        : () => Promise.reject(new Error(`unexpected ${channel}`));
    },
  });
}

describe('machines slice', () => {
  it('keeps only the answer to the latest request when answers arrive out of order', async () => {
    const answers: ((v: unknown) => void)[] = [];
    const store = createAppStore(stubApi({ 'machines.list': () => new Promise((r) => answers.push(r)) }));
    const s = store.getState();
    const first = s.loadMachines();
    const second = s.loadMachines();
    answers[1]?.({ items: [machine(2)], total: 1 });
    answers[0]?.({ items: [machine(1)], total: 1 });
    await Promise.all([first, second]);
    expect(store.getState().items.map((m) => m.id)).toEqual([2]);
  });

  it('drops selected machines that are no longer listed', async () => {
    let items = [machine(1), machine(2), machine(3)];
    const store = createAppStore(stubApi({ 'machines.list': () => ({ items, total: items.length }) }));
    await store.getState().loadMachines();
    store.getState().setAllSelected(true);
    expect(store.getState().selection.size).toBe(3);
    items = [machine(2)];
    await store.getState().loadMachines();
    expect([...store.getState().selection]).toEqual([2]);
  });

  it('selects ranges from the last clicked row in list order', async () => {
    const items = [machine(4), machine(2), machine(9), machine(1)];
    const store = createAppStore(stubApi({ 'machines.list': () => ({ items, total: 4 }) }));
    await store.getState().loadMachines();
    store.getState().selectOnly(2);
    store.getState().selectRange(1);
    expect([...store.getState().selection]).toEqual([2, 9, 1]);
    store.getState().toggleSelected(9);
    expect([...store.getState().selection]).toEqual([2, 1]);
  });

  it('fetches pages by position, selects all and ranges over ids not fetched, drops stale pages', async () => {
    const all = Array.from({ length: 450 }, (_, i) => machine(i + 1));
    const pages: unknown[] = [];
    const store = createAppStore(
      stubApi({
        'machines.list': (req: { page?: { offset: number; limit: number }; withIds?: boolean }) => {
          pages.push(req.page);
          const items = all.slice(req.page?.offset ?? 0, (req.page?.offset ?? 0) + (req.page?.limit ?? 450));
          return { items, total: all.length, ...(req.withIds ? { ids: all.map((m) => m.id) } : {}) };
        },
      }),
    );
    await store.getState().loadMachines();
    expect(store.getState().total).toBe(450);
    expect(store.getState().rows.size).toBe(200);
    store.getState().loadPageAt(420);
    store.getState().loadPageAt(430); // same page: one request
    await vi.waitFor(() => expect(store.getState().rows.has(450)).toBe(true));
    expect(pages).toEqual([
      { offset: 0, limit: 200 },
      { offset: 400, limit: 200 },
    ]);
    expect(store.getState().rows.has(250)).toBe(false);
    store.getState().setAllSelected(true);
    expect(store.getState().selection.size).toBe(450);
    store.getState().selectOnly(3);
    store.getState().selectRange(300);
    expect(store.getState().selection.size).toBe(298);
    // A new list drops the pages fetched for the old one.
    await store.getState().loadMachines();
    expect(store.getState().rows.has(450)).toBe(false);
  });

  it('sorts in the core: a header click toggles the direction and re-fetches', async () => {
    const list = vi.fn((_req: never) => ({ items: [], total: 0 }));
    const store = createAppStore(stubApi({ 'machines.list': list }));
    store.getState().toggleSort('displayName');
    store.getState().toggleSort('site');
    await vi.waitFor(() => expect(list).toHaveBeenCalledTimes(2));
    expect(store.getState().sort).toEqual({ key: 'site', direction: 'asc' });
    expect(list.mock.calls[0]?.[0]).toMatchObject({ sort: { key: 'displayName', direction: 'desc' } });
  });

  it('sends a compact filter without empty fields', async () => {
    const list = vi.fn((_req: never) => ({ items: [], total: 0 }));
    const store = createAppStore(stubApi({ 'machines.list': list }));
    store.getState().setFilter({ text: '  web ', tags: [], clients: ['Acme'] });
    await vi.waitFor(() => expect(list).toHaveBeenCalled());
    expect(list.mock.calls[0]?.[0]).toMatchObject({ filter: { text: 'web', clients: ['Acme'] } });
    expect(store.getState().filter).toEqual({ text: 'web', clients: ['Acme'] });
  });
});

describe('refreshInventory', () => {
  it('turns a burst of change events into one round of requests', async () => {
    vi.useFakeTimers();
    try {
      const facets = vi.fn(() => ({ tags: [], clients: [], sites: [], os: [] }));
      const store = createAppStore(stubApi({ 'machines.facets': facets }));
      for (let i = 0; i < 5; i++) store.getState().refreshInventory();
      await vi.runAllTimersAsync();
      expect(facets).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
