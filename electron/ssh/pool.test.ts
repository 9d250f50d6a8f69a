import { describe, expect, it } from 'vitest';

import { memoryHostKeyStore } from './host-keys';
import { createSshPool } from './pool';
import type { SshSession, SshTarget } from './types';

const target = (address: string): SshTarget => ({ address, port: 22, username: 'ops', auth: {} });
const options = { hostKeys: memoryHostKeyStore() };
const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

/** A fake opener that records how many sessions are open at once, overall and per host. */
function fakeOpen(failFor = '') {
  const open = new Map<string, number>();
  const stats = { max: 0, maxPerHost: 0, opened: 0, closed: 0 };
  let now = 0;
  const opener = async (t: SshTarget): Promise<SshSession> => {
    await tick();
    if (t.address === failFor) throw new Error('cannot connect');
    stats.opened += 1;
    now += 1;
    stats.max = Math.max(stats.max, now);
    open.set(t.address, (open.get(t.address) ?? 0) + 1);
    stats.maxPerHost = Math.max(stats.maxPerHost, open.get(t.address) ?? 0);
    let closed = false;
    return {
      hostKey: { keyType: 'ssh-ed25519', fingerprint: 'SHA256:x', pinnedNow: false },
      exec: () => Promise.reject(new Error('not used')),
      close: () => {
        if (closed) return;
        closed = true;
        stats.closed += 1;
        now -= 1;
        open.set(t.address, (open.get(t.address) ?? 1) - 1);
      },
    };
  };
  return { opener, stats };
}

describe('SSH pool', () => {
  it('runs at most `concurrency` sessions and one per host, and closes each', async () => {
    const { opener, stats } = fakeOpen();
    const pool = createSshPool({ concurrency: 4, open: opener });
    const hosts = Array.from({ length: 10 }, (_, i) => `10.0.0.${i}`);
    const jobs = [...hosts, ...hosts, ...hosts].map((h) =>
      pool.withSession(target(h), options, async () => {
        await tick(10);
        return h;
      }),
    );
    expect(await Promise.all(jobs)).toHaveLength(30);
    expect(stats).toEqual({ max: 4, maxPerHost: 1, opened: 30, closed: 30 });
    expect(pool.stats()).toEqual({ active: 0, queued: 0, concurrency: 4 });
  });

  it('defaults to 16 at once', async () => {
    const { opener, stats } = fakeOpen();
    const pool = createSshPool({ open: opener });
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => pool.withSession(target(`h${i}`), options, () => tick(10))),
    );
    expect(stats.max).toBe(16);
  });

  it('frees the slot when connecting or the work fails', async () => {
    const { opener, stats } = fakeOpen('bad');
    const pool = createSshPool({ concurrency: 1, open: opener });
    const a = pool.withSession(target('bad'), options, async () => 'never');
    const b = pool.withSession(target('ok'), options, async () => {
      throw new Error('work failed');
    });
    const c = pool.withSession(target('ok'), options, async () => 'done');
    await expect(a).rejects.toThrow('cannot connect');
    await expect(b).rejects.toThrow('work failed');
    expect(await c).toBe('done');
    expect(stats.closed).toBe(stats.opened);
  });

  it('lets work queued behind a busy host give up at once, and keeps the next one waiting for the host', async () => {
    const { opener, stats } = fakeOpen();
    const pool = createSshPool({ concurrency: 4, open: opener });
    let finishFirst!: () => void;
    const order: string[] = [];
    const first = pool.withSession(target('10.0.0.1'), options, async () => {
      order.push('first');
      await new Promise<void>((r) => (finishFirst = r));
    });
    const abort = new AbortController();
    const given = pool
      .withSession(target('10.0.0.1'), { ...options, signal: abort.signal }, async () => {
        order.push('given-up');
      })
      .catch((e: unknown) => e);
    const third = pool.withSession(target('10.0.0.1'), options, async () => {
      order.push('third');
    });
    await tick(20);
    abort.abort(new Error('cancelled'));
    // Rejected while the first still holds the host: it does not wait for it.
    expect(((await given) as Error).message).toBe('cancelled');
    expect(order).toEqual(['first']);
    finishFirst();
    await Promise.all([first, third]);
    expect(order).toEqual(['first', 'third']);
    expect(stats).toMatchObject({ maxPerHost: 1, opened: 2, closed: 2 });
    expect(pool.stats()).toEqual({ active: 0, queued: 0, concurrency: 4 });
  });
});

describe('pool with WinRM beside SSH', () => {
  it('holds SSH and WinRM work to one limit, one session per WinRM host, each closed', async () => {
    const { opener, stats } = fakeOpen();
    const winrm = { open: 0, max: 0, maxPerHost: 0, closed: 0, perHost: new Map<string, number>() };
    const pool = createSshPool({
      concurrency: 3,
      open: opener,
      openWinrm: async (t) => {
        await tick();
        winrm.open += 1;
        const n = (winrm.perHost.get(t.host) ?? 0) + 1;
        winrm.perHost.set(t.host, n);
        winrm.maxPerHost = Math.max(winrm.maxPerHost, n);
        winrm.max = Math.max(winrm.max, winrm.open + (stats.opened - stats.closed));
        return {
          transport: 'winrm',
          run: () => Promise.reject(new Error('not used')),
          close: () => {
            winrm.open -= 1;
            winrm.closed += 1;
            winrm.perHost.set(t.host, (winrm.perHost.get(t.host) ?? 1) - 1);
          },
        };
      },
    });
    const work = async () => {
      await tick(10);
      // Both kinds open at this moment never exceed the one limit.
      expect(winrm.open + (stats.opened - stats.closed)).toBeLessThanOrEqual(3);
    };
    const hosts = ['10.1.0.1', '10.1.0.2', '10.1.0.3', '10.1.0.4'];
    await Promise.all([
      ...[...hosts, ...hosts].map((h) =>
        pool.withWinrm({ host: h, user: 'Administrator', password: 'x' }, {}, work),
      ),
      ...hosts.map((h) => pool.withSession(target(h), options, work)),
    ]);
    expect(winrm.maxPerHost).toBe(1);
    expect(winrm.closed).toBe(8);
    expect(stats.closed).toBe(4);
    expect(pool.stats()).toMatchObject({ active: 0, queued: 0 });
  });
});
