import { describe, expect, it } from 'vitest';

import { createHostLocks, HostBusyError } from './host-locks';

const scan = (id: string) => ({ kind: 'scan' as const, id });
const rollout = (id: string) => ({ kind: 'rollout' as const, id });
/** Lets queued promise callbacks run. */
const tick = () => new Promise((r) => setImmediate(r));

describe('host locks', () => {
  it('gives a machine to one owner at a time, in order, and frees it on the last release', async () => {
    const locks = createHostLocks();
    const order: string[] = [];
    const first = await locks.acquire(1, rollout('a'));
    const second = locks.acquire(1, rollout('b')).then((rel) => (order.push('b'), rel));
    const third = locks.acquire(1, scan('c')).catch((err: unknown) => err);
    const other = await locks.acquire(2, scan('d'));
    expect(locks.holder(1)).toEqual(rollout('a'));
    expect(locks.holder(2)).toEqual(scan('d'));
    await tick();
    expect(order).toEqual([]);
    first();
    first(); // a second release of the same hold changes nothing
    const releaseB = await second;
    expect(locks.holder(1)).toEqual(rollout('b'));
    // The scan queued behind rollouts is refused, not kept waiting.
    expect(await third).toBeInstanceOf(HostBusyError);
    releaseB();
    other();
    expect(locks.holder(1)).toBeNull();
    expect(locks.heldCount()).toBe(0);
  });

  it('refuses a scan at once while a rollout holds the machine, naming the rollout', async () => {
    const locks = createHostLocks();
    const release = await locks.acquire(7, rollout('r9'));
    const err = await locks.acquire(7, scan('s')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostBusyError);
    expect((err as HostBusyError).holder).toEqual(rollout('r9'));
    expect((err as HostBusyError).message).toMatch(/a rollout is patching this machine/i);
    release();
    const again = await locks.acquire(7, scan('s'));
    expect(locks.holder(7)).toEqual(scan('s'));
    again();
  });

  it('makes a rollout wait for a running scan, and refuses scans queued behind that rollout', async () => {
    const locks = createHostLocks();
    const releaseScan = await locks.acquire(3, scan('s1'));
    let rolloutHas = false;
    const r = locks.acquire(3, rollout('r')).then((rel) => ((rolloutHas = true), rel));
    const late = locks.acquire(3, scan('s2')).catch((e: unknown) => e);
    expect(await late).toBeInstanceOf(HostBusyError);
    await tick();
    expect(rolloutHas).toBe(false);
    releaseScan();
    (await r)();
    expect(rolloutHas).toBe(true);
    expect(locks.holder(3)).toBeNull();
  });

  it('lets a second scan wait for the first, and drops a waiter whose signal aborts', async () => {
    const locks = createHostLocks();
    const releaseA = await locks.acquire(4, scan('a'));
    const abort = new AbortController();
    const b = locks.acquire(4, scan('b'), abort.signal).catch((e: unknown) => e);
    const c = locks.acquire(4, scan('c'));
    abort.abort(new Error('stop'));
    expect(((await b) as Error).message).toBe('stop');
    releaseA();
    const releaseC = await c;
    expect(locks.holder(4)).toEqual(scan('c'));
    releaseC();
    // An already aborted signal never takes the lock.
    await expect(locks.acquire(4, scan('d'), AbortSignal.abort(new Error('no')))).rejects.toThrow('no');
    expect(locks.holder(4)).toBeNull();
  });

  it('never lets a stale release free a later hold of the same owner', async () => {
    const locks = createHostLocks();
    const first = await locks.acquire(5, rollout('r'));
    first();
    const second = await locks.acquire(5, rollout('r'));
    first();
    expect(locks.holder(5)).toEqual(rollout('r'));
    second();
    expect(locks.holder(5)).toBeNull();
  });
});
