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

  // Behaviour only: tests assert no wall-clock bounds (the build machines are shared and noisy). The
  // times are printed as a ratio for the reader; bench:scan measures the cost against real hosts.
  it('connects, runs one command and closes, round after round, answering as the ssh command does', async () => {
    const store = storeTrusting(sshd);
    const target = loopTarget(sshd, { privateKey: keys.ed25519.privateKey });
    const knownHosts = path.join(scratchDir(), 'known_hosts');
    const command = (i: number) => `echo round-${i}; id -un; printf '%s' "$SSH_CONNECTION" | wc -w`;
    const ours: number[] = [];
    const cli: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = performance.now();
      const session = await openSession(target, { hostKeys: store });
      const r = await session.exec(command(i));
      session.close();
      ours.push(performance.now() - t0);
      expect(r).toMatchObject({ code: 0, signal: null, truncated: false });
      expect(r.stderr.toString()).toBe('');

      const t1 = performance.now();
      const theirs = execFileSync('ssh', [
        ...['-i', keys.ed25519.privatePath, '-p', String(sshd.port), '-F', '/dev/null'],
        ...['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=accept-new'],
        ...['-o', `UserKnownHostsFile=${knownHosts}`],
        'root@127.0.0.1',
        command(i),
      ]);
      cli.push(performance.now() - t1);
      // The same login, the same command, the same answer: a fresh connection each round, 4 words of
      // SSH_CONNECTION (client address and port, server address and port).
      expect(r.stdout.toString()).toBe(`round-${i}\nroot\n4\n`);
      expect(r.stdout.equals(theirs)).toBe(true);
    }
    process.stderr.write(
      `round trip (median of ${ROUNDS}): patchbay connect+exec+close ${median(ours).toFixed(0)} ms, ` +
        `ssh CLI ${median(cli).toFixed(0)} ms (ratio ${(median(ours) / median(cli)).toFixed(2)}, not asserted)\n`,
    );
  });
});
