import { shQuote } from '../ssh/quote';
import type { SshSession } from '../ssh/types';
import { dirOf, OPS_DIR, type OpStatus, parseStatus, STATUS_SCRIPT, utf8WholeLength } from './remote-op';

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
 * Follows op `id` once (root), as text: `onText` gets the log as it streams, in whole UTF-8 characters with
 * the byte offset after them; the result has the rest (from the last offset passed to `onText`, or from
 * `offset`) and the status read last. As in readLogText, a character the chunk cuts is left for the next
 * read unless the op ended and the log was read to its end.
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
  if (maxBytes < 4) throw new Error('bad log chunk size: a text chunk needs at least 4 bytes');
  let at = offset;
  let pending = Buffer.alloc(0);
  // What `onText` threw (it stores the text): raised once the command is over, never inside the stream.
  let failed: { err: unknown } | null = null;
  const stream = new FollowStream((bytes) => {
    if (failed) return;
    pending = pending.length ? Buffer.concat([pending, bytes]) : Buffer.from(bytes);
    const whole = utf8WholeLength(pending);
    if (whole === 0 || !onText) return;
    at += whole;
    const text = pending.subarray(0, whole).toString('utf8');
    pending = Buffer.from(pending.subarray(whole));
    try {
      onText(text, at);
    } catch (err) {
      failed = { err };
    }
  });
  const r = await session.exec(followCommand(id, offset, maxBytes, waitMs, base), {
    asRoot: true,
    timeoutMs: waitMs + 30_000,
    maxOutputBytes: maxBytes + 4096,
    ...(onText ? { onStdout: (chunk: Buffer) => stream.push(chunk) } : {}),
  });
  if (failed) throw (failed as { err: unknown }).err;
  const { status, chunk } = parseFollow(r.stdout);
  // What was not passed on yet: the log from `at` (the streamed bytes are the chunk's beginning).
  const rest = chunk.subarray(at - offset);
  const ended = status.state !== 'running' && chunk.length < maxBytes;
  const whole = ended ? rest.length : utf8WholeLength(rest);
  return { status, text: rest.subarray(0, whole).toString('utf8'), nextOffset: at + whole };
}
