/**
 * The install side of macOS: Apple's updates with softwareupdate(8), Homebrew formulae and casks with
 * `brew upgrade`. KNOWN OUTPUT SHAPES, NOT RUN HERE (neither tool runs on Linux): `softwareupdate --list`
 * as the scan reads it (`* Label: <label>` then `Title: …, Version: …, Size: …, Recommended: YES,
 * Action: restart,`), `softwareupdate --install <label>…` (documented in softwareupdate(8); it does not
 * restart unless --restart is given — the rollout's reboot step does that), and Homebrew's
 * cmd/upgrade.rb (`==> Would upgrade N outdated packages:` / `==> Upgrading …` then `name old -> new`).
 *
 * Items are told apart by grammar: Homebrew names are lower case without blanks (BREW_NAME); anything
 * else that fits an Apple label is one. Labels may also come as `advisories`. Homebrew refuses to run as
 * root, so it runs as the owner of the brew executable (`sudo -u`), with that user's HOME.
 */
import { shJoin } from '../ssh/quote';
import { classifyByTable, emptyPlan, type FailureTable } from './install-common';
import { installerPreflight, type PreflightSpec } from './install-preflight';
import type { DryRunPlan, InstallFailure, InstallItem, InstallRequest, PlatformInstaller } from './installer';
import { MACOS_LABEL } from './macos';
import { BREW_NAME, BREW_VERSION } from './macos-brew';
import { displayText } from './rpm-names';
import { UnparseableOutputError } from './types';

const isBrew = (name: string) => BREW_NAME.test(name);

/** Whether an item is a Homebrew formula/cask or an Apple update label with a sane version. */
export const validMacItem = (item: InstallItem): boolean =>
  (isBrew(item.name) || MACOS_LABEL.test(item.name)) && BREW_VERSION.test(item.version);

function split(req: InstallRequest): { labels: string[]; brew: string[] } {
  for (const i of req.items)
    if (!validMacItem(i)) throw new Error(`not a valid macOS update: ${JSON.stringify(i)}`);
  for (const a of req.advisories)
    if (!MACOS_LABEL.test(a)) throw new Error(`not an Apple update label: ${JSON.stringify(a)}`);
  const labels = [...req.items.filter((i) => !isBrew(i.name)).map((i) => i.name), ...req.advisories];
  return { labels: [...new Set(labels)], brew: req.items.filter((i) => isBrew(i.name)).map((i) => i.name) };
}

/** Finds brew and its owner (brew refuses root): sets $b and $u, or leaves $b empty. */
const FIND_BREW =
  'b=; for c in /opt/homebrew/bin/brew /usr/local/bin/brew; do if [ -x "$c" ]; then b=$c; break; fi; done; u=; [ -n "$b" ] && u=$(stat -f %Su "$b")';

/**
 * Keeps in `$keep` (one label a line) the labels to install. Without reboot permission a label whose
 * --list entry says "Action: restart" (or shut down) is left out, with a marker line. Labels are the
 * request's own, validated; softwareupdate's output only decides which of them stay.
 */
function selectLabels(labels: string[], allowReboot: boolean): string {
  return `list=$(softwareupdate --list 2>&1)
keep=
for l in ${shJoin(labels)}; do
  detail=$(printf '%s\\n' "$list" | awk -v l="$l" 'found { print; exit } $0 == "* Label: " l { found = 1 }')
  [ -n "$detail" ] || { echo "@@patchbay-missing $l"; continue; }
  case "$detail" in
    *"Action: restart"*|*"Action: shut down"*) if [ ${allowReboot ? 1 : 0} = 0 ]; then echo "@@patchbay-reboot-skip $l"; continue; fi ;;
  esac
  keep="$keep$l
"
done`;
}

function dryRunScript(req: InstallRequest): string {
  const { labels, brew } = split(req);
  const out = ['export LC_ALL=C'];
  if (labels.length > 0) {
    out.push(selectLabels(labels, req.allowReboot), "printf '%s' \"$keep\" | sed 's/^/@@patchbay-label /'");
  }
  if (brew.length > 0) {
    out.push(
      FIND_BREW,
      `if [ -n "$b" ]; then sudo -u "$u" -H "$b" upgrade --dry-run ${shJoin(brew)} 2>&1; else echo "@@patchbay-no-brew"; fi`,
    );
  }
  out.push('echo "@@patchbay-end"');
  return out.join('\n');
}

function installScript(req: InstallRequest): string {
  const { labels, brew } = split(req);
  const out = ['export LC_ALL=C', 'rc=0'];
  if (labels.length > 0) {
    out.push(
      selectLabels(labels, req.allowReboot),
      // IFS of a newline: labels contain blanks.
      'if [ -n "$keep" ]; then old=$IFS; IFS=\'\n\'; set -f; softwareupdate --install $keep 2>&1 || rc=$?; set +f; IFS=$old; fi',
    );
  }
  if (brew.length > 0) {
    out.push(
      FIND_BREW,
      `if [ -n "$b" ]; then sudo -u "$u" -H "$b" upgrade ${shJoin(brew)} 2>&1 || rc=$?; else echo "Homebrew is not installed" >&2; rc=1; fi`,
    );
  }
  out.push('exit "$rc"');
  return out.join('\n');
}

/** Reads the dry run: labels kept or left out, and brew's "Would upgrade" lines. */
export function parseMacosDryRun(output: string, exitCode: number | null): DryRunPlan {
  const lines = output.split('\n');
  if (!lines.includes('@@patchbay-end'))
    throw new UnparseableOutputError(`the macOS dry run did not finish (exit ${exitCode ?? 'none'})`);
  const plan = emptyPlan();
  let brew = false;
  for (const line of lines) {
    const m = /^@@patchbay-(label|reboot-skip|missing) (.+)$/.exec(line);
    const label = m?.[2] ?? '';
    if (m && MACOS_LABEL.test(label)) {
      if (m[1] === 'label') plan.upgrades.push({ name: label, arch: '', fromVersion: '', toVersion: '' });
      else if (m[1] === 'reboot-skip')
        plan.notes.push(`${label} restarts the Mac: left out, the reboot policy does not allow one`);
      else
        plan.problems.push(
          `${label} is not offered by softwareupdate on this Mac (installed already, or withdrawn)`,
        );
      continue;
    }
    if (line === '@@patchbay-no-brew') plan.problems.push('Homebrew is not installed on this Mac');
    else if (/^==> (Would upgrade|Upgrading) \d+ outdated packages?:$/.test(line)) brew = true;
    else if (/^==> /.test(line)) brew = false;
    else if (brew) {
      const b = /^(\S+) (\S+) -> (\S+)$/.exec(line.trim());
      if (b && BREW_NAME.test(b[1] ?? '') && BREW_VERSION.test(b[2] ?? '') && BREW_VERSION.test(b[3] ?? ''))
        plan.upgrades.push({ name: b[1] ?? '', arch: '', fromVersion: b[2] ?? '', toVersion: b[3] ?? '' });
    } else if (/^(Error|Warning): /.test(line))
      (line.startsWith('Error') ? plan.problems : plan.notes).push(displayText(line));
  }
  return plan;
}

const FAILURES: FailureTable = [
  ['disk-full', /No space left on device|not enough (free )?(disk )?space/i],
  ['lock-held', /A `brew .*` process has already locked|has already locked/],
  [
    'repository-unreachable',
    /Failed to download|Could not resolve host|The Internet connection appears to be offline|Can.t connect to the Software Update server/i,
  ],
  ['dependency-problem', /requires macOS|is not compatible with|depends on/],
];

/** Classifies a macOS install: null when it succeeded. */
export function classifyMacosFailure(output: string, exitCode: number | null): InstallFailure | null {
  return classifyByTable(output, exitCode, FAILURES, () => {
    const last = output
      .split('\n')
      .filter((l) => l.trim())
      .pop();
    return displayText(last ?? `exit code ${exitCode ?? 'none (killed)'}`);
  });
}

function installedScript(names: string[]): string {
  const brew = names.filter(isBrew);
  for (const n of names)
    if (!isBrew(n) && !MACOS_LABEL.test(n)) throw new Error(`not a macOS update name: ${JSON.stringify(n)}`);
  // Apple labels have no installed version to ask for: the rescan (softwareupdate --list) verifies them.
  if (brew.length === 0) return 'exit 0';
  return `${FIND_BREW}\n[ -n "$b" ] && sudo -u "$u" -H "$b" list --versions ${shJoin(brew)} 2>/dev/null\nexit 0`;
}

/** Reads `brew list --versions` (`name v1 [v2…]`): name → the newest (last) version. */
export function parseBrewVersions(output: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of output.split('\n')) {
    const [name = '', ...versions] = line.trim().split(/\s+/);
    const v = versions[versions.length - 1] ?? '';
    if (BREW_NAME.test(name) && BREW_VERSION.test(v)) out.set(name, v);
  }
  return out;
}

const SPEC: PreflightSpec = {
  tools: ['softwareupdate'],
  paths: () => ['/Library/Updates', '/', '/private/var'],
  boot: "sysctl -n kern.bootsessionuuid 2>/dev/null | tr 'A-F' 'a-f'",
  // softwareupdated (the daemon) always runs; a softwareupdate command line tool running means busy.
  locks: `p=$(pgrep -x softwareupdate 2>/dev/null | head -n 1)
if [ -n "$p" ]; then echo "lock softwareupdate held $p softwareupdate"; else echo "lock softwareupdate free"; fi`,
  interrupted: ':',
  // Apple's catalog is fetched by softwareupdate itself; the time is that of the last successful check.
  lists: `echo "lists $(date +%s)"`,
  reboot: 'echo "reboot unknown"',
};

/** The macOS installer (known output shapes: see the file comment). */
export function macosInstaller(): PlatformInstaller {
  return {
    id: 'macos',
    partialUpgrades: true,
    validItem: validMacItem,
    dryRunCommand: dryRunScript,
    parseDryRun: parseMacosDryRun,
    ...installerPreflight(SPEC, {
      tools: 'softwareupdate',
      interruptedHint: 'check the Mac',
      selfRefreshing: true,
    }),
    installCommand: installScript,
    classifyFailure: classifyMacosFailure,
    recoverCommand: null,
    installedVersionsCommand: installedScript,
    parseInstalledVersions: parseBrewVersions,
  };
}
