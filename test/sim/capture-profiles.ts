// `npx tsx test/sim/capture-profiles.ts`: stands up real Debian targets (test/targets: real roots, real
// OpenSSH, real apt), runs Patchbay's real COLLECT_SCRIPT on each with the system ssh client, and saves
// what came back as the fleet simulator's profiles under test/sim/profiles/. Needs root and the target
// tools (see test/targets/README.md); about 20 s with a warm base tree. Re-run it whenever the collection
// script changes. `--generate-only` skips the capture and only rebuilds the generated module from the
// files (e.g. after another platform added a `*-collect.txt` fixture).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { COLLECT_COMMAND, COLLECT_SCRIPT } from '../../electron/platforms/collect-script';
import { parseFindings } from '../../electron/platforms/findings';
import type { Target, TargetSpec } from '../targets/hosts';
import { startTargets, stopAll } from '../targets/hosts';
import { ssh } from '../targets/ssh';
import {
  currentScriptSha256,
  PROFILE_DIR,
  type ProfileEntry,
  readIndex,
  writeGeneratedModule,
  writeIndex,
} from './profile-files';

interface Capture {
  id: string;
  spec: TargetSpec;
  /** What the host looks like, for the index (people read it next to a failing test). */
  about: string;
  /** Root work in the target before the capture (ground truth side, not over SSH). */
  prepare?: (t: Target) => Promise<unknown>;
}

const CAPTURES: Capture[] = [
  {
    id: 'debian12-security',
    spec: {
      name: 'cap-security',
      cases: ['security-update', 'normal-update', 'new-dependency', 'held', 'epoch', 'tilde'],
    },
    about: 'a security update, normal updates, a kept-back update with a new dependency, a hold, epoch/tilde',
  },
  {
    id: 'debian12-current',
    spec: { name: 'cap-current' },
    about: 'fully patched',
  },
  {
    id: 'debian12-reboot',
    spec: { name: 'cap-reboot', cases: ['reboot-required', 'normal-update'] },
    about: 'a kernel-like update installed and waiting for a reboot, one normal update',
    // Installing the new pb-kernel runs its postinst, which writes /var/run/reboot-required{,.pkgs}.
    prepare: (t) => t.exec('DEBIAN_FRONTEND=noninteractive apt-get install -y -q pb-kernel >/dev/null'),
  },
  {
    id: 'debian12-stale',
    spec: {
      name: 'cap-stale',
      cases: ['stale-lists', 'normal-update', 'conffile', 'local-only', 'unreachable-repo'],
      staleListsDays: 40,
    },
    about: 'package lists 40 days old, a vendor repository that is down, a changed conffile, a local package',
  },
];

/** The same refresh the scan runs (scan-service's REFRESH), as root through sudo. */
const REFRESH = 'sudo -n env LC_ALL=C apt-get update -q 2>&1';

async function capture(c: Capture, t: Target, knownHostsFile: string): Promise<ProfileEntry> {
  await c.prepare?.(t);
  const collect = await ssh(t, COLLECT_COMMAND, { input: COLLECT_SCRIPT, knownHostsFile });
  if (collect.code !== 0) throw new Error(`${c.id}: ssh exited ${collect.code}: ${collect.stderr}`);
  const findings = parseFindings(collect.stdout);
  const refresh = await ssh(t, REFRESH, { knownHostsFile, timeoutMs: 120_000 });
  fs.writeFileSync(path.join(PROFILE_DIR, `${c.id}.txt`), collect.stdout);
  fs.writeFileSync(path.join(PROFILE_DIR, `${c.id}.apt-update.txt`), refresh.stdout);
  console.log(
    `  ${c.id}: ${findings.patches.length} patches, ${findings.patches.filter((p) => p.security).length} ` +
      `security, reboot ${findings.reboot.required}, ${collect.stdout.length} bytes`,
  );
  return {
    id: c.id,
    source: `test/targets Debian 12 root over OpenSSH (${new Date().toISOString().slice(0, 10)}): ${c.about}`,
    scriptSha256: currentScriptSha256(),
    output: `${c.id}.txt`,
    refresh: `${c.id}.apt-update.txt`,
  };
}

async function main(): Promise<void> {
  if (!process.argv.includes('--generate-only')) {
    if (process.getuid?.() !== 0) throw new Error('capturing needs root (it stands up real Debian targets)');
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-capture-'));
    try {
      console.log(`Standing up ${CAPTURES.length} real targets…`);
      const targets = await startTargets(CAPTURES.map((c) => c.spec));
      const knownHostsFile = path.join(scratch, 'known_hosts');
      const entries: ProfileEntry[] = [];
      for (const [i, c] of CAPTURES.entries())
        entries.push(await capture(c, targets[i] as Target, knownHostsFile));
      const others = readIndex().filter((e) => !entries.some((n) => n.id === e.id));
      writeIndex([...entries, ...others]);
    } finally {
      await stopAll();
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }
  const profiles = await writeGeneratedModule();
  console.log(`Generated electron/demo/sim-profiles.generated.ts: ${profiles.map((p) => p.id).join(', ')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
