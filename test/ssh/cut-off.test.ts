import fs from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SshError } from '../../electron/ssh/errors';
import { memoryHostKeyStore } from '../../electron/ssh/host-keys';
import { openSession } from '../../electron/ssh/session';
import { needs } from '../helpers/needs';
import { startTargets, stopAll, type Target } from '../targets/hosts';

const available = needs(
  'root, sshd and debootstrap (Debian test targets)',
  process.getuid?.() === 0 && ['/usr/sbin/sshd', '/usr/sbin/debootstrap'].every((f) => fs.existsSync(f)),
  'run as root with openssh-server, openssh-client, sudo and debootstrap installed',
);

// A root command whose sudo dies by a signal before it starts the command — a reboot's SIGTERM reaches
// everything — is a command cut off, not a sudo refusal: a refusal is permanent (the rollout engine gives
// up on the host at once), a cut-off is retried once the host is back. Found by a pacman rollout whose
// host rebooted while the engine was asking for the install's status.
describe.skipIf(!available)('a root command cut off before sudo started it', () => {
  let host: Target;

  beforeAll(async () => {
    [host] = (await startTargets([{ name: 'sshcut01' }])) as [Target];
  });
  afterAll(async () => {
    await stopAll();
  });

  it('is reported as cut off (retryable), and a real refusal still as sudo-failed', async () => {
    const s = await openSession(
      {
        name: host.name,
        address: host.address,
        port: host.port,
        username: 'patch',
        auth: { privateKey: fs.readFileSync(host.privateKeyPath) },
      },
      { hostKeys: memoryHostKeyStore(), hostKeyPolicy: 'trust-on-first-use', keepaliveIntervalMs: 0 },
    );
    try {
      // The login's PATH finds /usr/local/bin first: a sudo that is killed by SIGTERM as it starts.
      const stand = '/usr/local/bin/sudo';
      await host.exec(`printf '#!/bin/sh\\nkill -TERM $$\\n' >${stand} && chmod 755 ${stand}`);
      const err = await s.exec('echo started', { asRoot: true }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SshError);
      expect((err as SshError).kind).toBe('unreachable');
      expect((err as SshError).message).toMatch(/was killed .* before it started/);
      // One that ends with sudo's own exit code and no command is still sudo's failure.
      await host.exec(`printf '#!/bin/sh\\necho "sudo: a password is required" >&2; exit 1\\n' >${stand}`);
      const refused = await s.exec('echo started', { asRoot: true }).catch((e: unknown) => e);
      expect((refused as SshError).kind).toBe('sudo-failed');
    } finally {
      s.close();
    }
  });
});
