import fs from 'node:fs';
import path from 'node:path';

import { memoryHostKeyStore } from '../../electron/ssh/host-keys';
import { openSession } from '../../electron/ssh/session';
import type { SshSession } from '../../electron/ssh/types';
import { needs } from '../helpers/needs';
import type { Target } from '../targets/hosts';

/** Root and Debian's tools: the real targets of test/targets. */
export const targetsReady = (): boolean =>
  needs(
    'root and the test-target tools',
    process.getuid?.() === 0 &&
      fs.existsSync('/usr/sbin/debootstrap') &&
      fs.existsSync('/usr/bin/apt-ftparchive'),
    'run as root after apt-get install -y debootstrap openssh-server openssh-client sudo apt-utils gnupg',
  );

const hostKeys = memoryHostKeyStore();

/** Opens Patchbay's own SSH session to a target as `user` (the test key), trusting its key on first use. */
export function sessionTo(t: Target, user = 'patch', sudoPassword?: string): Promise<SshSession> {
  return openSession(
    {
      name: t.name,
      address: t.address,
      port: t.port,
      username: user,
      auth: { privateKey: fs.readFileSync(t.privateKeyPath), ...(sudoPassword ? { sudoPassword } : {}) },
    },
    { hostKeys, hostKeyPolicy: 'trust-on-first-use', keepaliveIntervalMs: 0 },
  );
}

/**
 * With PATCHBAY_CAPTURE_DIR set, writes a real output there, to refresh the unit fixtures in
 * electron/platforms/fixtures/apt-install (their .expected.json files are written by hand).
 */
export function capture(name: string, text: string): void {
  const dir = process.env.PATCHBAY_CAPTURE_DIR;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${name}.txt`), text);
}

/** Version of every installed pb-* package, from dpkg itself inside the target. */
export async function installedPb(t: Target): Promise<Record<string, string>> {
  const r = await t.exec("dpkg-query -W -f='${db:Status-Abbrev} ${Package} ${Version}\\n' 'pb-*'");
  const out: Record<string, string> = {};
  for (const line of r.stdout.split('\n')) {
    const m = /^(\S+)\s+(\S+) (\S+)$/.exec(line);
    // Installed, held or not ("ii", "hi"); unpacked or half-configured ones are not done.
    if (m && /^[a-z]i$/.test(m[1] ?? '')) out[m[2] ?? ''] = m[3] ?? '';
  }
  return out;
}

/** Lines of /var/log/dpkg.log in the target that record a package operation ("upgrade", "install"…). */
export async function dpkgLog(t: Target): Promise<string[]> {
  const r = await t.exec('cat /var/log/dpkg.log 2>/dev/null || true');
  return r.stdout
    .split('\n')
    .filter((l) => / (install|upgrade|remove|purge) /.test(l))
    .map((l) => l.replace(/^\S+ \S+ /, ''));
}
