import { execFileSync } from 'node:child_process';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openSession } from '../../electron/ssh/session';
import { type ClientKeys, clientKeys, loopTarget, sshdFor, storeTrusting } from './fixture';
import { removeScratchDirs, scratchDir, type Sshd, sshdAvailable } from './sshd';

const available = sshdAvailable();
const ROUNDS = 10;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

describe.skipIf(!available)('round-trip cost on loopback, compared with the ssh command', () => {
  let keys: ClientKeys;
  let sshd: Sshd;
  beforeAll(async () => {
    keys = clientKeys();
    sshd = await sshdFor(keys);
  });
  afterAll(async () => {
    await sshd?.stop();
    removeScratchDirs();
  });

  it('connect + one command + close costs about what `ssh host true` does', async () => {
    const store = storeTrusting(sshd);
    const target = loopTarget(sshd, { privateKey: keys.ed25519.privateKey });
    const ours: number[] = [];
    const execs: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = performance.now();
      const session = await openSession(target, { hostKeys: store });
      const t1 = performance.now();
      await session.exec('true');
      ours.push(performance.now() - t0);
      execs.push(performance.now() - t1);
      session.close();
    }
    const knownHosts = path.join(scratchDir(), 'known_hosts');
    const cli: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = performance.now();
      execFileSync('ssh', [
        ...['-i', keys.ed25519.privatePath, '-p', String(sshd.port), '-F', '/dev/null'],
        ...[
          '-o',
          'BatchMode=yes',
          '-o',
          'StrictHostKeyChecking=accept-new',
          '-o',
          `UserKnownHostsFile=${knownHosts}`,
        ],
        'root@127.0.0.1',
        'true',
      ]);
      cli.push(performance.now() - t0);
    }
    const line =
      `round trip (median of ${ROUNDS}): patchbay connect+exec ${median(ours).toFixed(0)} ms ` +
      `(exec alone ${median(execs).toFixed(1)} ms), ssh CLI ${median(cli).toFixed(0)} ms`;
    process.stderr.write(`${line}\n`);
    // A loose bound: the point is the number printed above, not a flaky race with the CLI.
    expect(median(ours)).toBeLessThan(Math.max(1000, 4 * median(cli)));
  });
});
