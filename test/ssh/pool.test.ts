import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { memoryHostKeyStore } from '../../electron/ssh/host-keys';
import { createSshPool } from '../../electron/ssh/pool';
import type { SshTarget } from '../../electron/ssh/types';
import { clientKeys, loopTarget, pinnedFor, sshdFor } from './fixture';
import { removeScratchDirs, type Sshd, sshdAvailable } from './sshd';

const available = sshdAvailable();

// Six "hosts": one sshd listening on six loopback addresses.
const ADDRESSES = [2, 3, 4, 5, 6, 7].map((i) => `127.0.0.${i}`);

describe.skipIf(!available)('the SSH pool against a real server', () => {
  let sshd: Sshd;
  let targets: SshTarget[];
  beforeAll(async () => {
    const keys = clientKeys();
    sshd = await sshdFor(keys, { config: ADDRESSES.map((a) => `ListenAddress ${a}`) });
    targets = ADDRESSES.map((address, i) => ({
      ...loopTarget(sshd, { privateKey: keys.ed25519.privateKey }),
      name: `host${i}`,
      address,
    }));
  });
  afterAll(async () => {
    await sshd?.stop();
    removeScratchDirs();
  });
  const hostKeys = () => memoryHostKeyStore(ADDRESSES.map((a) => pinnedFor(sshd, a)));

  it('never has more connections open than its limit, nor two to one host', async () => {
    const pool = createSshPool({ concurrency: 3 });
    const store = hostKeys();
    let inFlight = 0;
    let maxInFlight = 0;
    const perHost = new Map<string, number>();
    let maxPerHost = 0;
    const work = [...targets, ...targets].map((target) =>
      pool.withSession(target, { hostKeys: store }, async (session) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        perHost.set(target.address, (perHost.get(target.address) ?? 0) + 1);
        maxPerHost = Math.max(maxPerHost, perHost.get(target.address) ?? 0);
        expect(pool.stats().active).toBeLessThanOrEqual(3);
        try {
          return (await session.exec('sleep 0.3; echo $SSH_CONNECTION')).stdout.toString().split(' ')[2];
        } finally {
          inFlight -= 1;
          perHost.set(target.address, (perHost.get(target.address) ?? 1) - 1);
        }
      }),
    );
    const started = Date.now();
    const served = await Promise.all(work);
    const elapsed = Date.now() - started;
    expect(maxInFlight).toBe(3);
    expect(maxPerHost).toBe(1);
    // Each connection really went to its own address.
    expect(served).toEqual([...ADDRESSES, ...ADDRESSES]);
    // 12 pieces of 0.3 s, 3 at a time: at least 4 rounds.
    expect(elapsed).toBeGreaterThanOrEqual(1200);
    expect(pool.stats()).toEqual({ active: 0, queued: 0, concurrency: 3 });
  });

  it('drops queued work whose signal aborts, without connecting', async () => {
    const pool = createSshPool({ concurrency: 1 });
    const store = hostKeys();
    const controller = new AbortController();
    let release!: () => void;
    let connected!: () => void;
    const holdingConnected = new Promise<void>((r) => (connected = r));
    const holding = pool.withSession(
      targets[0] as SshTarget,
      { hostKeys: store },
      () =>
        new Promise<void>((r) => {
          release = r;
          connected();
        }),
    );
    let opened = false;
    const queued = pool
      .withSession(targets[1] as SshTarget, { hostKeys: store, signal: controller.signal }, async () => {
        opened = true;
      })
      .catch((e: unknown) => e);
    // The one slot is held by a real open connection: the second piece of work (queued at once, in the
    // same tick as its call) is waiting for it, whatever the machine's load.
    await holdingConnected;
    expect(pool.stats().queued).toBe(1);
    controller.abort();
    expect(((await queued) as Error).name).toBe('AbortError');
    release();
    await holding;
    expect(opened).toBe(false);
  });
});
