import { shQuote } from '../ssh/quote';
import type { SshSession } from '../ssh/types';
import {
  dirOf,
  OPS_DIR,
  type OpStatus,
  parseStart,
  parseStatus,
  type StartOutcome,
  STATUS_SCRIPT,
  utf8WholeLength,
} from './remote-op';
import { parsePruneOps, pruneThenStartCommand } from './remote-op-cleanup';

/**
 * Following a detached operation with one command that waits on the host (remote-op.ts has the layout).
 * A poll every second costs a command per second per host — a channel, its packets, a shell on the host —
 * while almost all of an install is waiting. Here one command stays on the host for up to `waitMs`: every
 * half second it reads the op's status and prints the log bytes that appeared since, so the output streams
 * as it is written; it ends at once when the op finishes (or is lost, or was never started), when
 * `maxBytes` of log were printed, or when `waitMs` has passed. Its last line, after a newline of its own, is
 * `@@patchbay-op <status line>` (the status script's line, see parseStatus); everything before that newline
 * is log. The status is read before the log on each round, so a finished status comes with the whole log.
 *
 * Only the validated id and numbers go into the command; the log reaches this parser only, never a shell.
 * Stopping this command (cancel, a dropped connection, its time limit) never touches the operation.
 */

const TRAILER = '\n@@patchbay-op ';
/** Longest trailer the command prints (status lines are short): bytes held back while streaming. */
const TRAILER_MAX = 64;
/** How often the command looks at the op on the host. */
export const FOLLOW_TICK_MS = 500;
/** The line that ends a follow command's output (after a newline of its own), before the status line. */
export const FOLLOW_TRAILER = TRAILER.slice(1);

const nat = (n: number, what: string) => {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`bad ${what}`);
  return n;
};

/** Shell (root) that follows op `id` from log byte `offset` for up to `waitMs` (see above). */
export function followCommand(
  id: string,
  offset: number,
  maxBytes: number,
  waitMs: number,
  base = OPS_DIR,
): string {
  nat(offset, 'log offset');
  if (nat(maxBytes, 'log chunk size') < 1) throw new Error('bad log chunk size');
  const sleeps = Math.max(1, Math.ceil(nat(waitMs, 'wait') / FOLLOW_TICK_MS));
  return `d=${shQuote(dirOf(id, base))}
opst() {
${STATUS_SCRIPT}
}
off=${offset}; left=${maxBytes}; n=0
while :; do
  s=$(opst)
  case $s in
    running*) k=$((\${s##* } - off)) ;;
    finished*|lost*) k=$left ;;
    *) k=0 ;;
  esac
  [ $k -gt $left ] && k=$left
  if [ $k -gt 0 ] && [ -f "$d/log" ]; then
    tail -c +$((off + 1)) "$d/log" | head -c $k
    off=$((off + k)); left=$((left - k))
  fi
  case $s in running*) ;; *) break ;; esac
  n=$((n + 1))
  [ $left -gt 0 ] && [ $n -le ${sleeps} ] || break
  sleep ${FOLLOW_TICK_MS / 1000} 2>/dev/null || sleep 1
done
printf '\\n${TRAILER.slice(1)}%s\\n' "$s"
exit 0
`;
}

/** Splits a follow command's output into the log bytes and the status. */
export function parseFollow(stdout: Buffer): { status: OpStatus; chunk: Buffer } {
  const at = stdout.lastIndexOf(TRAILER);
  const line = at < 0 ? '' : stdout.subarray(at + TRAILER.length).toString('latin1');
  if (at < 0 || !line.endsWith('\n') || line.indexOf('\n') !== line.length - 1)
    throw new Error('the host did not finish following the operation (no status at the end)');
  return { status: parseStatus(line), chunk: stdout.subarray(0, at) };
}

/**
 * Passes on a follow command's log bytes as they arrive, holding back the last bytes until more come
 * (they may be the trailer): `push` each stdout chunk; `emitted` counts the bytes passed on.
 */
export class FollowStream {
  private held = Buffer.alloc(0);
  emitted = 0;
  constructor(private readonly onLog: (bytes: Buffer) => void) {}
  push(chunk: Buffer): void {
    const all = this.held.length ? Buffer.concat([this.held, chunk]) : chunk;
    const pass = all.length - TRAILER_MAX;
    if (pass <= 0) {
      this.held = Buffer.from(all);
      return;
    }
    this.held = Buffer.from(all.subarray(pass));
    this.emitted += pass;
    this.onLog(all.subarray(0, pass));
  }
}

/**
 * Turns a follow's log bytes into whole UTF-8 characters for `onText` as they stream, tracking the byte
 * offset after them (`at`); `finish` then gives the rest of the command's log chunk. As in readLogText, a
 * character the chunk cuts is left for the next read unless the op ended and the log was read to its end.
 * What `onText` threw (it stores the text) is raised by `finish`, never inside the stream.
 */
class FollowText {
  readonly stream: FollowStream;
  private at: number;
  private pending = Buffer.alloc(0);
  private failed: { err: unknown } | null = null;
  constructor(
    private readonly offset: number,
    private readonly maxBytes: number,
    onText?: (text: string, nextOffset: number) => void,
  ) {
    if (maxBytes < 4) throw new Error('bad log chunk size: a text chunk needs at least 4 bytes');
    this.at = offset;
    this.stream = new FollowStream((bytes) => {
      if (this.failed) return;
      this.pending = this.pending.length ? Buffer.concat([this.pending, bytes]) : Buffer.from(bytes);
      const whole = utf8WholeLength(this.pending);
      if (whole === 0 || !onText) return;
      this.at += whole;
      const text = this.pending.subarray(0, whole).toString('utf8');
      this.pending = Buffer.from(this.pending.subarray(whole));
      this.guard(() => onText(text, this.at));
    });
  }
  /** Runs a callback of the caller's; what it throws ends the stream and is raised by `finish`. */
  guard(fn: () => void): void {
    if (this.failed) return;
    try {
      fn();
    } catch (err) {
      this.failed = { err };
    }
  }
  get broken(): boolean {
    return this.failed !== null;
  }
  /** The status and the log not passed on yet, from the command's whole follow output. */
  finish(out: Buffer): { status: OpStatus; text: string; nextOffset: number } {
    if (this.failed) throw this.failed.err;
    const { status, chunk } = parseFollow(out);
    // What was not passed on yet: the log from `at` (the streamed bytes are the chunk's beginning).
    const rest = chunk.subarray(this.at - this.offset);
    const ended = status.state !== 'running' && chunk.length < this.maxBytes;
    const whole = ended ? rest.length : utf8WholeLength(rest);
    return { status, text: rest.subarray(0, whole).toString('utf8'), nextOffset: this.at + whole };
  }
}

/**
 * Follows op `id` once (root), as text: `onText` gets the log as it streams, in whole UTF-8 characters with
 * the byte offset after them; the result has the rest (from the last offset passed to `onText`, or from
 * `offset`) and the status read last (see FollowText for a character the chunk cuts).
 */
export async function followLogText(
  session: SshSession,
  id: string,
  offset: number,
  maxBytes: number,
  waitMs: number,
  onText?: (text: string, nextOffset: number) => void,
  base = OPS_DIR,
): Promise<{ status: OpStatus; text: string; nextOffset: number }> {
  const follow = new FollowText(offset, maxBytes, onText);
  const r = await session.exec(followCommand(id, offset, maxBytes, waitMs, base), {
    asRoot: true,
    timeoutMs: waitMs + 30_000,
    maxOutputBytes: maxBytes + 4096,
    ...(onText ? { onStdout: (chunk: Buffer) => follow.stream.push(chunk) } : {}),
  });
  return follow.finish(r.stdout);
}

/** The line a start-and-follow command prints once the op is known started (see startFollowCommand). */
export const STARTED_MARK = '@@patchbay-op-started';
const MARK_LINE = Buffer.from(`\n${STARTED_MARK}\n`);
/** Room for the prune's and the start's lines before the mark (a prune prints a line per op removed). */
const HEAD_MAX = 1024 * 1024;

/**
 * Shell (root) that prunes the host's old ops and starts op `id` (pruneThenStartCommand, in a subshell of
 * its own: its `exit` ends that part only), then — only when the op is known started, by this command or
 * any earlier one — prints STARTED_MARK on a line of its own and follows the op from log byte `offset`
 * (followCommand): one command for what took two. Before the mark it prints what the prune and the start
 * print (`pruned <id>` lines, `started <pid>` or `already-started`); a start that failed prints its
 * `failed <why>` line and exits 1 without the mark. The follow part may be stopped at any time (cancel, a
 * dropped connection, its time limit): the op is never touched by it.
 */
export function startFollowCommand(
  id: string,
  script: string,
  timeoutMs: number,
  offset: number,
  maxBytes: number,
  waitMs: number,
  base = OPS_DIR,
): string {
  return `(\n${pruneThenStartCommand(id, script, timeoutMs, base)}) || exit 1
echo ${STARTED_MARK}
${followCommand(id, offset, maxBytes, waitMs, base)}`;
}

/**
 * Starts op `id` and follows it in one command (root; startFollowCommand): `onStarted` is called once, as
 * soon as the host printed the mark — before any log is passed to `onText` — so the caller can record the
 * start as confirmed while the same command goes on following; then as followLogText. Without the mark the
 * start is not confirmed (it failed, or the answer was cut off — a later start of the same id tells): the
 * host's reason is thrown, or that it did not confirm, and `onStarted` is never called. What `onStarted`
 * throws ends the streaming and is thrown at the end.
 */
export async function startFollowLogText(
  session: SshSession,
  op: { id: string; script: string; timeoutMs: number },
  offset: number,
  maxBytes: number,
  waitMs: number,
  onStarted: () => void,
  onText?: (text: string, nextOffset: number) => void,
  base = OPS_DIR,
): Promise<{ start: StartOutcome; pruned: string[]; status: OpStatus; text: string; nextOffset: number }> {
  const follow = new FollowText(offset, maxBytes, onText);
  let head = Buffer.from('\n');
  let pushed = 0;
  /** Where the follow's output starts in stdout, once the mark was seen. */
  let from = -1;
  const push = (chunk: Buffer) => {
    pushed += chunk.length;
    if (from >= 0) return follow.stream.push(chunk);
    head = Buffer.concat([head, chunk]);
    const at = head.indexOf(MARK_LINE);
    if (at < 0) return;
    from = at + MARK_LINE.length - 1;
    follow.guard(onStarted);
    if (!follow.broken && head.length > from + 1) follow.stream.push(head.subarray(from + 1));
  };
  const command = startFollowCommand(op.id, op.script, op.timeoutMs, offset, maxBytes, waitMs, base);
  const r = await session.exec(command, {
    asRoot: true,
    timeoutMs: waitMs + 60_000,
    maxOutputBytes: HEAD_MAX + maxBytes + 4096,
    onStdout: push,
  });
  // A session that hands over the output only at the end: read it the same way.
  if (r.stdout.length > pushed) push(r.stdout.subarray(pushed));
  if (from < 0) {
    parseStart(r.stdout.toString('utf8'));
    throw new Error('the host did not confirm the start of the operation');
  }
  // The prune's and the start's lines: what came before the mark's line.
  const before = r.stdout.subarray(0, from - STARTED_MARK.length - 1).toString('utf8');
  const rest = follow.finish(r.stdout.subarray(from));
  return { start: parseStart(before), pruned: parsePruneOps(before), ...rest };
}
