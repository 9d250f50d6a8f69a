import { sleepOrAbort } from '../core/sleep';
import { shQuote } from '../ssh/quote';
import { killAfterMs } from '../ssh/remote-timeout';
import type { SshSession } from '../ssh/types';

/**
 * Detached operations on a host. A package install must survive a dropped connection, a closed laptop
 * and a crash of Patchbay: killing dpkg halfway is exactly what leaves a host broken. So an install runs
 * in a session of its own on the host, writes its output to a file and its exit code to another, and
 * Patchbay only ever starts it once, polls its state and reads its log back.
 *
 * Layout, all root-only: /var/lib/patchbay/ops/<id>/
 *   script  the operation (run with /bin/sh)   run   the constant wrapper below
 *   boot    boot id when launched              pid   "<pid> <start time>" of the wrapper
 *   child   the same for the command it runs   launcher  the same for the start command
 *   log     stdout+stderr
 *   exit    exit code, written once at the end (tmp + mv)
 * Creating the directory with `mkdir` (never -p) is the atomic "started" record: a second start of the
 * same id finds it and does nothing, whatever happened in between.
 *
 * Every script here is constant text plus the validated id and numbers; nothing a host printed is
 * ever put into a command.
 */

/** Where operations live on the host. */
export const OPS_DIR = '/var/lib/patchbay/ops';

const ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Whether `id` may name an operation (it becomes a directory name on the host). */
export function validOpId(id: string): boolean {
  return ID.test(id);
}

const BASE = /^\/[A-Za-z0-9._/-]{1,200}$/;

/** An operation's directory under `base`; throws for an id or base that is not a safe name. */
export function dirOf(id: string, base: string): string {
  if (!validOpId(id)) throw new Error(`not a valid operation id: ${JSON.stringify(id)}`);
  if (!BASE.test(base) || base.includes('..')) throw new Error(`not a valid operations directory: ${base}`);
  return `${base}/${id}`;
}

/** Seconds as GNU timeout reads them. */
const secs = (ms: number) => `${Math.max(1, Math.ceil(ms / 1000))}s`;

/** Prints the start time (field 22 of /proc/<pid>/stat, after the command name) of pid $1. */
const START_TIME = `stt() { [ -r "/proc/$1/stat" ] && sed 's/^.*) //' "/proc/$1/stat" | cut -d' ' -f20; }`;

/**
 * The wrapper that runs detached: records its own pid and start time (so a reused pid after a reboot
 * is not mistaken for it), runs the script under GNU timeout when usable (in its own process group, so
 * the whole tree stops at the limit), records that child too (so a wrapper killed on its own does not
 * make a still-running install look lost), and writes the exit code atomically. $1 = dir, $2 = limit,
 * $3 = kill-after.
 */
const WRAPPER = `d=$1
trap '' HUP
cd /
${START_TIME}
printf '%s %s\\n' "$$" "$(stt $$)" > "$d/pid.tmp" && mv -f "$d/pid.tmp" "$d/pid"
lim=0
if timeout --kill-after=1s 10s true >/dev/null 2>&1; then
  lim=1
  timeout --kill-after="$3" "$2" /bin/sh "$d/script" &
else
  /bin/sh "$d/script" &
fi
c=$!
printf '%s %s\\n' "$c" "$(stt $c)" > "$d/child.tmp" && mv -f "$d/child.tmp" "$d/child"
wait "$c"; rc=$?
if [ $lim = 1 ]; then
  case $rc in
    124) printf '\\n[patchbay] stopped: ran past its time limit of %s\\n' "$2" ;;
    137) printf '\\n[patchbay] killed (SIGKILL): past its time limit of %s, or by the system\\n' "$2" ;;
  esac
fi
printf '%s\\n' "$rc" > "$d/exit.tmp" && mv -f "$d/exit.tmp" "$d/exit"
`;

/**
 * Shell (root) that starts `script` as operation `id`, detached, limited to `timeoutMs` on the host.
 * Prints `started <pid>`, `already-started`, or `failed <why>` (exit 1). Returns as soon as the wrapper
 * has recorded its own and its command's pid: the SSH channel never waits for the operation.
 */
export function startOpCommand(id: string, script: string, timeoutMs: number, base = OPS_DIR): string {
  const d = dirOf(id, base);
  // HUP ignored: once the directory exists the operation counts as started, so a connection that drops
  // now must not stop the launch half-way.
  return `set -u
trap '' HUP
umask 077
${START_TIME}
d=${shQuote(d)}
mkdir -p ${shQuote(base)} || { echo 'failed cannot create the operations directory'; exit 1; }
chmod 700 ${shQuote(base)} "$(dirname ${shQuote(base)})" 2>/dev/null
if ! mkdir "$d" 2>/dev/null; then
  if [ -d "$d" ]; then echo already-started; exit 0; fi
  echo 'failed cannot create the operation directory'; exit 1
fi
printf '%s %s\\n' "$$" "$(stt $$)" > "$d/launcher"
cat /proc/sys/kernel/random/boot_id > "$d/boot" 2>/dev/null || : > "$d/boot"
printf '%s\\n' ${shQuote(script)} > "$d/script"
printf '%s' ${shQuote(WRAPPER)} > "$d/run"
: > "$d/log"
if command -v setsid >/dev/null 2>&1; then
  setsid /bin/sh "$d/run" "$d" ${secs(timeoutMs)} ${secs(killAfterMs(timeoutMs))} </dev/null >>"$d/log" 2>&1 &
else
  nohup /bin/sh "$d/run" "$d" ${secs(timeoutMs)} ${secs(killAfterMs(timeoutMs))} </dev/null >>"$d/log" 2>&1 &
fi
i=0
while [ ! -s "$d/child" ] && [ ! -f "$d/exit" ] && [ $i -lt 100 ]; do sleep 0.1 2>/dev/null || sleep 1; i=$((i+1)); done
if [ -s "$d/pid" ]; then set -- $(cat "$d/pid"); echo "started $1"; exit 0; fi
echo 'failed the operation did not start'; exit 1
`;
}

/** What the start command said. */
export type StartOutcome = { kind: 'started'; pid: number } | { kind: 'already-started' };

/** Reads the start command's output; throws with the host's reason when it did not start. */
export function parseStart(stdout: string): StartOutcome {
  const line = stdout.trim().split('\n').pop() ?? '';
  const m = /^started (\d+)$/.exec(line);
  if (m) return { kind: 'started', pid: Number(m[1]) };
  if (line === 'already-started') return { kind: 'already-started' };
  throw new Error(`the operation could not be started: ${line.slice(0, 200) || 'no answer'}`);
}

/**
 * Status script: prints one line, `unknown`, `finished <code> <logBytes>`, `running <logBytes>` or
 * `lost <logBytes>`. Running = the wrapper or the command it started is still alive: same boot id, the
 * pid exists and has the start time recorded at launch (a pid reused after a reboot has another).
 * Lost = started, no exit code, and neither is alive (or the start command died before launching).
 * Reads the directory from `$d`.
 */
export const STATUS_SCRIPT = `${START_TIME}
alive() {
  [ -s "$d/$1" ] || return 1
  set -- $(cat "$d/$1")
  kill -0 "$1" 2>/dev/null || return 1
  [ -z "\${2:-}" ] || [ ! -r "/proc/$1/stat" ] || [ "$(stt "$1")" = "$2" ]
}
if [ ! -d "$d" ]; then echo unknown; else
sz=$(wc -c 2>/dev/null < "$d/log" | tr -d ' '); sz=\${sz:-0}
if [ -f "$d/exit" ]; then echo "finished $(cat "$d/exit") $sz"; else
up=0
if [ "$(cat /proc/sys/kernel/random/boot_id 2>/dev/null)" = "$(cat "$d/boot" 2>/dev/null)" ]; then
  # No pid file yet: running while the launcher is still at it, lost if the launcher died first.
  if [ ! -s "$d/pid" ]; then { [ ! -s "$d/launcher" ] || alive launcher; } && up=1
  elif alive pid || alive child; then up=1; fi
fi
if [ -f "$d/exit" ]; then echo "finished $(cat "$d/exit") $sz"
elif [ $up = 1 ]; then echo "running $sz"; else echo "lost $sz"; fi
fi; fi`;

/** Shell (root) that prints an operation's status line (see parseStatus). */
export function opStatusCommand(id: string, base = OPS_DIR): string {
  return `d=${shQuote(dirOf(id, base))}\n${STATUS_SCRIPT}\n`;
}

/** An operation's state on the host. */
export type OpStatus =
  | { state: 'unknown' }
  | { state: 'running'; logBytes: number }
  | { state: 'finished'; exitCode: number; logBytes: number }
  | { state: 'lost'; logBytes: number };

/** Reads a status line; throws on anything else (the host printed something unexpected). */
export function parseStatus(line: string): OpStatus {
  const s = line.trim();
  if (s === 'unknown') return { state: 'unknown' };
  let m = /^finished (\d{1,3}) (\d{1,15})$/.exec(s);
  if (m) return { state: 'finished', exitCode: Number(m[1]), logBytes: Number(m[2]) };
  m = /^(running|lost) (\d{1,15})$/.exec(s);
  if (m) return { state: m[1] as 'running' | 'lost', logBytes: Number(m[2]) };
  throw new Error(`unexpected operation status from the host: ${JSON.stringify(s.slice(0, 120))}`);
}

/**
 * Shell (root) that prints the status line, then up to `maxBytes` of the log from byte `offset`: one
 * round trip per poll. The log is read after the status, so a finished status always comes with a log
 * that is complete.
 */
export function pollCommand(id: string, offset: number, maxBytes: number, base = OPS_DIR): string {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new Error('bad log offset');
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new Error('bad log chunk size');
  return `${opStatusCommand(id, base)}[ -f "$d/log" ] && tail -c +${offset + 1} "$d/log" | head -c ${maxBytes}\nexit 0\n`;
}

/** Splits a poll's output into the status and the log chunk (raw bytes). */
export function parsePoll(stdout: Buffer): { status: OpStatus; chunk: Buffer } {
  const nl = stdout.indexOf(0x0a);
  if (nl < 0) throw new Error('the host did not answer the operation poll');
  return { status: parseStatus(stdout.subarray(0, nl).toString('latin1')), chunk: stdout.subarray(nl + 1) };
}

/** Starts an operation through an open session (root). */
export async function startOp(
  session: SshSession,
  id: string,
  script: string,
  timeoutMs: number,
): Promise<StartOutcome> {
  const r = await session.exec(startOpCommand(id, script, timeoutMs), { asRoot: true, timeoutMs: 30_000 });
  return parseStart(r.stdout.toString('utf8'));
}

/** Reads an operation's status (root). */
export async function opStatus(session: SshSession, id: string): Promise<OpStatus> {
  const r = await session.exec(opStatusCommand(id), { asRoot: true, timeoutMs: 30_000 });
  return parseStatus(r.stdout.toString('latin1'));
}

/** Reads up to `maxBytes` of an operation's log from `offset` (root). */
export async function readLog(
  session: SshSession,
  id: string,
  offset: number,
  maxBytes: number,
  base = OPS_DIR,
): Promise<{ status: OpStatus; chunk: Buffer }> {
  const r = await session.exec(pollCommand(id, offset, maxBytes, base), {
    asRoot: true,
    timeoutMs: 30_000,
    maxOutputBytes: maxBytes + 4096,
  });
  return parsePoll(r.stdout);
}

/**
 * How many leading bytes of `b` hold whole UTF-8 characters: a character cut by the end of the chunk is
 * left out, so decoding per chunk never garbles it (the next read starts at its first byte). Bytes that are
 * no UTF-8 at all are kept (they decode to U+FFFD either way).
 */
export function utf8WholeLength(b: Buffer): number {
  // A character is at most 4 bytes: only the last 3 can belong to one that is cut.
  for (let i = b.length - 1; i >= 0 && i >= b.length - 4; i--) {
    const c = b[i] as number;
    if ((c & 0xc0) === 0x80) continue; // a continuation byte: look further back for the lead byte
    const size = c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : c < 0xf8 ? 4 : 1;
    return i + size > b.length ? i : b.length;
  }
  return b.length;
}

/**
 * Reads an operation's log as text from byte `offset` (root). A character the chunk cuts in two is read
 * whole by the next call — `nextOffset` stops before it — so the stored offset stays a byte offset and a
 * resumed rollout needs no decoder state. Once the operation ended and this read reached the log's end, all
 * bytes are taken: a cut character there can never be completed.
 */
export async function readLogText(
  session: SshSession,
  id: string,
  offset: number,
  maxBytes: number,
  base = OPS_DIR,
): Promise<{ status: OpStatus; text: string; nextOffset: number }> {
  // A smaller chunk may hold no whole character at all, and the reader would never move on.
  if (maxBytes < 4) throw new Error('bad log chunk size: a text chunk needs at least 4 bytes');
  const { status, chunk } = await readLog(session, id, offset, maxBytes, base);
  const ended = status.state !== 'running' && chunk.length < maxBytes;
  const whole = ended ? chunk.length : utf8WholeLength(chunk);
  return { status, text: chunk.subarray(0, whole).toString('utf8'), nextOffset: offset + whole };
}

/** Keeps the last `limit` bytes of a stream while counting all of them. */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private kept = 0;
  /** Every byte ever pushed. */
  total = 0;
  constructor(private readonly limit: number) {}
  /** Adds bytes, dropping the oldest beyond the limit. */
  push(chunk: Buffer): void {
    this.total += chunk.length;
    this.chunks.push(chunk);
    this.kept += chunk.length;
    while (this.kept > this.limit && this.chunks.length > 0) {
      const first = this.chunks[0] as Buffer;
      const over = this.kept - this.limit;
      if (first.length <= over) {
        this.chunks.shift();
        this.kept -= first.length;
      } else {
        this.chunks[0] = first.subarray(over);
        this.kept -= over;
      }
    }
  }
  /** The kept tail as text (invalid UTF-8 replaced). */
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** How a followed operation ended (or where following stopped). */
export interface FollowResult {
  state: 'finished' | 'lost' | 'unknown' | 'cancelled';
  exitCode: number | null;
  /** The last `keepBytes` of the log. */
  output: string;
  /** All log bytes read, including those no longer kept. */
  outputBytes: number;
}

/** Options of {@link followOp}. */
export interface FollowOptions {
  /** Each new piece of the log, as it arrives. */
  onOutput?: (chunk: Buffer) => void;
  /** Stops following (never the operation itself). */
  signal?: AbortSignal;
  /** Pause between polls; default 1 s. */
  pollMs?: number;
  /** Bytes of the log kept for the result; default 256 KiB. */
  keepBytes?: number;
  /** Start reading the log here (a resumed follow that already has the beginning). */
  fromOffset?: number;
  /** Log bytes read per poll; default 256 KiB. */
  chunkBytes?: number;
  /** Where operations live on the host (tests); default OPS_DIR. */
  base?: string;
}

/**
 * Polls an operation until it finished or is lost, streaming its log. Cancelling stops the polling
 * only: the operation keeps running on the host and can be followed again later from any offset.
 */
export async function followOp(
  session: SshSession,
  id: string,
  opts: FollowOptions = {},
): Promise<FollowResult> {
  const tail = new TailBuffer(opts.keepBytes ?? 256 * 1024);
  const chunkBytes = opts.chunkBytes ?? 256 * 1024;
  let offset = opts.fromOffset ?? 0;
  const result = (state: FollowResult['state'], exitCode: number | null): FollowResult => ({
    state,
    exitCode,
    output: tail.text(),
    outputBytes: tail.total,
  });
  for (;;) {
    if (opts.signal?.aborted) return result('cancelled', null);
    const { status, chunk } = await readLog(session, id, offset, chunkBytes, opts.base);
    if (chunk.length > 0) {
      offset += chunk.length;
      tail.push(chunk);
      opts.onOutput?.(chunk);
    }
    // More log to read than one chunk: read on before deciding, so no output is lost at the end.
    if (status.state !== 'unknown' && offset < status.logBytes) continue;
    if (status.state === 'finished') return result('finished', status.exitCode);
    if (status.state === 'lost' || status.state === 'unknown') return result(status.state, null);
    await sleepOrAbort(opts.pollMs ?? 1000, opts.signal);
  }
}
