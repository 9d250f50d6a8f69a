/**
 * The install side of zypper (openSUSE, SLES). Packages go through `update name=[epoch:]version-release`
 * (an installed package to exactly that edition; a name that is not installed is skipped, as apt's
 * --only-upgrade does), patches through `install -t patch ID` — `zypper patch` takes no patch names, only
 * filters. Patches flagged "reboot" are left out unless the reboot policy allows them: zypper installs a
 * named patch whatever its flags, so the script asks `zypper info -t patch` first. The dry run reads
 * zypper's `--xmlout` install summary, which carries old and new editions.
 */
import { shJoin, shQuote } from '../ssh/quote';
import { lineOf } from './dnf-install';
import { parsePreflightLines, pidLockShell, preflightScript, type PreflightSpec } from './install-preflight';
import type {
  DryRunPlan,
  InstallFailure,
  InstallFailureKind,
  InstallRequest,
  PlannedChange,
  PlatformInstaller,
} from './installer';
import {
  checkedItems,
  parseRpmInstalled,
  RPM_DUPES_SHELL,
  RPM_LOCK_SHELL,
  rpmInstalledScript,
  validRpmItem,
} from './rpm-install';
import { ADVISORY_ID, displayText, RPM_ARCH, RPM_NAME } from './rpm-names';
import { ZYPPER_REFRESH } from './rpm-refresh';
import { formatEvr, parseEvr } from './rpm-version';
import { UnparseableOutputError } from './types';
import { xmlEvents, xmlMessages } from './zypper-xml';

/** Ends one dry-run step: `@@patchbay-step <items|patches> <exit code>`. */
export const ZYPPER_STEP = '@@patchbay-step';
/** Names a patch left out because it needs a reboot the policy does not allow. */
export const REBOOT_SKIP = '@@patchbay-reboot-skip';
/** Names an item left out because a needed patch flagged "reboot" updates it (and no reboot is allowed). */
export const REBOOT_SKIP_ITEM = '@@patchbay-reboot-skip-item';

/** zypper's exit codes that mean "done" (100–103 are informational, 106: some repository was skipped). */
const DONE = new Set([0, 100, 101, 102, 103, 106]);

function patchIds(req: InstallRequest): string[] {
  for (const a of req.advisories)
    if (!ADVISORY_ID.test(a)) throw new Error(`not a valid patch id: ${JSON.stringify(a)}`);
  return req.advisories;
}

/**
 * Sets `keep` to the requested patches, minus (when reboots are not allowed) those whose "Interactive"
 * field says reboot. Only the request's own validated ids ever reach the command line: zypper's output
 * only decides which of them stay.
 */
function patchSelection(req: InstallRequest): string {
  const ids = shJoin(patchIds(req));
  if (req.allowReboot) return `keep=${shQuote(req.advisories.join(' '))}`;
  return [
    `reboot=" $(zypper --non-interactive info -t patch ${ids} 2>/dev/null | awk '/^Name *:/ { n = $3 } /^Interactive *:/ && /reboot/ { printf "%s ", n }')"`,
    `keep=; for id in ${ids}; do case "$reboot" in *" $id "*) echo "${REBOOT_SKIP} $id" ;; *) keep="$keep $id" ;; esac; done`,
  ].join('\n');
}

// Package names that needed patches flagged "reboot" update (their Conflicts: `name[.arch] < edition`),
// space-separated with a leading and trailing blank, also without a known arch suffix. Only compared with
// the request's own validated names below: nothing of it reaches a command line.
const REBOOT_AWK = String.raw`function out(n) { printf "%s ", n; if (sub(/\.(noarch|x86_64|i[3-6]86|aarch64|ppc64le|s390x|armv7hl)$/, "", n)) printf "%s ", n }
/^Information for patch /{ r = 0; c = 0; next }
/^Interactive *:/{ if ($0 ~ /reboot/) r = 1; c = 0; next }
/^Conflicts *:/{ c = 1; sub(/^Conflicts *: */, ""); if (r && $0 !~ /^\[/) out($1); next }
/^[ \t]+[^ \t]/{ if (c && r) out($1); next }
{ c = 0 }`;
const REBOOT_PACKAGES = [
  'rebootpk=" $(zypper --non-interactive --xmlout list-patches 2>/dev/null |',
  `grep -o '<update kind="patch" name="[^"]*"' | cut -d'"' -f4 |`,
  "grep -E '^[A-Za-z0-9][A-Za-z0-9._:+-]{0,127}$' | head -n 3000 |",
  'xargs -r zypper --non-interactive --quiet --no-color info -t patch -- 2>/dev/null |',
  `awk ${shQuote(REBOOT_AWK)}) "`,
].join(' ');

/**
 * Sets the positional parameters to the request's `name[.arch]=edition` arguments. An item that a needed
 * reboot patch updates brings in that patch's fix: without a reboot allowed it is left out (and named);
 * with one allowed, `rb=1` says the update needs the reboot the patch asks for (zypper only flags
 * reboots for patches, not for the same package updated by name).
 */
function itemSelection(req: InstallRequest): string {
  const args = checkedItems(req.items).map((i) => {
    const full = `${i.name}${i.arch ? `.${i.arch}` : ''}`;
    return { name: i.name, full, arg: `${full}=${formatEvr(parseEvr(i.version))}` };
  });
  const match = (a: (typeof args)[number]) =>
    `case "$rebootpk" in *${shQuote(` ${a.name} `)}*|*${shQuote(` ${a.full} `)}*)`;
  return [
    REBOOT_PACKAGES,
    'rb=; set --',
    ...args.map((a) =>
      req.allowReboot
        ? `${match(a)} rb=1 ;; esac; set -- "$@" ${shQuote(a.arg)}`
        : `${match(a)} echo ${shQuote(`${REBOOT_SKIP_ITEM} ${a.name}`)} ;; *) set -- "$@" ${shQuote(a.arg)} ;; esac`,
    ),
  ].join('\n');
}

// Patches first: a reboot patch installed as a patch makes zypper report its reboot (exit 102); its
// package updated by name first would leave the patch with nothing to do and the reboot unsaid.
function dryRunScript(req: InstallRequest): string {
  const out = ['export LC_ALL=C'];
  if (req.advisories.length > 0) {
    out.push(
      patchSelection(req),
      // The ids are the request's own, checked against ADVISORY_ID: no blanks or glob characters to split on.
      'if [ -n "$keep" ]; then zypper --non-interactive --xmlout install --dry-run -t patch $keep 2>&1; echo "' +
        ZYPPER_STEP +
        ' patches $?"; fi',
    );
  }
  if (req.items.length > 0) {
    out.push(
      itemSelection(req),
      `if [ "$#" -gt 0 ]; then zypper --non-interactive --xmlout update --dry-run "$@" 2>&1; echo "${ZYPPER_STEP} items $?"; fi`,
    );
  }
  out.push('exit 0');
  return out.join('\n');
}

/**
 * Runs zypper once more when it exits 103: it updated itself (the update stack) first and the rest of
 * the transaction needs the new zypper. Exit 102 (a patch flagged reboot went in) is remembered in
 * /run/reboot-needed, as newer zypper does itself (openSUSE/zypper#521): zypper 1.14 only returns it, so
 * `needs-rebooting` and the flag file — what the reboot check and the scan read — would say no reboot.
 */
const zypperStep = (cmd: string) =>
  `n=0; while :; do ${cmd} 2>&1; rc=$?; n=$((n + 1)); [ "$rc" = 103 ] && [ "$n" -lt 3 ] || break; done
if [ "$rc" = 102 ]; then : > /run/reboot-needed 2>/dev/null || :; fi
case "$rc" in 0|100|101|102|103|106) ;; *) exit "$rc" ;; esac`;

function installScript(req: InstallRequest): string {
  const out = ['export LC_ALL=C', 'rc=0'];
  if (req.advisories.length > 0) {
    out.push(
      patchSelection(req),
      `if [ -n "$keep" ]; then ${zypperStep('zypper --non-interactive install -t patch $keep')}\nfi`,
    );
  }
  if (req.items.length > 0)
    out.push(
      itemSelection(req),
      `if [ "$#" -gt 0 ]; then ${zypperStep('zypper --non-interactive update "$@"')}`,
      'if [ "$rb" = 1 ]; then : > /run/reboot-needed 2>/dev/null || :; fi\nfi',
    );
  out.push('exit "$rc"');
  return out.join('\n');
}

const BUCKETS: Record<string, keyof Pick<DryRunPlan, 'upgrades' | 'installs' | 'removals'> | 'note'> = {
  'to-upgrade': 'upgrades',
  'to-downgrade': 'upgrades',
  'to-install': 'installs',
  'to-reinstall': 'note',
  'to-remove': 'removals',
  'to-change-arch': 'upgrades',
  'to-change-vendor': 'upgrades',
};

/** Reads one step's `--xmlout` stream into `plan`. */
function readStep(xml: string, code: number, step: string, plan: DryRunPlan): void {
  let section = '';
  let summary = false;
  let prompt: string | null = null;
  for (const e of xmlEvents(xml)) {
    // A solver problem comes as a prompt ("Choose from above solutions"), its text in <description>.
    if (e.kind === 'open' && e.name === 'description' && !e.selfClosing && !section) prompt = '';
    else if (e.kind === 'text' && prompt !== null) prompt += e.text;
    else if (e.kind === 'close' && e.name === 'description' && prompt !== null) {
      const first = prompt.trim().split('\n')[0] ?? '';
      if (/^Problem: /.test(first)) plan.problems.push(displayText(first));
      prompt = null;
    } else if (e.kind === 'open' && e.name === 'install-summary') {
      summary = true;
      const size = Number(e.attrs['download-size']);
      plan.downloadBytes =
        plan.downloadBytes === null || !Number.isSafeInteger(size) ? null : plan.downloadBytes + size;
    } else if (e.kind === 'open' && e.name.startsWith('to-')) section = e.name;
    else if (e.kind === 'close' && e.name.startsWith('to-')) section = '';
    else if (e.kind === 'open' && e.name === 'solvable' && section) {
      const { type, name = '', edition = '', arch = '' } = e.attrs;
      const bucket = BUCKETS[section] ?? 'note';
      if (type !== 'package' || !RPM_NAME.test(name) || !RPM_ARCH.test(arch)) continue;
      const old = e.attrs['edition-old'] ?? '';
      if (bucket === 'note') {
        plan.notes.push(`${section.slice(3)}: ${name}.${arch} ${displayText(edition, 100)}`);
        continue;
      }
      if (section === 'to-downgrade')
        plan.notes.push(`${name} would be downgraded to ${displayText(edition, 100)}`);
      const change: PlannedChange =
        bucket === 'removals'
          ? { name, arch, fromVersion: displayText(edition, 100), toVersion: '' }
          : {
              name,
              arch,
              fromVersion: bucket === 'installs' ? '' : displayText(old, 100),
              toVersion: displayText(edition, 100),
            };
      plan[bucket].push(change);
    }
  }
  for (const m of xmlMessages(xml)) {
    const text = displayText(m.text);
    if (m.type === 'error') (DONE.has(code) ? plan.notes : plan.problems).push(text);
    else if (
      /is not installed|No update candidate|not available in your repositories|requires a reboot|Skipping repository/.test(
        text,
      )
    )
      plan.notes.push(text);
  }
  if (!DONE.has(code) && !plan.problems.length)
    plan.problems.push(`${step}: zypper exited with code ${code}`);
  if (DONE.has(code) && !summary && !xmlMessages(xml).some((m) => /Nothing to do/.test(m.text)))
    throw new UnparseableOutputError(`zypper printed no install summary for the ${step}`);
}

/** Reads the dry run: each step's XML up to its ZYPPER_STEP line, and the patches left out for reboot. */
export function parseZypperDryRun(output: string, exitCode: number | null): DryRunPlan {
  const plan: DryRunPlan = {
    upgrades: [],
    installs: [],
    removals: [],
    downloadBytes: 0,
    problems: [],
    notes: [],
  };
  let chunk: string[] = [];
  let steps = 0;
  for (const line of output.split('\n')) {
    const skip = new RegExp(`^${REBOOT_SKIP} (\\S+)$`).exec(line);
    if (skip && ADVISORY_ID.test(skip[1] ?? '')) {
      plan.notes.push(`${skip[1]} needs a reboot: left out, the reboot policy does not allow one`);
      (plan.leftOut ??= []).push(skip[1] ?? '');
      continue;
    }
    const item = new RegExp(`^${REBOOT_SKIP_ITEM} (\\S+)$`).exec(line);
    if (item && RPM_NAME.test(item[1] ?? '')) {
      plan.notes.push(
        `${item[1]} is updated by a patch that needs a reboot: left out, the reboot policy does not allow one`,
      );
      (plan.leftOut ??= []).push(item[1] ?? '');
      continue;
    }
    const step = new RegExp(`^${ZYPPER_STEP} (items|patches) (\\d+)$`).exec(line);
    if (!step) {
      chunk.push(line);
      continue;
    }
    readStep(chunk.join('\n'), Number(step[2]), step[1] === 'items' ? 'packages' : 'patches', plan);
    chunk = [];
    steps++;
  }
  if (steps === 0 && chunk.some((l) => l.trim()))
    throw new UnparseableOutputError(`the zypper dry run did not finish (exit ${exitCode ?? 'none'})`);
  // Each step is simulated against the same system: a package both named and in a named patch shows in
  // both summaries, and is one change. (downloadBytes keeps both: an overestimate errs on the safe side.)
  for (const bucket of ['upgrades', 'installs', 'removals'] as const) {
    const seen = new Set<string>();
    plan[bucket] = plan[bucket].filter((c) => {
      const key = `${c.name}\u0000${c.arch}\u0000${c.fromVersion}\u0000${c.toVersion}`;
      return !seen.has(key) && !!seen.add(key);
    });
  }
  return plan;
}

const FAILURES: [InstallFailureKind, RegExp][] = [
  [
    'disk-full',
    /No space left on device|needs \S+ more space on the \S+ filesystem|Not enough (free )?disk space/,
  ],
  ['lock-held', /System management is locked by the application with pid|can't create transaction lock on/],
  ['interrupted', /rpmdb: BDB\d+|DB_RUNRECOVERY|rpm database .*(damaged|corrupt)/i],
  [
    'repository-unreachable',
    /Repository '.*' is invalid|Valid metadata not found at specified URL|Download \(curl\) error|Problem retrieving files from|Could not resolve host/,
  ],
  ['dependency-problem', /^Problem: |nothing provides|No provider of '|conflicts with|is not installable/m],
];

/**
 * Classifies a zypper install: null when it succeeded (including 102 "reboot needed" and 106 "a
 * repository was skipped" — the verification rescan says what really changed). 7 is zypper's "locked".
 */
export function classifyZypperFailure(output: string, exitCode: number | null): InstallFailure | null {
  if (exitCode !== null && DONE.has(exitCode)) return null;
  if (exitCode === 124 || exitCode === 137)
    return {
      kind: 'timeout',
      message: `the install did not finish in time and was stopped (exit ${exitCode})`,
    };
  for (const [kind, re] of FAILURES) {
    const line = lineOf(output, re);
    if (line) return { kind, message: line };
  }
  if (exitCode === 7) return { kind: 'lock-held', message: 'zypper: system management is locked' };
  // zypper ends with "Please see the above error message for a hint.": its first complaint says more.
  const last =
    lineOf(output, /^(Failed to provide|Can't provide|Error: |Problem occurred)/m) ??
    output
      .split('\n')
      .filter((l) => l.trim())
      .pop();
  return {
    kind: 'unknown',
    message: displayText(last ?? `zypper exited with code ${exitCode ?? 'none (killed)'}`),
  };
}

const SPEC: PreflightSpec = {
  tools: ['rpm', 'zypper'],
  paths: (kernel) => ['/var/cache/zypp/packages', '/', '/var', ...(kernel ? ['/boot'] : [])],
  locks: [RPM_LOCK_SHELL, pidLockShell('/run/zypp.pid')].join('\n'),
  interrupted: RPM_DUPES_SHELL,
  lists:
    'l=$(stat -c %Y /var/cache/zypp/raw/*/repodata/repomd.xml 2>/dev/null | sort -n | tail -n 1); echo "lists ${l:-0}"',
  // needs-rebooting: 102 = reboot needed, 0 = not (zypper 1.14.?+); the flag file covers older zypper.
  reboot: [
    'zypper --quiet needs-rebooting >/dev/null 2>&1; rc=$?',
    'if [ -e /run/reboot-needed ] || [ "$rc" = 102 ]; then echo "reboot 1"; elif [ "$rc" = 0 ]; then echo "reboot 0"; else echo "reboot unknown"; fi',
  ].join('\n'),
};

/** The zypper installer. */
export function zypperInstaller(): PlatformInstaller {
  return {
    id: 'zypper',
    partialUpgrades: true,
    validItem: validRpmItem,
    dryRunCommand: dryRunScript,
    parseDryRun: parseZypperDryRun,
    preflightCommand: ({ downloadBytes, kernel }) => preflightScript(SPEC, downloadBytes, kernel),
    parsePreflight: (output, exitCode) =>
      parsePreflightLines(output, exitCode, SPEC, {
        tools: 'rpm and zypper',
        interruptedHint:
          'check the host and remove the older duplicate with rpm -e --nodeps (zypper has no tool for it)',
        selfRefreshing: true,
      }),
    installCommand: installScript,
    classifyFailure: classifyZypperFailure,
    // zypper has nothing like dpkg --configure -a: an interrupted rpm transaction needs a person.
    recoverCommand: null,
    refresh: ZYPPER_REFRESH,
    installedVersionsCommand: rpmInstalledScript,
    parseInstalledVersions: parseRpmInstalled,
  };
}
