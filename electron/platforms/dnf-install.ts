/**
 * The install side of dnf (Fedora, RHEL 8+, Rocky, Alma) and yum (CentOS/RHEL 7, yum 3.4 with the
 * built-in security plugin). Both take the same spellings used here: `upgrade name-[epoch:]ver-rel[.arch]`,
 * `update-minimal --advisory=ID` (dnf's alias of upgrade-minimal), `--assumeno` for the simulation,
 * `exit_on_lock` so a busy rpm database fails at once instead of waiting without end. Where yum differs
 * (its lock file, its unfinished-transaction journal, yum-complete-transaction) the script says so.
 */
import { shJoin, shQuote } from '../ssh/quote';
import { INSTALLED_MARK, parseDnfDryRun, STEP_MARK } from './dnf-install-parse';
import { lineOf } from './install-common';
import { parsePreflightLines, pidLockShell, preflightScript, type PreflightSpec } from './install-preflight';
import type { InstallFailure, InstallFailureKind, InstallRequest, PlatformInstaller } from './installer';
import {
  checkedItems,
  nevraSpec,
  parseRpmInstalled,
  RPM_DUPES_SHELL,
  RPM_LOCK_SHELL,
  rpmInstalledScript,
  validRpmItem,
} from './rpm-install';
import { ADVISORY_ID } from './rpm-names';
import { DNF_REFRESH } from './rpm-refresh';

/** Which binary: dnf hosts, or yum-only hosts (EL7). */
export type RpmFlavour = 'dnf' | 'yum';

function advisories(req: InstallRequest): string[] {
  for (const a of req.advisories)
    if (!ADVISORY_ID.test(a)) throw new Error(`not a valid advisory id: ${JSON.stringify(a)}`);
  return req.advisories.map((a) => `--advisory=${a}`);
}

/**
 * The steps of a request. dnf and yum read `upgrade --advisory=X pkg` as "pkg, as far as X fixes it" (an
 * intersection), so packages and advisories are two transactions: the named versions first, then the
 * advisories' minimal versions (update-minimal: what the advisory fixes, not newer unreviewed builds).
 */
function steps(req: InstallRequest, common: string): { id: string; cmd: string }[] {
  const items = checkedItems(req.items).map(nevraSpec);
  const out: { id: string; cmd: string }[] = [];
  if (items.length > 0) out.push({ id: 'items', cmd: `$PM ${common} upgrade ${shJoin(items)}` });
  if (req.advisories.length > 0)
    out.push({ id: 'advisories', cmd: `$PM ${common} update-minimal ${shJoin(advisories(req))}` });
  return out;
}

const choose = (flavour: RpmFlavour) =>
  flavour === 'yum' ? 'PM=yum' : 'PM=dnf; command -v dnf >/dev/null 2>&1 || PM=yum';

/** dnf's simulation of each step, then every installed package (for the upgrades' old versions). */
function dryRunScript(req: InstallRequest, flavour: RpmFlavour): string {
  return [
    'export LC_ALL=C',
    choose(flavour),
    ...steps(req, '--assumeno --setopt=exit_on_lock=True').map(
      (s) => `${s.cmd} 2>&1\necho "${STEP_MARK} ${s.id} $?"`,
    ),
    `echo ${shQuote(INSTALLED_MARK)}`,
    "rpm -qa --qf '%{NAME}\\t%{ARCH}\\t%{EPOCH}\\t%{VERSION}-%{RELEASE}\\n' 2>/dev/null",
    'exit 0',
  ].join('\n');
}

/** The install: each step in turn, stopping at the first that fails (its exit code is the script's). */
function installScript(req: InstallRequest, flavour: RpmFlavour): string {
  return [
    'export LC_ALL=C',
    choose(flavour),
    ...steps(req, '-y --setopt=exit_on_lock=True').map((s) => `${s.cmd} 2>&1 || exit $?`),
    'exit 0',
  ].join('\n');
}

function preflightSpec(flavour: RpmFlavour): PreflightSpec {
  const yum = flavour === 'yum';
  return {
    tools: ['rpm', flavour],
    paths: (kernel) => [yum ? '/var/cache/yum' : '/var/cache/dnf', '/', '/var', ...(kernel ? ['/boot'] : [])],
    locks: [RPM_LOCK_SHELL, pidLockShell(yum ? '/var/run/yum.pid' : '/var/lib/dnf/rpmdb_lock.pid')].join(
      '\n',
    ),
    interrupted: [
      RPM_DUPES_SHELL,
      // yum journals a transaction in transaction-all.*; yum-complete-transaction finishes it.
      ...(yum
        ? [
            "ls /var/lib/yum/transaction-all.* 2>/dev/null | head -n 3 | sed 's/^/interrupted unfinished yum transaction /'",
          ]
        : []),
    ].join('\n'),
    lists:
      'l=$(stat -c %Y /var/cache/dnf/*/repodata/repomd.xml /var/cache/yum/*/*/*/repomd.xml 2>/dev/null | sort -n | tail -n 1); echo "lists ${l:-0}"',
    // needs-restarting exits 1 for "reboot required" and for "no such command" alike: the text decides.
    reboot: [
      'o=""; rc=127',
      yum ? ':' : 'o=$(dnf -q -C needs-restarting -r 2>&1); rc=$?',
      'case "$rc:$o" in 1:*"Reboot is required"*|0:*"not necessary"*) ;; *) if command -v needs-restarting >/dev/null 2>&1; then o=$(needs-restarting -r 2>&1); rc=$?; fi ;; esac',
      'case "$rc:$o" in 1:*"Reboot is required"*) echo "reboot 1" ;; 0:*"not necessary"*) echo "reboot 0" ;; *) echo "reboot unknown" ;; esac',
    ].join('\n'),
  };
}

const FAILURES: [InstallFailureKind, RegExp][] = [
  // rpm's transaction test ("installing package x needs 12MB more space on the / filesystem"), yum's
  // "Disk Requirements", and a download into a full cache.
  ['disk-full', /needs \S+ more space on the \S+ filesystem|Disk Requirements:|No space left on device/],
  [
    'lock-held',
    /RPMDB already locked by \d+|already locked by \d+|can't create transaction lock on|Waiting for process with pid \d+|Existing lock \S+: another copy is running/,
  ],
  ['interrupted', /There are unfinished transactions remaining|rpmdb: BDB\d+|Error: rpmdb open failed/],
  [
    'repository-unreachable',
    /Failed to download metadata for repo|Cannot download repomd\.xml|Curl error \(\d+\)|Cannot retrieve repository metadata|Cannot find a valid baseurl|All mirrors were tried/,
  ],
  [
    'dependency-problem',
    /Problem( \d+)?: |nothing provides|Unable to find a match|conflicting requests|Error: Transaction check error|Requires: /,
  ],
];

/** Re-exported where zypper-install.ts (and others) have always found it. */
export { lineOf };

/**
 * Classifies a dnf/yum install: null when it succeeded. Exit 200 is dnf's "locked" (exit_on_lock), 124
 * and 137 GNU timeout's; the rest is read from the tools' own texts, the most specific first.
 */
export function classifyDnfFailure(output: string, exitCode: number | null): InstallFailure | null {
  // best=False (Fedora's and Debian's default) skips an upgrade it cannot resolve and still exits 0: the
  // approved version did not go in, which is a failure to report, not a success.
  if (exitCode === 0 && /^Skipping packages with broken dependencies:/m.test(output)) {
    const why = (lineOf(output, /nothing provides|conflicts with/) ?? lineOf(output, /Problem: /))?.replace(
      /^- /,
      '',
    );
    return { kind: 'dependency-problem', message: why ?? 'dnf skipped packages with broken dependencies' };
  }
  if (exitCode === 0) return null;
  if (exitCode === 124 || exitCode === 137)
    return {
      kind: 'timeout',
      message: `the install did not finish in time and was stopped (exit ${exitCode})`,
    };
  for (const [kind, re] of FAILURES) {
    const line = lineOf(output, re);
    if (line) return { kind, message: line };
  }
  if (exitCode === 200)
    return { kind: 'lock-held', message: 'the rpm database is locked by another process' };
  const last = output
    .split('\n')
    .filter((l) => /^Error: /.test(l))
    .pop();
  return {
    kind: 'unknown',
    message: last?.slice(0, 300) ?? `dnf exited with code ${exitCode ?? 'none (killed)'}`,
  };
}

/**
 * dnf: `remove --duplicates` keeps the newest of each duplicated package (what an interrupted transaction
 * leaves) and reinstalls it; yum: yum-complete-transaction finishes the journaled transaction. Only run
 * after pre-flight reported an interrupted operation.
 */
const RECOVER = [
  'export LC_ALL=C',
  'if command -v dnf >/dev/null 2>&1; then exec dnf -y --setopt=exit_on_lock=True remove --duplicates 2>&1; fi',
  'if command -v yum-complete-transaction >/dev/null 2>&1; then exec yum-complete-transaction -y 2>&1; fi',
  'echo "neither dnf nor yum-complete-transaction (yum-utils) is installed: nothing to recover with" >&2',
  'exit 1',
].join('\n');

/** The dnf installer, or the yum one for EL7 hosts without dnf. */
export function dnfInstaller(flavour: RpmFlavour = 'dnf'): PlatformInstaller {
  const spec = preflightSpec(flavour);
  return {
    id: flavour,
    partialUpgrades: true,
    validItem: validRpmItem,
    dryRunCommand: (req) => dryRunScript(req, flavour),
    parseDryRun: parseDnfDryRun,
    preflightCommand: ({ downloadBytes, kernel }) => preflightScript(spec, downloadBytes, kernel),
    parsePreflight: (output, exitCode) =>
      parsePreflightLines(output, exitCode, spec, {
        tools: `rpm and ${flavour}`,
        interruptedHint:
          flavour === 'yum'
            ? 'yum-complete-transaction (yum-utils) finishes it'
            : 'dnf remove --duplicates keeps the newest of each',
        selfRefreshing: true,
      }),
    installCommand: (req) => installScript(req, flavour),
    classifyFailure: classifyDnfFailure,
    recoverCommand: RECOVER,
    refresh: DNF_REFRESH,
    installedVersionsCommand: rpmInstalledScript,
    parseInstalledVersions: parseRpmInstalled,
  };
}
