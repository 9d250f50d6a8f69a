/**
 * Health checks as one POSIX shell script per privilege level, so all checks of a host take one round
 * trip (two when some command checks run as root). Every value from the plan goes in through `sh`/shQuote;
 * the checks' own output is bounded on the host (`tail -c`/`head -c`) and comes back framed by header
 * lines that carry a random nonce, so nothing the host prints is mistaken for a frame by accident.
 *
 * Tool choices, by what a host may have (Debian minbase has bash and, through unattended-upgrades,
 * python3, but neither curl nor wget nor nc):
 * - tcp: bash's /dev/tcp, else python3's socket, else nc -z;
 * - http: curl, else wget (GNU or BusyBox), else python3's urllib; redirects are never followed (a 301 is
 *   reported as such), certificates are verified;
 * - service: `systemctl is-active` only when systemd is running (`/run/systemd/system`, sd_booted(3)),
 *   else OpenRC's rc-service, else the SysV script's `status` (LSB: 0 = running);
 * - each check under GNU `timeout` when the host has it (the same probe as remote-timeout.ts).
 * A check with no tool to run it reports tool `none` and fails as "cannot check".
 */
import type { HealthCheck } from '../../shared/plans';
import { sh } from '../ssh/quote';

/** Bytes of a command's (or a probe's error) output kept: the tail, where the reason usually is. */
export const OUTPUT_TAIL = 2000;
/** Bytes of an HTTP body kept for the `expectBody` match. */
export const BODY_MAX = 64 * 1024;
/** A service status query's limit (the schema has none: status queries are quick). */
export const SERVICE_TIMEOUT_SEC = 30;

/** Where each part of a check's frame ends up. */
export type FramePart = 'out' | 'head' | 'body';

// A few hundred bytes of Python, passed as one argument: no file is written on the host.
const PY_TCP = [
  'import socket,sys',
  'try:',
  ' socket.create_connection((sys.argv[1],int(sys.argv[2])),timeout=float(sys.argv[3])).close()',
  'except Exception as e:',
  ' print(e or type(e).__name__);sys.exit(1)',
].join('\n');

const PY_HTTP = [
  'import sys,urllib.request,urllib.error',
  'class R(urllib.request.HTTPRedirectHandler):',
  ' def redirect_request(self,*a,**k): return None',
  'try:',
  ' r=urllib.request.build_opener(R).open(sys.argv[1],timeout=float(sys.argv[2]))',
  'except urllib.error.HTTPError as e:',
  ' r=e',
  'except Exception as e:',
  " print(getattr(e,'reason',None) or e,file=sys.stderr);sys.exit(1)",
  "print('HTTP/1.1 %d'%r.getcode(),file=sys.stderr)",
  'sys.stdout.buffer.write(r.read(int(sys.argv[3])))',
].join('\n');

/** Unit types only systemd knows: without systemd such a check cannot be evaluated. */
const SYSTEMD_ONLY = /\.(socket|timer|target|mount|automount|path|slice|scope|device|swap)$|@/;

/** The SysV/OpenRC name of a systemd unit (`nginx.service` → `nginx`), or null when it has none. */
export function initScriptName(unit: string): string | null {
  if (SYSTEMD_ONLY.test(unit)) return null;
  const name = unit.replace(/\.service$/, '');
  // The schema forbids '/', so only the directory's own entries are left to refuse.
  return name === '' || name === '.' || name === '..' || name.includes('\\') ? null : name;
}

/** Emits one frame header; the part's bounded text follows it. */
const frame = (i: number, part: FramePart, tool: string, rc: string) =>
  `printf '\\n%s %s %s %s %s\\n' "$N" ${i} ${part} "${tool}" "${rc}"`;

function commandCheck(i: number, c: Extract<HealthCheck, { kind: 'command' }>): string[] {
  return [
    sh`lim ${c.timeoutSec} /bin/sh -c ${c.command} </dev/null >"$d/o" 2>&1; rc=$?`,
    frame(i, 'out', 'sh', '$rc'),
    `tail -c ${OUTPUT_TAIL} "$d/o"`,
  ];
}

function tcpCheck(i: number, c: Extract<HealthCheck, { kind: 'tcp' }>): string[] {
  const s = c.timeoutSec;
  return [
    sh`h=${c.host}; p=${String(c.port)}`,
    'if command -v bash >/dev/null 2>&1; then t=bash',
    `  lim ${s} bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$h" "$p" </dev/null >"$d/o" 2>&1; rc=$?`,
    'elif command -v python3 >/dev/null 2>&1; then t=python3',
    sh`  lim ${s} python3 -c ${PY_TCP} "$h" "$p" ${s} </dev/null >"$d/o" 2>&1; rc=$?`,
    'elif command -v nc >/dev/null 2>&1; then t=nc',
    `  lim ${s} nc -z -w ${s} "$h" "$p" </dev/null >"$d/o" 2>&1; rc=$?`,
    'else t=none; rc=127; : >"$d/o"; fi',
    frame(i, 'out', '$t', '$rc'),
    `tail -c ${OUTPUT_TAIL} "$d/o"`,
  ];
}

function httpCheck(i: number, c: Extract<HealthCheck, { kind: 'http' }>): string[] {
  const s = c.timeoutSec;
  // The body goes through head -c, then the rest is drained so the fetcher never dies of SIGPIPE before
  // it wrote its status; the fetcher's exit code is kept in a file because a pipe loses it.
  const bounded = `| { head -c ${BODY_MAX} >"$d/b"; cat >/dev/null; }`;
  return [
    sh`u=${c.url}; : >"$d/h"; : >"$d/b"; echo 127 >"$d/rc"`,
    'if command -v curl >/dev/null 2>&1; then t=curl',
    `  { lim ${s} curl -q -sS -o - -D "$d/h" --max-time ${s} --proto =http,https "$u" </dev/null 2>"$d/o"; echo $? >"$d/rc"; } ${bounded}`,
    "elif wget --version 2>/dev/null | grep -q 'GNU Wget'; then t=wget",
    `  { lim ${s} wget -nv -S -O - --timeout=${s} --tries=1 --max-redirect=0 --content-on-error "$u" </dev/null 2>"$d/o"; echo $? >"$d/rc"; } ${bounded}`,
    'elif command -v wget >/dev/null 2>&1; then t=busybox-wget',
    `  { lim ${s} wget -q -S -O - -T ${s} "$u" </dev/null 2>"$d/o"; echo $? >"$d/rc"; } ${bounded}`,
    'elif command -v python3 >/dev/null 2>&1; then t=python3',
    sh`  { lim ${s} python3 -c ${PY_HTTP} "$u" ${s} ${BODY_MAX} </dev/null 2>"$d/o"; echo $? >"$d/rc"; }` +
      ` ${bounded}`,
    'else t=none; : >"$d/o"; fi',
    'rc=$(cat "$d/rc")',
    frame(i, 'out', '$t', '$rc'),
    `tail -c ${OUTPUT_TAIL} "$d/o"`,
    frame(i, 'head', '$t', '$rc'),
    `tail -c ${OUTPUT_TAIL} "$d/h"`,
    frame(i, 'body', '$t', '$rc'),
    'cat "$d/b"',
  ];
}

function serviceCheck(i: number, c: Extract<HealthCheck, { kind: 'service' }>): string[] {
  const name = initScriptName(c.unit);
  const lim = `lim ${SERVICE_TIMEOUT_SEC}`;
  const fallback = name
    ? [
        'elif command -v rc-service >/dev/null 2>&1; then t=openrc',
        `  ${lim} rc-service "$n" status </dev/null >"$d/o" 2>&1; rc=$?`,
        'elif [ -f "/etc/init.d/$n" ] && [ -x "/etc/init.d/$n" ]; then t=sysv',
        `  ${lim} "/etc/init.d/$n" status </dev/null >"$d/o" 2>&1; rc=$?`,
      ]
    : [];
  return [
    sh`u=${c.unit}`,
    ...(name ? [sh`n=${name}`] : []),
    'if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then t=systemd',
    `  ${lim} systemctl is-active -- "$u" </dev/null >"$d/o" 2>&1; rc=$?`,
    ...fallback,
    'else t=none; rc=127; : >"$d/o"; fi',
    frame(i, 'out', '$t', '$rc'),
    `tail -c ${OUTPUT_TAIL} "$d/o"`,
  ];
}

/**
 * The script that runs `checks` (numbered by their index in `indexes`) and frames their results with
 * `nonce` ([a-z0-9]+). The first frame line says whether GNU timeout limits each check (`env timeout` or
 * `env none`), because without it a timed-out check looks like any other failure.
 */
export function checkScript(nonce: string, checks: { index: number; check: HealthCheck }[]): string {
  if (!/^[a-z0-9]{8,64}$/.test(nonce)) throw new Error('a frame nonce is 8–64 lowercase letters or digits');
  const lines = [
    `N=${nonce}`,
    // A login user's PATH on Debian lacks the sbin directories, where rc-service, start-stop-daemon and
    // many init scripts' helpers live; service(8) runs status queries with this full PATH too.
    'PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"; export PATH',
    'd=$(mktemp -d 2>/dev/null || mktemp -d -t pbhc.XXXXXX) || { printf \'\\n%s env nodir\\n\' "$N"; exit 0; }',
    'trap \'rm -rf "$d"\' EXIT',
    "trap 'exit 143' TERM INT HUP",
    'if timeout --kill-after=1s 10s true >/dev/null 2>&1; then T=timeout; else T=; fi',
    'lim() { s=$1; shift; if [ -n "$T" ]; then timeout --kill-after=2s "${s}s" "$@"; else "$@"; fi; }',
    `printf '\\n%s env %s\\n' "$N" "\${T:-none}"`,
  ];
  for (const { index, check } of checks) {
    if (check.kind === 'command') lines.push(...commandCheck(index, check));
    else if (check.kind === 'tcp') lines.push(...tcpCheck(index, check));
    else if (check.kind === 'http') lines.push(...httpCheck(index, check));
    else lines.push(...serviceCheck(index, check));
  }
  return lines.join('\n') + '\n';
}

/** One check's raw result as the host framed it. */
export interface RawCheck {
  tool: string;
  /** The probe's exit code; NaN when the host printed something that is not a number. */
  rc: number;
  out: string;
  head: string;
  body: string;
}

/** What came back: whether checks ran under GNU timeout, and each check's frames by index. */
export interface ParsedFrames {
  limited: boolean | null;
  /** 'nodir' when the host could not make a temporary directory. */
  env: string | null;
  checks: Map<number, RawCheck>;
}

/**
 * Splits the script's stdout into frames. Only header lines with the nonce count; text before the first
 * one is ignored. Each part's text loses the newline the next header put before itself.
 */
export function parseFrames(stdout: string, nonce: string): ParsedFrames {
  const re = new RegExp(`\\n${nonce} (env (\\S+)|(\\d+) (out|head|body) (\\S+) (\\S*))\\n`, 'g');
  const result: ParsedFrames = { limited: null, env: null, checks: new Map() };
  let m: RegExpExecArray | null;
  let open: { raw: RawCheck; part: FramePart; from: number } | null = null;
  const close = (until: number) => {
    if (open) open.raw[open.part] = stdout.slice(open.from, until);
  };
  while ((m = re.exec(stdout)) !== null) {
    close(m.index);
    open = null;
    if (m[2] !== undefined) {
      result.env = m[2];
      result.limited = m[2] === 'timeout' ? true : m[2] === 'none' ? false : null;
      continue;
    }
    const index = Number(m[3]);
    const raw = result.checks.get(index) ?? { tool: m[5] ?? '', rc: Number.NaN, out: '', head: '', body: '' };
    raw.tool = m[5] ?? raw.tool;
    raw.rc = /^\d{1,3}$/.test(m[6] ?? '') ? Number(m[6]) : Number.NaN;
    result.checks.set(index, raw);
    open = { raw, part: m[4] as FramePart, from: re.lastIndex };
  }
  close(stdout.length);
  for (const raw of result.checks.values()) {
    for (const p of ['out', 'head', 'body'] as const) raw[p] = raw[p].replace(/\n$/, '');
  }
  return result;
}
