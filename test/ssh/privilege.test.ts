import fs from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { memoryHostKeyStore } from '../../electron/ssh/host-keys';
import { openSession } from '../../electron/ssh/session';
import type { SessionOptions, SshAuth, SshSession, SshTarget } from '../../electron/ssh/types';
import { needs } from '../helpers/needs';
import { TEST_USERS } from '../targets/base-tree';
import { startTargets, stopAll, type Target } from '../targets/hosts';
import { recordingLogger, rejection } from './fixture';

// Password logins and sudo need real non-root users: a Debian root from test/targets (users patch,
// sudopw, nosudo, pwlogin) with its own sshd on a loopback address.
const available = needs(
  'root, sshd and debootstrap (Debian test targets)',
  process.getuid?.() === 0 && ['/usr/sbin/sshd', '/usr/sbin/debootstrap'].every((f) => fs.existsSync(f)),
  'run as root with openssh-server, openssh-client, sudo and debootstrap installed',
);

const SUDOPW = TEST_USERS.sudopw.password;
const NOSUDO = TEST_USERS.nosudo.password;
const PWLOGIN = TEST_USERS.pwlogin.password;

describe.skipIf(!available)('logins and sudo on a real Debian target', () => {
  let host: Target;
  let key: string;
  const hostKeys = memoryHostKeyStore();
  const options = (extra: Partial<SessionOptions> = {}): SessionOptions => ({
    hostKeys,
    hostKeyPolicy: 'trust-on-first-use',
    ...extra,
  });
  const as = (username: string, auth: SshAuth): SshTarget => ({
    name: host.name,
    address: host.address,
    port: host.port,
    username,
    auth,
  });
  const withSession = async <T>(target: SshTarget, fn: (s: SshSession) => Promise<T>): Promise<T> => {
    const s = await openSession(target, options());
    try {
      return await fn(s);
    } finally {
      s.close();
    }
  };

  beforeAll(async () => {
    [host] = (await startTargets([{ name: 'sshpriv01' }])) as [Target];
    key = fs.readFileSync(host.privateKeyPath, 'utf8');
  });
  afterAll(async () => {
    await stopAll();
  });

  it('trusts the target on first use with the fingerprint it really serves', async () => {
    const s = await openSession(as('patch', { privateKey: key }), options());
    expect(s.hostKey.fingerprint).toBe(host.hostKeyFingerprintSha256);
    s.close();
  });

  it('runs as root through passwordless sudo (sudo -n), stdin and stderr intact', async () => {
    const r = await withSession(as('patch', { privateKey: key }), (s) =>
      s.exec('id -u; cat; echo warn >&2', { asRoot: true, stdin: 'fed through sudo\n' }),
    );
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('0\nfed through sudo\n');
    expect(r.stderr.toString()).toBe('warn\n');
  });

  it('feeds the sudo password only when sudo asks, never to the command', async () => {
    const target = as('sudopw', { privateKey: key, sudoPassword: SUDOPW });
    await withSession(target, async (s) => {
      const first = await s.exec('id -u; cat', { asRoot: true, stdin: 'data' });
      expect(first.stdout.toString()).toBe('0\ndata');
      expect(first.stderr.toString()).toBe('');
      // Whether or not sudo still has a cached timestamp, the command reads only its own stdin.
      const second = await s.exec('cat', { asRoot: true });
      expect(second.stdout.toString()).toBe('');
      expect(second.stderr.toString()).not.toContain(SUDOPW);
    });
  });

  it('says "sudo requires a password" when none is stored', async () => {
    const err = await rejection(
      withSession(as('sudopw', { privateKey: key }), (s) => s.exec('true', { asRoot: true })),
    );
    expect(err?.kind).toBe('sudo-failed');
    expect(err?.sudo).toBe('password-required');
    expect(err?.message).toMatch(/requires a password for "sudopw"/);
  });

  it('says the stored sudo password is wrong, without showing it', async () => {
    const wrong = 'not-the-sudo-password-31337';
    const logger = recordingLogger();
    const target = as('sudopw', { privateKey: key, sudoPassword: wrong });
    const s = await openSession(target, options({ logger }));
    const err = await rejection(s.exec('true', { asRoot: true }));
    s.close();
    expect(err?.kind).toBe('sudo-failed');
    expect(err?.sudo).toBe('wrong-password');
    for (const text of [err?.message, err?.detail, JSON.stringify(err?.toShape()), logger.text()]) {
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(SUDOPW);
    }
  });

  it('says the user is not allowed to sudo', async () => {
    const err = await rejection(
      withSession(as('nosudo', { privateKey: key, sudoPassword: NOSUDO }), (s) =>
        s.exec('true', { asRoot: true }),
      ),
    );
    expect(err?.kind).toBe('sudo-failed');
    expect(err?.sudo).toBe('not-allowed');
    expect(err?.message).toMatch(/"nosudo" is not allowed to sudo/);
  });

  it('logs in with a password, and reports a wrong one without showing it', async () => {
    const r = await withSession(as('pwlogin', { password: PWLOGIN }), (s) => s.exec('id -un'));
    expect(r.stdout.toString()).toBe('pwlogin\n');
    const wrong = 'wrong-login-password-4242';
    const logger = recordingLogger();
    const err = await rejection(openSession(as('pwlogin', { password: wrong }), options({ logger })));
    expect(err?.kind).toBe('auth-failed');
    expect(err?.message).toMatch(/rejected the login for user "pwlogin"/);
    for (const text of [err?.message, err?.stack, JSON.stringify(err?.toShape()), logger.text()]) {
      expect(text).not.toContain(wrong);
    }
  });

  // sshd kills the process group of the login user's command when the time limit passes. It cannot
  // signal a command under sudo (it signals as the user): root commands carry the host's own limit
  // (GNU timeout, remote-timeout.ts), which ends the whole tree, including children ignoring SIGTERM.
  it.each([
    ['a silent command of the login user', false],
    ['a silent root command under sudo, ignoring SIGTERM, with a child', true],
  ])('stops %s when it times out, whole tree gone on the host', async (_what, asRoot) => {
    const pids = `/tmp/patchbay-kill-${process.pid}-${String(asRoot)}.pids`;
    const script = `${asRoot ? "trap '' TERM; " : ''}echo $$ > ${pids}; sleep 300 & echo $! >> ${pids}; wait`;
    await withSession(as('patch', { privateKey: key }), async (s) => {
      const err = await rejection(s.exec(script, { timeoutMs: 500, asRoot }));
      expect(err?.kind).toBe('timeout');
    });
    const started = (await host.exec(`cat ${pids}`)).stdout.trim().split('\n');
    expect(started).toHaveLength(2);
    // Live (not zombie) processes among those the command started, polled until none is left.
    const check = `for p in ${started.join(' ')}; do grep -qv ') Z ' /proc/$p/stat 2>/dev/null && echo $p; done; true`;
    let left = started.join(' ');
    for (let i = 0; i < 50 && left !== ''; i++) {
      await new Promise((r) => setTimeout(r, 200));
      left = (await host.exec(check)).stdout.trim();
    }
    expect(left).toBe('');
  });

  it('reports that the host enforced the limit of a root command, its own stderr untouched', async () => {
    const r = await withSession(as('patch', { privateKey: key }), (s) =>
      s.exec('echo out; echo err >&2', { asRoot: true, timeoutMs: 60_000 }),
    );
    expect(r).toMatchObject({ code: 0, remoteLimit: 'timeout' });
    expect(r.stdout.toString()).toBe('out\n');
    expect(r.stderr.toString()).toBe('err\n');
  });

  it('answers a keyboard-interactive password prompt (PAM)', async () => {
    // Switch this target's sshd to keyboard-interactive only; drop-ins are read first, first value wins.
    const conf = 'KbdInteractiveAuthentication yes\nPasswordAuthentication no\n';
    await host.exec(
      `printf '%s' '${conf}' > /etc/ssh/sshd_config.d/00-kbd.conf && kill -HUP "$(cat /run/sshd.pid)"`,
    );
    await new Promise((r) => setTimeout(r, 500));
    const logger = recordingLogger();
    const s = await openSession(as('pwlogin', { password: PWLOGIN }), options({ logger }));
    expect((await s.exec('id -un')).stdout.toString()).toBe('pwlogin\n');
    s.close();
    expect(logger.text()).toMatch(/"event":"ssh.connected".*"auth":"keyboard-interactive"/);
    expect(logger.text()).not.toContain(PWLOGIN);
  });
});
