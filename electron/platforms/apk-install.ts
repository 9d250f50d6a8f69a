/**
 * The install side of apk (Alpine Linux). FROM DOCUMENTATION, NOT RUN HERE: apk-tools is not in Debian
 * bookworm. Commands follow apk(8)/apk-upgrade(8) (`apk upgrade [packages]` upgrades only the named
 * packages and what they need; `--simulate` changes nothing; `--no-interactive`); output shapes follow
 * apk-tools' own solver tests (test/solver/*.test: `(1/3) Upgrading app (1 -> 2)`, `Installing libnew (1)`,
 * `Purging libold (1)`, `OK: 0 MiB in 2 packages`) and its messages (`ERROR: unable to select packages:`,
 * `WARNING: fetching <url>: temporary error (try again later)`, `Unable to lock database`).
 *
 * apk installs the newest version its index has: it takes names, not versions. `apk add name=version`
 * would pin the package in /etc/apk/world for good, so it is not used; the plan compares the version apk
 * would install with the approved one instead.
 */
import { shJoin } from '../ssh/quote';
import { APK_NAME, APK_VERSION } from './apk';
import { APK_REFRESH } from './apk-refresh';
import { classifyByTable, emptyPlan, type FailureTable, installedQuery } from './install-common';
import { fcntlLockShell, installerPreflight, type PreflightSpec } from './install-preflight';
import type { DryRunPlan, InstallFailure, InstallItem, InstallRequest, PlatformInstaller } from './installer';
import { displayText } from './rpm-names';
import { UnparseableOutputError } from './types';

/** Echoes one approved item back at the top of the dry run. */
const WANT = '@@patchbay-want';
const DONE = '@@patchbay-simulated';

/** Whether an item fits apk's grammar. */
export const validApkItem = (item: InstallItem): boolean =>
  APK_NAME.test(item.name) &&
  APK_VERSION.test(item.version) &&
  (item.arch === '' || /^[a-z0-9_]{1,20}$/.test(item.arch));

function names(req: InstallRequest): string[] {
  for (const i of req.items)
    if (!validApkItem(i)) throw new Error(`not a valid apk package: ${JSON.stringify(i)}`);
  return [...new Set(req.items.map((i) => i.name))];
}

function dryRunScript(req: InstallRequest): string {
  return [
    'export LC_ALL=C',
    ...req.items.filter(validApkItem).map((i) => `echo ${shJoin([WANT, i.name, i.version])}`),
    `apk upgrade --simulate --no-interactive --no-progress ${shJoin(names(req))} 2>&1`,
    `echo "${DONE} $?"`,
  ].join('\n');
}

const installScript = (req: InstallRequest) =>
  `export LC_ALL=C\nexec apk upgrade --no-interactive --no-progress ${shJoin(names(req))} 2>&1`;

const CHANGE =
  /^\(\d+\/\d+\) (Upgrading|Installing|Purging|Deleting|Downgrading|Reinstalling|Replacing) (\S+) \((\S+?)(?: -> (\S+))?\)$/;

/** Reads `apk upgrade --simulate`: its change lines, errors and warnings, and the approved items. */
export function parseApkDryRun(output: string, exitCode: number | null): DryRunPlan {
  const lines = output.split('\n');
  const done = lines.map((l) => new RegExp(`^${DONE} (\\d+)$`).exec(l)).find(Boolean);
  if (!done) throw new UnparseableOutputError(`the apk dry run did not finish (exit ${exitCode ?? 'none'})`);
  const plan = emptyPlan();
  const wants = new Map<string, string>();
  const planned = new Map<string, string>();
  for (const line of lines) {
    const w = line.split(' ');
    if (w[0] === WANT && APK_NAME.test(w[1] ?? '') && APK_VERSION.test(w[2] ?? '')) {
      wants.set(w[1] ?? '', w[2] ?? '');
      continue;
    }
    const m = CHANGE.exec(line.trim());
    if (m) {
      const [, verb, name = '', a = '', b] = m;
      if (!APK_NAME.test(name) || !APK_VERSION.test(a) || (b !== undefined && !APK_VERSION.test(b))) continue;
      if (verb === 'Upgrading' || verb === 'Downgrading') {
        plan.upgrades.push({ name, arch: '', fromVersion: a, toVersion: b ?? '' });
        planned.set(name, b ?? '');
        if (verb === 'Downgrading') plan.notes.push(`${name} would be downgraded from ${a} to ${b ?? '?'}`);
      } else if (verb === 'Installing') {
        plan.installs.push({ name, arch: '', fromVersion: '', toVersion: a });
        planned.set(name, a);
      } else if (verb === 'Purging' || verb === 'Deleting') {
        plan.removals.push({ name, arch: '', fromVersion: a, toVersion: '' });
      } else plan.notes.push(`${verb} ${name} ${a}`);
    } else if (/^ERROR: /.test(line)) plan.problems.push(displayText(line.slice(7)));
    else if (/^WARNING: /.test(line)) plan.notes.push(displayText(line.slice(9)));
    else if (/^\s+.*(no such package|breaks:|conflicts:|required by:)/.test(line))
      plan.problems.push(displayText(line));
  }
  const code = Number(done[1]);
  if (code !== 0 && plan.problems.length === 0) plan.problems.push(`apk exited with code ${code}`);
  for (const [name, version] of wants) {
    const to = planned.get(name);
    if (to === undefined) plan.notes.push(`${name}: apk has nothing newer to install (approved ${version})`);
    else if (to !== version)
      plan.notes.push(`${name}: apk installs ${to}, the newest its index has (approved ${version})`);
  }
  return plan;
}

const FAILURES: FailureTable = [
  ['lock-held', /Unable to lock database/],
  ['disk-full', /No space left on device/],
  [
    'repository-unreachable',
    /temporary error \(try again later\)|network error|DNS: transient error|Permission denied \(fetch/,
  ],
  ['dependency-problem', /unable to select packages|breaks: |conflicts: /],
];

/** Classifies an `apk upgrade`: null when it succeeded (exit 0). */
export function classifyApkFailure(output: string, exitCode: number | null): InstallFailure | null {
  return classifyByTable(output, exitCode, FAILURES, () => {
    const last = output
      .split('\n')
      .filter((l) => /^ERROR: /.test(l))
      .pop();
    return last?.slice(0, 300) ?? `apk exited with code ${exitCode ?? 'none (killed)'}`;
  });
}

// `apk info -e -v name…`: "name-version" for each one installed, nothing for the others.
const installedScript = (list: string[]) =>
  installedQuery(list, (n) => APK_NAME.test(n), 'an apk package name', 'apk info -e -v');

/** Reads `apk info -e -v` lines (`name-1.2.3-r0`): name → version. */
export function parseApkInstalled(output: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of output.split('\n')) {
    // The version starts at the last "-<digit>" that leaves a valid version (names may contain "-2").
    const t = line.trim();
    for (let i = t.indexOf('-'); i > 0; i = t.indexOf('-', i + 1)) {
      const name = t.slice(0, i);
      const version = t.slice(i + 1);
      if (APK_NAME.test(name) && APK_VERSION.test(version) && /-r\d+$/.test(version)) {
        out.set(name, version);
        break;
      }
    }
  }
  return out;
}

const SPEC: PreflightSpec = {
  tools: ['apk'],
  paths: (kernel) => ['/var/cache/apk', '/', '/var', ...(kernel ? ['/boot'] : [])],
  locks: fcntlLockShell('/lib/apk/db/lock'),
  interrupted: ':',
  lists:
    'l=$(stat -c %Y /var/cache/apk/APKINDEX.*.tar.gz 2>/dev/null | sort -n | tail -n 1); echo "lists ${l:-0}"',
  // Upgrading a kernel package removes the running kernel's modules directory.
  reboot:
    'r=$(uname -r); if [ -d "/lib/modules/$r" ]; then echo "reboot 0"; elif ls -d /lib/modules/* >/dev/null 2>&1; then echo "reboot 1"; else echo "reboot unknown"; fi',
};

/** The apk installer (from documentation: see the file comment). */
export function apkInstaller(): PlatformInstaller {
  return {
    id: 'apk',
    partialUpgrades: true,
    validItem: validApkItem,
    dryRunCommand: dryRunScript,
    parseDryRun: parseApkDryRun,
    ...installerPreflight(SPEC, {
      tools: 'apk',
      interruptedHint: 'apk fix repairs it',
      // The install uses the index as it is (no -U), so that it installs what the review showed.
      selfRefreshing: false,
    }),
    installCommand: installScript,
    classifyFailure: classifyApkFailure,
    // apk commits each package atomically; `apk fix` repairs, but only after a person has looked.
    recoverCommand: null,
    refresh: APK_REFRESH,
    installedVersionsCommand: installedScript,
    parseInstalledVersions: parseApkInstalled,
  };
}
