import type {
  DryRunPlan,
  InstallFailure,
  InstallFailureKind,
  PlannedChange,
  PreflightCheck,
  PreflightReport,
} from './installer';
import { STALE_LISTS_SECONDS } from './lists-age';
import { UnparseableOutputError } from './types';

/** Marks where the download-size pass of the dry run starts (after the simulation's exit code). */
export const URIS_MARK = '@@patchbay-uris';

const MiB = 1024 * 1024;

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
  const plan: DryRunPlan = {
    upgrades: [],
    installs: [],
    removals: [],
    downloadBytes: null,
    problems: [],
    notes: [],
  };
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

/** One df line of the pre-flight: the path asked for, bytes available, mount point. */
interface Space {
  path: string;
  availBytes: number;
  mount: string;
}

const human = (bytes: number) =>
  bytes >= 10 * 1024 * MiB
    ? `${Math.round(bytes / (1024 * MiB))} GB`
    : bytes >= MiB
      ? `${Math.round(bytes / MiB)} MB`
      : `${Math.ceil(bytes / 1024)} kB`;

/**
 * What each path must have free, from the download size. A heuristic: the archive cache holds the
 * downloads; dpkg unpacks new files beside the old ones on `/` before removing them (about twice the
 * download); /var keeps dpkg's database and logs; a kernel update writes a new initramfs to /boot.
 * Paths on one file system add up.
 */
export function spaceNeeds(downloadBytes: number | null, kernel: boolean): Record<string, number> {
  const d = downloadBytes ?? 0;
  return {
    '/var/cache/apt/archives': d + MiB,
    '/': 2 * d + 100 * MiB,
    '/var': 100 * MiB,
    ...(kernel ? { '/boot': 100 * MiB } : {}),
  };
}

/**
 * Reads the pre-flight script's `key value` lines (see apt-install.ts). `now`, `lists` and `need`
 * come from the host, so list age is measured on the host's own clock.
 */
export function parseAptPreflight(output: string, exitCode: number | null): PreflightReport {
  const lines = output.split('\n');
  const get = (key: string) =>
    lines.filter((l) => l.startsWith(`${key} `)).map((l) => l.slice(key.length + 1));
  const first = (key: string) => get(key)[0]?.trim() ?? '';
  if (!first('uid') && exitCode !== 0) {
    throw new UnparseableOutputError(`the pre-flight script did not run (exit ${exitCode ?? 'none'})`);
  }
  const checks: PreflightCheck[] = [];
  const uid = first('uid');
  checks.push({
    id: 'root',
    ok: uid === '0',
    message: uid === '0' ? 'runs as root' : `commands run as user id ${uid || 'unknown'}, not root`,
  });
  const tools = first('tools');
  checks.push({
    id: 'tool',
    ok: tools === 'apt-get dpkg',
    message: tools === 'apt-get dpkg' ? 'apt-get and dpkg present' : 'apt-get or dpkg is missing',
  });

  const download = /^(\d+|unknown)$/.exec(first('download'))?.[1];
  const downloadBytes = download && download !== 'unknown' ? Number(download) : null;
  const needs = spaceNeeds(downloadBytes, first('kernel') === '1');
  const spaces: Space[] = [];
  for (const v of get('df')) {
    const m = /^(\S+) \S+\s+\d+\s+\d+\s+(\d+)\s+\d+%\s+(.+)$/.exec(v);
    if (m) spaces.push({ path: m[1] ?? '', availBytes: Number(m[2]) * 1024, mount: (m[3] ?? '').trim() });
  }
  const byMount = new Map<string, { avail: number; need: number; paths: string[] }>();
  for (const s of spaces) {
    const need = needs[s.path];
    if (need === undefined) continue;
    const e = byMount.get(s.mount) ?? { avail: s.availBytes, need: 0, paths: [] };
    e.need += need;
    e.paths.push(s.path);
    byMount.set(s.mount, e);
  }
  const short = [...byMount.entries()].filter(([, e]) => e.avail < e.need);
  const missing = Object.keys(needs).filter((p) => !spaces.some((s) => s.path === p));
  checks.push({
    id: 'space',
    ok: short.length === 0 && missing.length === 0,
    message:
      short.length > 0
        ? short
            .map(
              ([mount, e]) =>
                `only ${human(e.avail)} free on ${mount} (${e.paths.join(', ')}), ${human(e.need)} needed`,
            )
            .join('; ')
        : missing.length > 0
          ? `could not read free space of ${missing.join(', ')}`
          : `enough free space${downloadBytes === null ? ' (download size unknown)' : ` for ${human(downloadBytes)} of downloads`}`,
  });

  const held = get('lock').filter((l) => / held /.test(` ${l} `));
  const lockUnknown = get('lock').some((l) => /\bunknown$/.test(l));
  checks.push({
    id: 'lock',
    ok: held.length === 0 && !lockUnknown,
    message:
      held.length > 0
        ? `the package manager is busy: ${held.map((l) => bounded(l.replace(/ held /, ' is held by process '))).join('; ')}`
        : lockUnknown
          ? 'could not tell whether dpkg is locked (/proc/locks unreadable)'
          : 'dpkg is not locked',
  });

  const audit = get('audit')
    .map((l) => l.trim())
    .filter(Boolean);
  // While another dpkg runs, --audit sees its half-done work: say so instead of calling it interrupted.
  const busy = audit.some((l) => /^Another process has locked the database/.test(l));
  const interrupted = audit.filter((l) => /^\S+\s{2,}\S/.test(l)).map((l) => l.split(/\s+/)[0]);
  const journal = first('journal') === '1' && !busy;
  checks.push({
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
  });

  const now = Number(first('now'));
  const lists = Number(first('lists'));
  const ageS = Number.isFinite(now) && Number.isFinite(lists) && lists > 0 ? now - lists : null;
  checks.push({
    id: 'lists',
    ok: ageS !== null && ageS <= STALE_LISTS_SECONDS,
    message:
      ageS === null
        ? 'no package lists found: refresh them first'
        : ageS > STALE_LISTS_SECONDS
          ? `package lists are ${Math.floor(ageS / 86_400)} days old: refresh them first`
          : `package lists are ${ageS < 3600 ? 'less than an hour' : `${Math.floor(ageS / 3600)} hours`} old`,
  });

  const rebootPending = first('reboot') === '1';
  checks.push({
    id: 'reboot-pending',
    // A pending reboot is recorded, not a failure: the rollout's reboot step takes care of it.
    ok: true,
    message: rebootPending ? 'the host was already waiting for a reboot' : 'no reboot pending',
  });
  return {
    checks,
    bootId: /^[0-9a-f-]{36}$/.exec(first('boot'))?.[0] ?? '',
    rebootPending,
    listsStale: ageS === null || ageS > STALE_LISTS_SECONDS,
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
