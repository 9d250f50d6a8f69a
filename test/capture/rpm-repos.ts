/**
 * Regenerates electron/platforms/fixtures/{dnf,zypper}/ from the real tools:
 *
 *   sudo npx tsx test/capture/rpm-repos.ts [outDir]   (default: electron/platforms/fixtures)
 *
 * Builds rpm packages and repositories (rpm-build.ts, rpm-fixture-set.ts), then, per scenario, makes this
 * machine look like an RPM host inside a private mount namespace — scratch copies bind-mounted over /etc,
 * /var and /root, a tmpfs on /run — installs the old packages with the real dnf or zypper, and runs the
 * adapter's own collection script (the same constant shell a scan sends) under /bin/sh -s. Its stdout is
 * the fixture. Nothing outside the namespace changes. Needs root and Debian's dnf, rpm, createrepo-c and
 * zypper; dnf's needs-restarting and versionlock plugins come from Debian's dnf-plugins-core, unpacked
 * (it cannot be installed next to zypper).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import type { PlatformAdapter } from '../../electron/platforms/adapter';
import { section } from '../../electron/platforms/adapter';
import { COLLECT_SCRIPT } from '../../electron/platforms/collect-script';
import { dnfAdapter } from '../../electron/platforms/dnf';
import { zypperAdapter } from '../../electron/platforms/zypper';
import { makeRepo } from './rpm-build';
import { ADVISORIES, NEW, NEWEST, OLD, OS_RELEASE, VENDOR } from './rpm-fixture-set';
import { DNF_SCENARIOS, type Scenario, ZYPPER_SCENARIOS } from './rpm-scenarios';

const FIXTURES = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../electron/platforms/fixtures',
);

function run(cmd: string, args: string[], opts: { cwd?: string } = {}): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}

/** The sections every scan prints first, taken from the real COLLECT_SCRIPT so the two never drift. */
function commonPrelude(): string[] {
  const lines = COLLECT_SCRIPT.split('\n');
  const end = lines.findIndex((l) => l.startsWith('if '));
  if (end < 1) throw new Error('COLLECT_SCRIPT changed shape: cannot find its common sections');
  return lines.slice(0, end);
}

/** What a scan runs on a host where `adapter`'s probe holds. */
function collectScript(adapter: PlatformAdapter): string {
  return [
    ...commonPrelude(),
    section('pm', `echo ${adapter.id}`),
    adapter.collect.join('; '),
    section('end', 'echo done'),
    '',
  ].join('\n');
}

/** dnf-plugins-core from Debian, unpacked: needs-restarting and versionlock only (the rest need more). */
function dnfPlugins(work: string): { plugins: string; site: string } {
  const dir = path.join(work, 'dnf-plugins-core');
  let deb = process.env.PATCHBAY_DNF_PLUGINS_DEB ?? '';
  if (!deb) {
    run('apt-get', ['download', 'dnf-plugins-core'], { cwd: work });
    deb = path.join(work, fs.readdirSync(work).find((f) => /^dnf-plugins-core_.*\.deb$/.test(f)) ?? '');
  }
  run('dpkg-deb', ['-x', deb, dir]);
  const dist = path.join(dir, 'usr/lib/python3/dist-packages');
  const plugins = path.join(work, 'dnf-plugins');
  const site = path.join(work, 'python-site');
  fs.mkdirSync(plugins);
  fs.mkdirSync(site);
  for (const f of ['needs_restarting.py', 'versionlock.py'])
    fs.copyFileSync(path.join(dist, 'dnf-plugins', f), path.join(plugins, f));
  fs.cpSync(path.join(dist, 'dnfpluginscore'), path.join(site, 'dnfpluginscore'), { recursive: true });
  fs.cpSync(path.join(dir, 'etc/dnf/plugins'), path.join(work, 'dnf-plugin-conf'), { recursive: true });
  return { plugins, site };
}

// Runs inside `unshare --mount`: bind the scratch host over the real paths, set it up, then scan it.
const DRIVER = `set -e
mount --bind "$PB_HOST/etc" /etc
mount --bind "$PB_HOST/var" /var
mount --bind "$PB_HOST/root" /root
mount -t tmpfs tmpfs /run
if [ -n "$PB_SITE" ]; then mount --bind "$PB_SITE" "$PB_SITE_TARGET"; fi
# Debian's zypper ships a /usr/bin/needs-restarting (a zypper wrapper): an RPM host with dnf has none.
if [ "$PB_KIND" = dnf ] && [ -e /usr/bin/needs-restarting ]; then mount --bind /dev/null /usr/bin/needs-restarting; fi
sh "$PB_HOST/setup.sh" >"$PB_HOST/setup.log" 2>&1 </dev/null
set +e
cd /
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root /bin/sh -s <"$PB_HOST/collect.sh" >"$PB_HOST/out.txt" 2>"$PB_HOST/collect.stderr"
# The process a scenario started to hold a lock (by its pid, nothing else).
if [ -f "$PB_HOST/lock.pid" ]; then kill "$(cat "$PB_HOST/lock.pid")"; fi
`;

interface Env {
  work: string;
  repos: Record<'baseos' | 'noinfo' | 'vendor' | 'old' | 'newest', string>;
  plugins: { plugins: string; site: string };
  pythonSite: string;
}

/** Which adapter's fixtures. */
export type RpmKind = 'dnf' | 'zypper';

function capture(env: Env, kind: RpmKind, s: Scenario): Buffer {
  const host = path.join(env.work, `${kind}-${s.name}`);
  fs.mkdirSync(path.join(host, 'var/tmp'), { recursive: true });
  fs.mkdirSync(path.join(host, 'var/cache'), { recursive: true });
  fs.mkdirSync(path.join(host, 'var/lib'), { recursive: true });
  fs.mkdirSync(path.join(host, 'root'), { recursive: true });
  fs.chmodSync(path.join(host, 'var/tmp'), 0o1777);
  // A copy of this machine's /etc, so sh, python and the tools' own configuration still work.
  run('cp', ['-a', '/etc/.', path.join(host, 'etc')]);
  fs.rmSync(path.join(host, 'etc/os-release'), { force: true });
  fs.writeFileSync(path.join(host, 'etc/os-release'), kind === 'dnf' ? OS_RELEASE.rocky : OS_RELEASE.leap);
  if (kind === 'dnf' && s.plugins) {
    fs.appendFileSync(path.join(host, 'etc/dnf/dnf.conf'), `pluginpath=${env.plugins.plugins}\n`);
    fs.cpSync(path.join(env.work, 'dnf-plugin-conf'), path.join(host, 'etc/dnf/plugins'), {
      recursive: true,
    });
  }
  fs.writeFileSync(path.join(host, 'setup.sh'), s.setup(env.repos));
  const adapter = kind === 'dnf' ? dnfAdapter : zypperAdapter;
  fs.writeFileSync(path.join(host, 'collect.sh'), collectScript(adapter));
  const r = spawnSync('unshare', ['--mount', '/bin/sh', '-c', DRIVER], {
    env: {
      ...process.env,
      PB_HOST: host,
      PB_KIND: kind,
      PB_SITE: kind === 'dnf' && s.plugins ? env.plugins.site : '',
      PB_SITE_TARGET: env.pythonSite,
    },
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    const log = fs.existsSync(path.join(host, 'setup.log'))
      ? fs.readFileSync(path.join(host, 'setup.log'))
      : '';
    throw new Error(`${kind}/${s.name}: namespace run failed (${r.status}): ${r.stderr}\n${log}`);
  }
  const out = fs.readFileSync(path.join(host, 'out.txt'));
  if (!out.includes('@@PATCHBAY:end@@')) throw new Error(`${kind}/${s.name}: the collection did not finish`);
  return out;
}

function pluginsVersion(work: string): string {
  const deb = process.env.PATCHBAY_DNF_PLUGINS_DEB ?? fs.readdirSync(work).find((f) => f.endsWith('.deb'));
  return deb ? (path.basename(deb).split('_')[1] ?? deb) : 'not used';
}

function versions(work: string): string[] {
  const first = (cmd: string, args: string[]) => run(cmd, args, { cwd: work }).split('\n')[0]?.trim() ?? '';
  const deb = (pkg: string) => run('dpkg-query', ['-W', '-f=${Version}', pkg]);
  return [
    `dnf ${first('dnf', ['--version'])} (Debian ${deb('dnf')})`,
    `${first('rpm', ['--version'])} (Debian ${deb('rpm')})`,
    `${first('zypper', ['--version'])} (Debian ${deb('zypper')}, libzypp ${deb('libzypp-common')})`,
    `createrepo_c ${first('createrepo_c', ['--version'])} (Debian ${deb('createrepo-c')})`,
    `dnf-plugins-core ${pluginsVersion(work)}`,
    `Debian ${fs.readFileSync('/etc/debian_version', 'utf8').trim()}`,
  ];
}

/** Why this machine cannot capture, or null when it can. */
export function cannotCapture(): string | null {
  if (process.getuid?.() !== 0) return 'run as root: the capture uses mount namespaces';
  for (const tool of ['rpmbuild', 'createrepo_c', 'modifyrepo_c', 'dnf', 'zypper', 'unshare', 'dpkg-deb']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
      return `${tool} is missing: apt-get install -y dnf rpm createrepo-c zypper`;
    }
  }
  return null;
}

/**
 * Captures every scenario of `kinds` into `<outDir>/<kind>/<scenario>.txt` plus `captured-with.txt`.
 * Returns the files written.
 */
export function captureRpm(kinds: RpmKind[], outDir: string = FIXTURES): string[] {
  const why = cannotCapture();
  if (why) throw new Error(why);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-rpm-capture-'));
  const written: string[] = [];
  try {
    const repos = {
      baseos: path.join(work, 'repos/baseos'),
      noinfo: path.join(work, 'repos/noinfo'),
      vendor: path.join(work, 'repos/vendor'),
      old: path.join(work, 'repos/old'),
      newest: path.join(work, 'repos/newest'),
    };
    makeRepo(repos.baseos, NEW, work, ADVISORIES);
    makeRepo(repos.noinfo, NEW, work);
    makeRepo(repos.vendor, VENDOR, work);
    makeRepo(repos.old, OLD, work);
    makeRepo(repos.newest, NEWEST, work);
    const plugins = kinds.includes('dnf') ? dnfPlugins(work) : { plugins: '', site: '' };
    const pythonSite = run('/usr/bin/python3', [
      '-c',
      'import site; print(site.getsitepackages()[0])',
    ]).trim();
    const env: Env = { work, repos, plugins, pythonSite };
    const made = `${versions(work).join('\n')}\n`;
    for (const kind of kinds) {
      fs.mkdirSync(path.join(outDir, kind), { recursive: true });
      for (const s of kind === 'dnf' ? DNF_SCENARIOS : ZYPPER_SCENARIOS) {
        const file = path.join(outDir, kind, `${s.name}.txt`);
        fs.writeFileSync(file, capture(env, kind, s));
        written.push(file);
      }
      fs.writeFileSync(path.join(outDir, kind, 'captured-with.txt'), made);
    }
    return written;
  } finally {
    if (!process.env.PATCHBAY_KEEP_CAPTURE) fs.rmSync(work, { recursive: true, force: true });
    else process.stdout.write(`kept ${work}\n`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  for (const file of captureRpm(['dnf', 'zypper'], process.argv[2] ?? FIXTURES))
    process.stdout.write(`${file}\n`);
}
