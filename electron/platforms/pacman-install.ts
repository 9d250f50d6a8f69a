/**
 * The install side of pacman (Arch Linux and derivatives). Arch supports full upgrades only (a partial
 * upgrade — some packages from newer databases, the rest old — breaks shared-library dependencies), so the
 * install is always `pacman -Syu` and the plan says which packages go beyond the approved ones.
 *
 * The dry run never touches the host's databases: like checkupdates (pacman-contrib) it syncs copies of
 * them into a temporary database path that links the real local database, then asks `pacman -Su --print`
 * for the targets. --print lists no removals, so the targets' Replaces/Conflicts (pacman -Si) and the
 * installed packages (pacman -Q) are printed too, and the reader works out which installed packages go.
 */
import { shJoin } from '../ssh/quote';
import { classifyByTable, type FailureTable, installedQuery } from './install-common';
import { installerPreflight, type PreflightSpec } from './install-preflight';
import type { InstallFailure, InstallItem, InstallRequest, PlatformInstaller } from './installer';
import { parsePacmanDryRun, WANT_MARK } from './pacman-install-parse';
import { isPacmanPackage, PACMAN_NAME, PACMAN_VERSION } from './pacman-names';

/** Whether an item fits pacman's grammar; pacman names carry no architecture ('' or the host's). */
export const validPacmanItem = (item: InstallItem): boolean =>
  isPacmanPackage(item.name, item.version) && (item.arch === '' || /^[a-z0-9_]{1,20}$/.test(item.arch));

const DBPATH =
  'dbpath=$(pacman-conf DBPath 2>/dev/null); dbpath=${dbpath:-/var/lib/pacman/}; dbpath=${dbpath%/}';

function dryRunScript(req: InstallRequest): string {
  const wants = req.items.map((i) => {
    if (!validPacmanItem(i)) throw new Error(`not a valid pacman package: ${JSON.stringify(i)}`);
    return `echo ${shJoin([WANT_MARK, i.name, i.version])}`;
  });
  return `export LC_ALL=C
${wants.join('\n')}
${DBPATH}
db=$(mktemp -d "\${TMPDIR:-/tmp}/patchbay-pacman.XXXXXX") || exit 1
trap 'rm -rf "$db"' EXIT
ln -s "$dbpath/local" "$db/local"; mkdir "$db/sync"
cp -p "$dbpath"/sync/*.db "$db/sync/" 2>/dev/null
pacman -Sy --dbpath "$db" --logfile /dev/null --noprogressbar --color never 2>&1
echo "@@patchbay-sync $?"
pacman -Su --print --print-format '%n %v %s' --dbpath "$db" --color never 2>&1
echo "@@patchbay-print $?"
echo "@@patchbay-info"
pacman -Su --print --print-format '%n' --dbpath "$db" 2>/dev/null | xargs -r pacman -Si --dbpath "$db" --color never 2>/dev/null | grep -E '^(Name|Replaces|Conflicts With) +:'
echo "@@patchbay-installed"
pacman -Q --color never 2>/dev/null
exit 0
`;
}

/**
 * The full upgrade. --noconfirm takes each question's default: replacing an obsolete package (yes),
 * removing a conflicting one (no — pacman then stops, which the dry run already showed). A config file the
 * admin changed is kept and the new one written beside it as .pacnew: pacman never prompts for it.
 */
const INSTALL = 'export LC_ALL=C\nexec pacman -Syu --noconfirm --noprogressbar --color never 2>&1';

const SPEC: PreflightSpec = {
  tools: ['pacman'],
  paths: (kernel) => ['/var/cache/pacman/pkg', '/', '/var', ...(kernel ? ['/boot'] : [])],
  // db.lck has no pid in it: a pacman process means busy, none means a run died and left it behind.
  locks: `${DBPATH}
f="$dbpath/db.lck"
if [ -e "$f" ]; then
  p=; for c in /proc/[0-9]*/comm; do
    [ "$(cat "$c" 2>/dev/null)" = pacman ] || continue
    q=\${c#/proc/}; q=\${q%/comm}
    # A zombie (exited, not yet reaped) holds nothing.
    grep -q '^State:.*Z' "/proc/$q/status" 2>/dev/null || { p=$q; break; }
  done
  if [ -n "$p" ]; then echo "lock $f held $p pacman"; else echo "lock $f stale"; fi
else echo "lock $f free"; fi`,
  interrupted: ':',
  lists: `l=$(stat -c %Y "$dbpath"/sync/*.db 2>/dev/null | sort -n | tail -n 1); echo "lists \${l:-0}"`,
  // Arch has no reboot flag: the running kernel's modules gone means its package was upgraded.
  reboot: `r=$(uname -r)
if [ -f "/usr/lib/modules/$r/pkgbase" ]; then echo "reboot 0"
elif ls /usr/lib/modules/*/pkgbase >/dev/null 2>&1; then echo "reboot 1"
else echo "reboot unknown"; fi`,
};

const FAILURES: FailureTable = [
  // Before "failed to synchronize": a held lock fails the sync with "(unable to lock database)".
  ['lock-held', /unable to lock database|could not lock database/],
  ['disk-full', /not enough free disk space|No space left on device|Partition \S+ too full/],
  [
    'repository-unreachable',
    /failed retrieving file|failed to synchronize all databases|Could not resolve host|Failed to connect to/,
  ],
  [
    'dependency-problem',
    /unresolvable package conflicts detected|could not satisfy dependencies|unable to satisfy dependency|conflicting files|are in conflict/,
  ],
];

/** Classifies a `pacman -Syu`: null when it succeeded (exit 0). */
export function classifyPacmanFailure(output: string, exitCode: number | null): InstallFailure | null {
  return classifyByTable(
    output,
    exitCode,
    FAILURES,
    () => {
      // An error may follow a question on the same line ("Do you want to delete it? [Y/n] error: …").
      const last = output
        .split('\n')
        .map((l) => /(?:^|\] )(error: .*)$/.exec(l)?.[1])
        .filter((l) => l !== undefined)
        .pop();
      return last?.slice(0, 300) ?? `pacman exited with code ${exitCode ?? 'none (killed)'}`;
    },
    // --noconfirm answers a question without a newline: the error follows it on the same line.
    (line) => line.replace(/^.*\? \[[YyNn/]+\] /, ''),
  );
}

const installedScript = (names: string[]) =>
  installedQuery(names, (n) => PACMAN_NAME.test(n), 'a pacman package name', 'pacman -Q --color never');

/** Reads `pacman -Q` lines: name → installed version. */
export function parsePacmanInstalled(output: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of output.split('\n')) {
    const [name = '', version = '', extra] = line.trim().split(/\s+/);
    if (extra === undefined && PACMAN_NAME.test(name) && PACMAN_VERSION.test(version)) out.set(name, version);
  }
  return out;
}

/** The pacman installer. */
export function pacmanInstaller(): PlatformInstaller {
  return {
    id: 'pacman',
    partialUpgrades: false,
    validItem: validPacmanItem,
    dryRunCommand: dryRunScript,
    parseDryRun: parsePacmanDryRun,
    ...installerPreflight(SPEC, {
      tools: 'pacman',
      interruptedHint: 'check the host',
      // The install is -Syu: it refreshes the databases itself.
      selfRefreshing: true,
    }),
    installCommand: () => INSTALL,
    classifyFailure: classifyPacmanFailure,
    // pacman has no "finish what was interrupted"; a stale db.lck needs a person to look first.
    recoverCommand: null,
    installedVersionsCommand: installedScript,
    parseInstalledVersions: parsePacmanInstalled,
  };
}
