import { shJoin, shQuote } from '../ssh/quote';
import {
  classifyAptFailure,
  parseAptDryRun,
  parseAptPreflight,
  parseDpkgInstalled,
  URIS_MARK,
} from './apt-install-parse';
import { parseAptUpdate } from './apt-update';
import { DEB_ARCH, DEB_PACKAGE, DEB_VERSION } from './debian-names';
import { installedQuery } from './install-common';
import { fcntlLockShell } from './install-preflight';
import type { InstallItem, InstallRequest, PlatformInstaller } from './installer';

/** Options of the apt installer. */
export interface AptInstallerOptions {
  /** How long apt waits for another package manager to release dpkg's lock (DPkg::Lock::Timeout). */
  lockTimeoutSeconds?: number;
}

/** Whether an item fits Debian's grammar (arch '' = the host's own, or e.g. `i386` for multiarch). */
export function validAptItem(item: InstallItem): boolean {
  return (
    DEB_PACKAGE.test(item.name) &&
    DEB_VERSION.test(item.version) &&
    (item.arch === '' || item.arch === 'all' || DEB_ARCH.test(item.arch))
  );
}

/**
 * `name=version`, or `name:arch=version` for an explicit architecture. Refuses invalid items: a
 * command must never be built from anything else. `all` and '' mean the native package name.
 */
function specs(req: InstallRequest): string[] {
  return req.items.map((item) => {
    if (!validAptItem(item)) throw new Error(`not a valid Debian package: ${JSON.stringify(item)}`);
    const arch = item.arch && item.arch !== 'all' ? `:${item.arch}` : '';
    return `${item.name}${arch}=${item.version}`;
  });
}

/**
 * The apt-get options every dry run and install share. `install --only-upgrade name=version` upgrades
 * exactly the approved versions (and pulls in what they depend on) but never installs a named package
 * that is not installed. Recommends follow the host's own APT::Install-Recommends, as `apt-get upgrade`
 * on that host would: a new recommended package shows up in the dry run as an install, so the review
 * sees it.
 */
const COMMON = '-o APT::Color=0 install --only-upgrade';

/**
 * Non-interactive install. confdef+confold keep a conffile the admin changed (no prompt, which would
 * otherwise fail at EOF on stdin); UCF_FORCE_CONFFOLD does the same for files managed by ucf;
 * NEEDRESTART_MODE=a lets needrestart (Ubuntu) restart services instead of asking;
 * APT_LISTCHANGES_FRONTEND=none stops apt-listchanges from paging; Dpkg::Use-Pty=0 keeps progress bars
 * out of the log. Held packages stay held (no --allow-change-held-packages): apt then refuses.
 */
function installScript(req: InstallRequest, lockTimeoutSeconds: number): string {
  return [
    'export LC_ALL=C DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=a APT_LISTCHANGES_FRONTEND=none UCF_FORCE_CONFFOLD=1',
    `exec apt-get -y -q -o Dpkg::Use-Pty=0 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold -o DPkg::Lock::Timeout=${lockTimeoutSeconds} ${COMMON} ${shJoin(specs(req))} 2>&1`,
  ].join('\n');
}

/**
 * The dry run: apt's own simulation (no lock needed, Debug::NoLocking), then its exit code after
 * URIS_MARK, then `--print-uris -qq` and its exit code: its lines carry each .deb's size, because
 * `apt-get -s` never says how much it would download and a real `--download-only` would change the
 * host. Debs already in the cache are not listed, so the size is what remains to fetch.
 */
function dryRunScript(req: InstallRequest): string {
  const items = shJoin(specs(req));
  return [
    'export LC_ALL=C',
    `apt-get -s -o Debug::NoLocking=1 ${COMMON} ${items} 2>&1`,
    'rc=$?',
    `printf '%s %s\\n' ${shQuote(URIS_MARK)} "$rc"`,
    'if [ "$rc" = 0 ]; then',
    `  apt-get --print-uris -qq -o Debug::NoLocking=1 ${COMMON} ${items} 2>/dev/null`,
    `  printf '%s %s\\n' ${shQuote(`${URIS_MARK}-end`)} "$?"`,
    'fi',
    'exit "$rc"',
  ].join('\n');
}

/**
 * Pre-flight: `key value` lines. The dpkg locks are fcntl locks, found in /proc/locks (fcntlLockShell).
 * `dpkg --audit` prints nothing on a clean host; journal files in
 * /var/lib/dpkg/updates are what a killed dpkg leaves, and what makes apt refuse with "dpkg was
 * interrupted". List age is the newest Release
 * file's mtime against the host's own clock.
 */
function preflightScript(downloadBytes: number | null, kernel: boolean): string {
  const download =
    downloadBytes !== null && Number.isSafeInteger(downloadBytes) && downloadBytes >= 0
      ? String(downloadBytes)
      : 'unknown';
  return `export LC_ALL=C
echo "uid $(id -u)"
echo "boot $(cat /proc/sys/kernel/random/boot_id 2>/dev/null)"
echo "now $(date +%s)"
echo "download ${download}"
echo "kernel ${kernel ? 1 : 0}"
t=; command -v apt-get >/dev/null 2>&1 && t=apt-get; command -v dpkg >/dev/null 2>&1 && t="$t dpkg"; echo "tools $t"
for p in /var/cache/apt/archives / /var${kernel ? ' /boot' : ''}; do
  [ -d "$p" ] && df -Pk "$p" 2>/dev/null | tail -n 1 | sed "s|^|df $p |"
done
${fcntlLockShell('/var/lib/dpkg/lock-frontend')}
${fcntlLockShell('/var/lib/dpkg/lock')}
dpkg --audit 2>&1 | sed 's/^/audit /'
ls /var/lib/dpkg/updates 2>/dev/null | grep -q '^[0-9]' && echo "journal 1"
l=$(stat -c %Y /var/lib/apt/lists/*Release 2>/dev/null | sort -n | tail -n 1); echo "lists \${l:-0}"
[ -e /var/run/reboot-required ] && echo "reboot 1" || echo "reboot 0"
exit 0
`;
}

/** dpkg-query for the named packages; unknown names print nothing (dpkg-query's complaint goes away). */
const installedScript = (names: string[]) =>
  installedQuery(
    names,
    (n) => DEB_PACKAGE.test(n),
    'a Debian package name',
    "dpkg-query -W -f='${Package}\\t${Architecture}\\t${db:Status-Abbrev}\\t${Version}\\n'",
  );

/**
 * Finishes what an interrupted dpkg left (unpacked, half-configured), non-interactively and keeping
 * local conffiles. Nothing else: a missing dependency is for the next dry run to show.
 */
const RECOVER = [
  'export LC_ALL=C DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=a APT_LISTCHANGES_FRONTEND=none UCF_FORCE_CONFFOLD=1',
  'dpkg --force-confdef --force-confold --configure -a 2>&1',
].join('\n');

/** The apt installer (Debian, Ubuntu and derivatives). */
export function aptInstaller(opts: AptInstallerOptions = {}): PlatformInstaller {
  const lock = Math.max(0, Math.floor(opts.lockTimeoutSeconds ?? 120));
  return {
    id: 'apt',
    partialUpgrades: true,
    validItem: validAptItem,
    dryRunCommand: dryRunScript,
    parseDryRun: parseAptDryRun,
    preflightCommand: ({ downloadBytes, kernel }) => preflightScript(downloadBytes, kernel),
    parsePreflight: parseAptPreflight,
    installCommand: (req) => installScript(req, lock),
    classifyFailure: classifyAptFailure,
    recoverCommand: RECOVER,
    // The scan's reader (exit 0 with an unreachable repository is a failure), waiting for the lists lock
    // like the install waits for dpkg's.
    refresh: {
      command: `LC_ALL=C apt-get -q -o DPkg::Lock::Timeout=${lock} update 2>&1`,
      parse: parseAptUpdate,
    },
    installedVersionsCommand: installedScript,
    parseInstalledVersions: parseDpkgInstalled,
  };
}
