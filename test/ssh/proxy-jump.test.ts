import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SshError } from '../../electron/ssh/errors';
import { memoryHostKeyStore } from '../../electron/ssh/host-keys';
import { openSession } from '../../electron/ssh/session';
import type { SshTarget } from '../../electron/ssh/types';
import {
  type ClientKeys,
  clientKeys,
  loopTarget,
  pinnedFor,
  rejection,
  sshdFor,
  storeTrusting,
} from './fixture';
import { freePort, removeScratchDirs, type Sshd, sshdAvailable } from './sshd';

const available = sshdAvailable();

describe.skipIf(!available)('ProxyJump through real OpenSSH jump hosts', () => {
  let keys: ClientKeys;
  let target: Sshd;
  let jump1: Sshd;
  let jump2: Sshd;
  let via: (proxyJump: string, port?: number) => SshTarget;
  beforeAll(async () => {
    keys = clientKeys();
    // The target forbids forwarding; the jump hosts allow it and log (DEBUG1) where they forwarded to.
    target = await sshdFor(keys);
    const jumpConfig = ['AllowTcpForwarding yes', 'LogLevel DEBUG1'];
    jump1 = await sshdFor(keys, { config: jumpConfig });
    jump2 = await sshdFor(keys, { config: jumpConfig });
    via = (proxyJump, port = target.port) => ({
      ...loopTarget(target, { privateKey: keys.ed25519.privateKey }),
      port,
      proxyJump,
    });
  });
  afterAll(async () => {
    for (const s of [target, jump1, jump2]) await s?.stop();
    removeScratchDirs();
  });
  const forwardedTo = (jump: Sshd, port: number) => jump.log().includes(`target 127.0.0.1 port ${port}`);

  it('reaches the target through one jump host', async () => {
    const session = await openSession(via(`root@127.0.0.1:${jump1.port}`), {
      hostKeys: storeTrusting(target, jump1),
    });
    expect((await session.exec('echo via-jump')).stdout.toString()).toBe('via-jump\n');
    expect(session.hostKey.fingerprint).toBe(target.hostKeyFingerprint);
    session.close();
    expect(forwardedTo(jump1, target.port)).toBe(true);
  });

  it('chains two jump hosts in order', async () => {
    const session = await openSession(via(`127.0.0.1:${jump1.port},root@127.0.0.1:${jump2.port}`), {
      hostKeys: storeTrusting(target, jump1, jump2),
    });
    expect((await session.exec('echo two-hops')).stdout.toString()).toBe('two-hops\n');
    session.close();
    expect(forwardedTo(jump1, jump2.port)).toBe(true);
    expect(forwardedTo(jump2, target.port)).toBe(true);
  });

  it("checks the jump host's key too, and says it is the jump host", async () => {
    const err = await rejection(
      openSession(via(`root@127.0.0.1:${jump1.port}`), { hostKeys: storeTrusting(target) }),
    );
    expect(err).toBeInstanceOf(SshError);
    expect(err?.kind).toBe('host-key-unknown');
    expect(err?.endpoint.jump).toBe(true);
    expect(err?.hostKey?.fingerprint).toBe(jump1.hostKeyFingerprint);
    expect(err?.message).toMatch(new RegExp(`^jump host 127\\.0\\.0\\.1:${jump1.port} is not trusted yet`));
  });

  it("checks the target's key behind the jump host", async () => {
    const store = memoryHostKeyStore([pinnedFor(jump1)]);
    const err = await rejection(openSession(via(`root@127.0.0.1:${jump1.port}`), { hostKeys: store }));
    expect(err?.kind).toBe('host-key-unknown');
    expect(err?.endpoint.jump).toBeUndefined();
    expect(err?.hostKey?.fingerprint).toBe(target.hostKeyFingerprint);
  });

  it('reports a jump host that does not allow forwarding', async () => {
    // The target's own sshd has AllowTcpForwarding no: use it as the jump host.
    const err = await rejection(
      openSession(via(`root@127.0.0.1:${target.port}`, jump1.port), {
        hostKeys: storeTrusting(target, jump1),
      }),
    );
    expect(err?.kind).toBe('unreachable');
    expect(err?.message).toMatch(/does not allow forwarding/);
  });

  it('reports a closed port behind the jump host as refused', async () => {
    const closed = await freePort();
    const err = await rejection(
      openSession(via(`root@127.0.0.1:${jump1.port}`, closed), { hostKeys: storeTrusting(target, jump1) }),
    );
    expect(err?.kind).toBe('refused');
    expect(err?.message).toBe(
      `loop (127.0.0.1:${closed}) refused the connection from jump host 127.0.0.1:${jump1.port} — ` +
        'is SSH running there?',
    );
  });
});
