import { emptyPlan } from './install-common';
import {
  bootIdOf,
  listsAreStale,
  listsCheck,
  lockCheck,
  preflightKeys,
  rebootCheck,
  rootCheck,
  spaceCheck,
  spaceNeeds as sharedSpaceNeeds,
} from './install-preflight';
import type {
  DryRunPlan,
  InstallFailure,
  InstallFailureKind,
  PlannedChange,
  PreflightCheck,
  PreflightReport,
} from './installer';
import { UnparseableOutputError } from './types';

/** Marks where the download-size pass of the dry run starts (after the simulation's exit code). */
export const URIS_MARK = '@@patchbay-uris';

/** Splits `name:arch` as apt prints foreign-architecture packages. */
function nameArch(s: string): { name: string; arch: string } {
  const i = s.indexOf(':');
  return i < 0 ? { name: s, arch: '' } : { name: s.slice(0, i), arch: s.slice(i + 1) };
}

const bounded = (s: string) => (s.length > 300 ? `${s.slice(0, 297)}...` : s);

/**
 * Reads `apt-get -s install …` (stdout and stderr together) followed by URIS_MARK, the simulation's exit
 * code and `apt-get --print-uris -qq` lines. `Inst name [old] (new origin [arch])` is an upgrade, without
 * `[old]` a new package; `Remv`/`Purg name [old]` a removal. `Conf` lines of packages not installed in
 * this run are packages a previous run left unconfigured: they are shown as a note.
 */
export function parseAptDryRun(output: string, exitCode: number | null): DryRunPlan {
  const mark = output.indexOf(`\n${URIS_MARK}`);
  const sim = mark >= 0 ? output.slice(0, mark + 1) : output;
  const after = mark >= 0 ? output.slice(mark + 1).split('\n') : [];
  const simExit = /^@@patchbay-uris (\d+)$/.exec(after[0] ?? '');
  const code = simExit ? Number(simExit[1]) : exitCode;
  const plan = emptyPlan();
  const inst = new Set<string>();
  let summary = false;
  let unmet = false;
  for (const raw of sim.split('\n')) {
    const line = raw.trimEnd();
    let m = /^Inst (\S+) (?:\[(\S+)\] )?\((\S+) .*\[([^\]\s]+)\]\)/.exec(line);
    if (m) {
      const { name, arch } = nameArch(m[1] ?? '');
      const change: PlannedChange = {
        name,
        arch: arch || (m[4] ?? ''),
        fromVersion: m[2] ?? '',
        toVersion: m[3] ?? '',
      };
      (change.fromVersion ? plan.upgrades : plan.installs).push(change);
      inst.add(m[1] ?? '');
      continue;
    }
    m = /^(?:Remv|Purg) (\S+)(?: \[(\S+)\])?/.exec(line);
    if (m) {
      const { name, arch } = nameArch(m[1] ?? '');
      plan.removals.push({ name, arch, fromVersion: m[2] ?? '', toVersion: '' });
      continue;
    }
    m = /^Conf (\S+) \((\S+)/.exec(line);
    if (m) {
      if (!inst.has(m[1] ?? ''))
        plan.notes.push(`${m[1]} ${m[2]} was left unconfigured by an earlier run and will be configured too`);
      continue;
    }
    if (/^\d+ upgraded, \d+ newly installed, \d+ to remove and \d+ not upgraded\.$/.test(line))
      summary = true;
    else if (/^E: /.test(line)) plan.problems.push(bounded(line.slice(3)));
    else if (/^W: /.test(line)) plan.notes.push(bounded(line.slice(3)));
    else if (/^Skipping \S+, it is not installed and only upgrades are requested\.$/.test(line))
      plan.notes.push(line);
    else if (/^The following packages have unmet dependencies:/.test(line)) unmet = true;
    else if (unmet && /^ \S+ : /.test(raw)) plan.problems.push(bounded(raw.trim()));
    else if (/^The following held packages will be changed:/.test(line))
      plan.problems.push('held packages would be changed (a hold on the host blocks this update)');
  }
  if (code !== 0 && plan.problems.length === 0)
    plan.problems.push(`apt-get exited with code ${code ?? 'none'}`);
  if (code === 0 && !summary) {
    throw new UnparseableOutputError(
      'apt-get -s printed no summary line: not a simulation this reader knows',
    );
  }
  if (simExit) {
    // The size counts only when --print-uris itself succeeded (it refuses e.g. a held package).
    let bytes = 0;
    let ended = false;
    for (const line of after.slice(1)) {
      const u = /^'[^']+' \S+ (\d{1,15}) /.exec(line);
      if (u) bytes += Number(u[1]);
      else if (line === `${URIS_MARK}-end 0`) ended = true;
    }
    plan.downloadBytes = ended && code === 0 ? bytes : null;
  }
  return plan;
}

/** The paths whose free space counts for apt: the archive cache, /, /var, and /boot for a kernel. */
const aptPaths = (kernel: boolean) => ['/var/cache/apt/archives', '/', '/var', ...(kernel ? ['/boot'] : [])];

/**
 * What each path must have free, from the download size (the shared heuristic of install-preflight.ts:
 * dpkg unpacks new files beside the old ones on `/` before removing them, a kernel writes to /boot).
 */
export function spaceNeeds(downloadBytes: number | null, kernel: boolean): Record<string, number> {
  return Object.fromEntries(sharedSpaceNeeds(aptPaths(kernel), downloadBytes));
}

/**
 * dpkg --audit prints nothing on a clean host; a non-empty journal (/var/lib/dpkg/updates) is what a killed
 * dpkg leaves. While another dpkg runs, --audit sees its half-done work: say so instead of calling it
 * interrupted.
 */
function interruptedCheck(auditLines: string[], journalLine: string): PreflightCheck {
  const audit = auditLines.map((l) => l.trim()).filter(Boolean);
  const busy = audit.some((l) => /^Another process has locked the database/.test(l));
  const interrupted = audit.filter((l) => /^\S+\s{2,}\S/.test(l)).map((l) => l.split(/\s+/)[0]);
  const journal = journalLine === '1' && !busy;
  return {
    id: 'interrupted',
    ok: audit.length === 0 && !journal,
    message:
      audit.length === 0
        ? journal
          ? 'dpkg was interrupted (its journal in /var/lib/dpkg/updates is not empty): dpkg --configure -a is needed'
          : 'no interrupted package operation'
        : busy
          ? 'cannot tell whether an earlier package operation was interrupted while another one runs'
          : `an earlier package operation was interrupted (${interrupted.join(', ') || 'see dpkg --audit'}): dpkg --configure -a is needed`,
  };
}

/**
 * Reads the pre-flight script's `key value` lines (see apt-install.ts) with the shared reader. apt's own
 * parts: both apt-get and dpkg must be there, the archive cache's free space must be readable, dpkg
 * names the lock, dpkg --audit and its journal say what was interrupted, and lists too old fail (apt does
 * not refresh them itself). `now` and `lists` come from the host, so list age is on the host's own clock.
 */
export function parseAptPreflight(output: string, exitCode: number | null): PreflightReport {
  const { get, first } = preflightKeys(output);
  if (!first('uid') && exitCode !== 0) {
    throw new UnparseableOutputError(`the pre-flight script did not run (exit ${exitCode ?? 'none'})`);
  }
  const tools = first('tools');
  // The script prints `reboot 1` or `reboot 0`: anything else counts as none pending.
  const rebootPending = first('reboot') === '1';
  return {
    checks: [
      rootCheck(first('uid')),
      {
        id: 'tool',
        ok: tools === 'apt-get dpkg',
        message: tools === 'apt-get dpkg' ? 'apt-get and dpkg present' : 'apt-get or dpkg is missing',
      },
      spaceCheck(get('df'), first('download'), aptPaths(first('kernel') === '1'), false),
      lockCheck(get('lock'), { subject: 'dpkg', commInParens: false }),
      interruptedCheck(get('audit'), first('journal')),
      listsCheck(Number(first('now')), Number(first('lists')), false),
      rebootCheck(rebootPending ? '1' : '0'),
    ],
    bootId: bootIdOf(first('boot')),
    rebootPending,
    listsStale: listsAreStale(Number(first('now')), Number(first('lists'))),
  };
}

const FAILURES: [InstallFailureKind, RegExp][] = [
  [
    'lock-held',
    /Could not get lock \/var\/lib\/dpkg\/lock|Unable to acquire the dpkg frontend lock|Unable to lock the administration directory|dpkg frontend lock .* is held/,
  ],
  ['interrupted', /dpkg was interrupted, you must manually run/],
  ['disk-full', /You don't have enough free space in|No space left on device/],
  // Not "Configuration file '…'": dpkg prints that also when it keeps the old file as told.
  ['conffile-prompt', /end of file on stdin at conffile prompt/],
  [
    'repository-unreachable',
    /Failed to fetch|Could not connect to|Unable to fetch some archives|Temporary failure resolving|Could not resolve/,
  ],
  [
    'dependency-problem',
    /unmet dependencies|Unable to correct problems|Held packages were changed|Version '.*' for '.*' was not found|Unable to locate package|held broken packages/,
  ],
];

/**
 * Classifies an install's output and exit code: null when it succeeded. GNU timeout exits 124 (SIGTERM
 * worked) or 137 (it needed SIGKILL) when the limit passed; the rest is read from apt's and dpkg's own
 * messages, the most specific first (a full disk also makes fetching fail, so it comes before "could
 * not fetch"). `message` is the tool's own line.
 */
export function classifyAptFailure(output: string, exitCode: number | null): InstallFailure | null {
  if (exitCode === 0) return null;
  if (exitCode === 124 || exitCode === 137) {
    return {
      kind: 'timeout',
      message: `the install did not finish in time and was stopped (exit ${exitCode})`,
    };
  }
  // apt's own error lines say it best; the rest of the output (dpkg's lines) only when they say nothing.
  const errors = output
    .split('\n')
    .filter((l) => /^E: /.test(l))
    .join('\n');
  for (const text of [errors, output]) {
    for (const [kind, re] of FAILURES) {
      const m = re.exec(text);
      if (m) {
        const at = text.lastIndexOf('\n', m.index) + 1;
        const end = text.indexOf('\n', m.index);
        const line = text.slice(at, end < 0 ? undefined : end).trim();
        // dpkg names the file in its question, a few lines before the error: keep it with the error.
        const file =
          kind === 'conffile-prompt' ? /^Configuration file '[^'\n]{1,200}'$/m.exec(output)?.[0] : undefined;
        return { kind, message: bounded(file ? `${file}: ${line}` : line) };
      }
    }
  }
  const last = output
    .split('\n')
    .filter((l) => /^E: /.test(l))
    .pop();
  return {
    kind: 'unknown',
    message: bounded(last ?? `apt-get exited with code ${exitCode ?? 'none (killed)'}`),
  };
}

/**
 * Reads `dpkg-query -W -f '${Package}\t${Architecture}\t${db:Status-Abbrev}\t${Version}\n'`: only
 * packages whose status is "installed" count (not unpacked or half-configured: those are not done).
 * Keyed by name, and also by `name:arch` (how multiarch packages are told apart).
 */
export function parseDpkgInstalled(output: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of output.split('\n')) {
    const [name, arch, status, version] = line.split('\t');
    if (!name || !version || !status || status[1] !== 'i' || (status[2] ?? ' ') !== ' ') continue;
    out.set(name, version.trim());
    if (arch) out.set(`${name}:${arch}`, version.trim());
  }
  return out;
}
