/**
 * The pre-flight shared by the dnf, yum, zypper, pacman and apk installers: one constant shell script of
 * `key value` lines built from small per-platform fragments, and one reader. Every value the host prints
 * is only compared or shown (bounded), never run.
 */
import { shQuote } from '../ssh/quote';
import type { PlatformInstaller, PreflightCheck, PreflightReport } from './installer';
import { STALE_LISTS_SECONDS } from './lists-age';
import { UnparseableOutputError } from './types';

const MiB = 1024 * 1024;

/** What one platform's pre-flight looks at. */
export interface PreflightSpec {
  /** Programs that must be present, e.g. ['dnf', 'rpm']. */
  tools: string[];
  /** Directories whose free space counts: the package cache, /, /var (and /boot for kernels). */
  paths: (kernel: boolean) => string[];
  /** Shell printing `lock <what> held <pid> <comm>` / `lock <what> free` / `lock <what> stale` lines. */
  locks: string;
  /** Shell printing one `interrupted <text>` line per sign of an interrupted operation (none when clean). */
  interrupted: string;
  /** Shell printing `lists <epoch seconds>` of the newest metadata (0 when none). */
  lists: string;
  /** Shell printing `reboot 1`, `reboot 0` or `reboot unknown`. */
  reboot: string;
  /** Shell printing the boot id (lower-case UUID); Linux's /proc/sys/kernel/random/boot_id when unset. */
  boot?: string;
}

/**
 * Shell for `lock <file> …` of an fcntl lock (dpkg's lock-frontend and lock, rpm's .rpm.lock): looked up in
 * /proc/locks by device:inode (major:minor in hex, as the kernel prints them) — minimal hosts have neither
 * lsof nor fuser. On overlayfs (container roots) stat can name the overlay's own device while /proc/locks
 * names the layer's, so when no line has the exact key, a line with the same inode on any device counts.
 */
export function fcntlLockShell(fileExpr: string): string {
  return `f=${fileExpr}
if [ ! -e "$f" ]; then echo "lock $f free"
elif [ ! -r /proc/locks ]; then echo "lock $f unknown"
else
  dev=$(stat -c %d "$f"); ino=$(stat -c %i "$f")
  key=$(printf '%02x:%02x:%s' $(( (dev >> 8) & 0xfff )) $(( (dev & 0xff) | ((dev >> 12) & 0xfff00) )) "$ino")
  pid=$(grep " $key " /proc/locks | grep -v -- '->' | head -n 1 | sed 's/^[0-9]*: *[A-Z]* *[A-Z]* *[A-Z]* *\\([0-9-]*\\) .*/\\1/')
  [ -n "$pid" ] || pid=$(grep -E " [0-9a-f]+:[0-9a-f]+:$ino " /proc/locks | grep -v -- '->' | head -n 1 | sed 's/^[0-9]*: *[A-Z]* *[A-Z]* *[A-Z]* *\\([0-9-]*\\) .*/\\1/')
  if [ -n "$pid" ]; then echo "lock $f held $pid $(head -c 32 /proc/$pid/comm 2>/dev/null)"; else echo "lock $f free"; fi
fi`;
}

/** Shell for `lock <file> …` of a pid-file lock (dnf's rpmdb_lock.pid, zypp.pid, yum.pid): held while that pid lives. */
export function pidLockShell(file: string): string {
  const f = shQuote(file);
  return `pid=$(head -c 20 ${f} 2>/dev/null | tr -cd 0-9)
if [ -n "$pid" ] && [ -d "/proc/$pid" ]; then echo "lock ${file} held $pid $(head -c 32 /proc/$pid/comm 2>/dev/null)"; else echo "lock ${file} free"; fi`;
}

/** The whole pre-flight script for `spec`. */
export function preflightScript(spec: PreflightSpec, downloadBytes: number | null, kernel: boolean): string {
  const download =
    downloadBytes !== null && Number.isSafeInteger(downloadBytes) && downloadBytes >= 0
      ? String(downloadBytes)
      : 'unknown';
  const tools = spec.tools.map((t) => `command -v ${shQuote(t)} >/dev/null 2>&1 && t="$t ${t}"`);
  return `export LC_ALL=C
echo "uid $(id -u)"
echo "boot $(${spec.boot ?? 'cat /proc/sys/kernel/random/boot_id 2>/dev/null'})"
echo "now $(date +%s)"
echo "download ${download}"
echo "kernel ${kernel ? 1 : 0}"
t=; ${tools.join('; ')}; echo "tools$t"
for p in ${spec.paths(kernel).map(shQuote).join(' ')}; do
  [ -d "$p" ] && df -Pk "$p" 2>/dev/null | tail -n 1 | sed "s|^|df $p |"
done
${spec.locks}
${spec.interrupted}
${spec.lists}
${spec.reboot}
exit 0
`;
}

const bounded = (s: string) => (s.length > 300 ? `${s.slice(0, 297)}...` : s);

const human = (bytes: number) =>
  bytes >= 10 * 1024 * MiB
    ? `${Math.round(bytes / (1024 * MiB))} GB`
    : bytes >= MiB
      ? `${Math.round(bytes / MiB)} MB`
      : `${Math.ceil(bytes / 1024)} kB`;

/**
 * What each path must have free: the first path (the package cache) holds the downloads, / gets the
 * unpacked files beside the old ones (about twice the download, plus room for scriptlets), /var the
 * database and logs, /boot a new kernel and initramfs. Paths on one file system add up. A heuristic, as
 * for apt.
 */
export function spaceNeeds(paths: string[], downloadBytes: number | null): Map<string, number> {
  const d = downloadBytes ?? 0;
  const out = new Map<string, number>();
  paths.forEach((p, i) => {
    if (i === 0) out.set(p, d + MiB);
    else if (p === '/') out.set(p, 2 * d + 100 * MiB);
    else out.set(p, 100 * MiB);
  });
  return out;
}

/** Platform words for the reader's messages. */
export interface PreflightWords {
  /** e.g. 'dnf and rpm'. */
  tools: string;
  /** What to do about an interrupted operation, e.g. 'run dnf history / rpm -Va and clean up duplicates'. */
  interruptedHint: string;
  /** Whether the platform refreshes metadata itself when it is older than its expiry (dnf, zypper). */
  selfRefreshing: boolean;
}

/** The pre-flight's `key value` lines by key (a bare `key` line counts, with an empty value). */
export interface PreflightKeys {
  /** Whether any `key …` line was printed. */
  has(key: string): boolean;
  /** Every value of `key`, in order. */
  get(key: string): string[];
  /** The first value of `key`, trimmed ('' when none). */
  first(key: string): string;
}

/** Splits the pre-flight's output into its `key value` lines (the section reader every platform shares). */
export function preflightKeys(output: string): PreflightKeys {
  const lines = output.split('\n');
  const get = (key: string) =>
    lines.filter((l) => l.startsWith(`${key} `) || l === key).map((l) => l.slice(key.length + 1));
  return {
    has: (key) => lines.some((l) => l.startsWith(`${key} `)),
    get,
    first: (key) => get(key)[0]?.trim() ?? '',
  };
}

/** Reads the pre-flight's `key value` lines into checks. */
export function parsePreflightLines(
  output: string,
  exitCode: number | null,
  spec: PreflightSpec,
  words: PreflightWords,
): PreflightReport {
  const { has, get, first } = preflightKeys(output);
  if (!has('uid')) {
    throw new UnparseableOutputError(`the pre-flight script did not run (exit ${exitCode ?? 'none'})`);
  }
  const present = new Set(first('tools').split(/\s+/).filter(Boolean));
  const absent = spec.tools.filter((t) => !present.has(t));
  const interrupted = get('interrupted')
    .map((l) => bounded(l.trim()))
    .filter(Boolean);
  const reboot = first('reboot');
  const checks: PreflightCheck[] = [
    rootCheck(first('uid')),
    {
      id: 'tool',
      ok: absent.length === 0,
      message: absent.length === 0 ? `${words.tools} present` : `missing on the host: ${absent.join(', ')}`,
    },
    spaceCheck(get('df'), first('download'), spec.paths(first('kernel') === '1'), true),
    lockCheck(get('lock')),
    {
      id: 'interrupted',
      ok: interrupted.length === 0,
      message:
        interrupted.length === 0
          ? 'no interrupted package operation'
          : `an earlier package operation was interrupted (${interrupted.slice(0, 5).join('; ')}): ${words.interruptedHint}`,
    },
    listsCheck(Number(first('now')), Number(first('lists')), words.selfRefreshing),
    rebootCheck(reboot),
  ];
  return {
    checks,
    bootId: bootIdOf(first('boot')),
    rebootPending: reboot === '1',
    listsStale: listsAreStale(Number(first('now')), Number(first('lists'))),
  };
}

/** The boot id the host printed, when it is one (a lower-case UUID); '' otherwise. */
export const bootIdOf = (value: string): string => /^[0-9a-f-]{36}$/.exec(value)?.[0] ?? '';

/** Whether the commands run as root (`uid` line). */
export function rootCheck(uid: string): PreflightCheck {
  return {
    id: 'root',
    ok: uid === '0',
    message: uid === '0' ? 'runs as root' : `commands run as user id ${uid || 'unknown'}, not root`,
  };
}

/**
 * Free space against spaceNeeds for `paths` (the `df` lines). `cacheMayBeMissing`: the first path, the
 * package cache, may not exist yet (never downloaded) — its parent's line then counts.
 */
export function spaceCheck(
  dfLines: string[],
  download: string,
  paths: string[],
  cacheMayBeMissing: boolean,
): PreflightCheck {
  const d = /^(\d+|unknown)$/.exec(download)?.[1];
  const downloadBytes = d && d !== 'unknown' ? Number(d) : null;
  const needs = spaceNeeds(paths, downloadBytes);
  const byMount = new Map<string, { avail: number; need: number; paths: string[] }>();
  const seen = new Set<string>();
  for (const v of dfLines) {
    const m = /^(\S+) \S+\s+\d+\s+\d+\s+(\d+)\s+\d+%\s+(.+)$/.exec(v);
    const need = m ? needs.get(m[1] ?? '') : undefined;
    if (!m || need === undefined) continue;
    seen.add(m[1] ?? '');
    const mount = (m[3] ?? '').trim();
    const e = byMount.get(mount) ?? { avail: Number(m[2]) * 1024, need: 0, paths: [] };
    e.need += need;
    e.paths.push(m[1] ?? '');
    byMount.set(mount, e);
  }
  const short = [...byMount.entries()].filter(([, e]) => e.avail < e.need);
  const missing = [...needs.keys()].filter((p, i) => !(cacheMayBeMissing && i === 0) && !seen.has(p));
  return {
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
  };
}

/** How lockCheck names things: apt says "dpkg" and prints the holder's command name bare. */
export interface LockWords {
  /** What is (not) locked, e.g. 'the package manager' or 'dpkg'. */
  subject: string;
  /** `process 12 (dnf)` rather than `process 12 dnf`. */
  commInParens: boolean;
}

/** The `lock <what> held <pid> <comm>` / `free` / `stale` / `unknown` lines. */
export function lockCheck(
  lockLines: string[],
  words: LockWords = { subject: 'the package manager', commInParens: true },
): PreflightCheck {
  const held = lockLines.filter((l) => /^\S+ held /.test(l));
  const stale = lockLines.filter((l) => /^\S+ stale$/.test(l));
  const unknown = lockLines.filter((l) => /^\S+ unknown$/.test(l));
  const say = (l: string) =>
    bounded(
      words.commInParens
        ? l.replace(/ held (\S+) ?(.*)$/, ' is held by process $1 ($2)')
        : l.replace(/ held /, ' is held by process '),
    );
  return {
    id: 'lock',
    ok: held.length === 0 && stale.length === 0 && unknown.length === 0,
    message:
      held.length > 0
        ? `the package manager is busy: ${held.map(say).join('; ')}`
        : stale.length > 0
          ? `a lock file is left from an interrupted run and no package manager is running: ${stale.map((l) => bounded(l.split(' ')[0] ?? '')).join(', ')} — check the host, then remove it`
          : unknown.length > 0
            ? `could not tell whether ${words.subject} is locked (/proc/locks unreadable)`
            : `${words.subject} is not locked`,
  };
}

/** Whether the repository metadata is missing or older than the limit (`now` and `lists` from the host). */
export function listsAreStale(now: number, lists: number): boolean {
  const ageS = Number.isFinite(now) && Number.isFinite(lists) && lists > 0 ? now - lists : null;
  return ageS === null || ageS > STALE_LISTS_SECONDS;
}

/**
 * The age of the repository metadata (`now` and `lists` both from the host's clock). Platforms that
 * refresh expired metadata themselves (dnf, zypper, pacman -Syu) pass with old lists; apt and apk do not
 * (the engine refreshes stale lists first — installer.refresh — so a repository that is down fails the host
 * before anything changes).
 */
export function listsCheck(now: number, lists: number, selfRefreshing: boolean): PreflightCheck {
  const ageS = Number.isFinite(now) && Number.isFinite(lists) && lists > 0 ? now - lists : null;
  const old = ageS === null || ageS > STALE_LISTS_SECONDS;
  if (selfRefreshing) {
    return {
      id: 'lists',
      ok: true,
      message: old
        ? 'repository metadata is missing or old: it is refreshed before installing'
        : `repository metadata is ${ageS < 3600 ? 'less than an hour' : `${Math.floor(ageS / 3600)} hours`} old`,
    };
  }
  return {
    id: 'lists',
    ok: !old,
    message:
      ageS === null
        ? 'no package lists found: refresh them first'
        : ageS > STALE_LISTS_SECONDS
          ? `package lists are ${Math.floor(ageS / 86_400)} days old: refresh them first`
          : `package lists are ${ageS < 3600 ? 'less than an hour' : `${Math.floor(ageS / 3600)} hours`} old`,
  };
}

/** A pending reboot (`reboot 1|0|unknown`) is recorded, not a failure: the rollout's reboot step takes care of it. */
export function rebootCheck(reboot: string): PreflightCheck {
  return {
    id: 'reboot-pending',
    ok: true,
    message:
      reboot === '1'
        ? 'the host was already waiting for a reboot'
        : reboot === '0'
          ? 'no reboot pending'
          : 'whether a reboot is pending is unknown on this host',
  };
}

/** An installer's pre-flight pair: the script for `spec` and the shared reader with `words`. */
export function installerPreflight(
  spec: PreflightSpec,
  words: PreflightWords,
): Pick<PlatformInstaller, 'preflightCommand' | 'parsePreflight'> {
  return {
    preflightCommand: ({ downloadBytes, kernel }) => preflightScript(spec, downloadBytes, kernel),
    parsePreflight: (output, exitCode) => parsePreflightLines(output, exitCode, spec, words),
  };
}
