import { shQuote } from './quote';
import type { ExecOptions, SshSession } from './types';

/**
 * Several commands in one round trip, with each one's output framed so that nothing a command prints can
 * pass for another's. On a fleet every command costs a channel, four packets each way and the host's own
 * start-up of a shell; a host's step often needs two or three read-only answers at once (its checks and its
 * dry run). Each part runs in its own `/bin/sh -c` with no stdin, its stdout and stderr going to files in a
 * private temporary directory; then a header line `@@patchbay-part <index> <exit code> <stdout bytes>
 * <stderr bytes>` and the two files' bytes are printed, and at the end `@@patchbay-batch-end <count>`. The
 * parser reads exactly the announced byte counts, so a part's output is never scanned for markers, and
 * anything short, long or out of order is refused. The parts are the callers' own constant commands (built
 * with shQuote/shJoin); the host's output only ever reaches this parser, never a shell.
 */

const PART = '@@patchbay-part';
const END = '@@patchbay-batch-end';

/** One part's result, as a single command's would be. */
export interface BatchPart {
  stdout: Buffer;
  stderr: Buffer;
  code: number;
}

/** The batch's output did not have the shape batchCommand prints. */
export class BatchOutputError extends Error {}

/** Shell that runs `parts` in order (each whatever the others' exit codes) and prints them framed. */
export function batchCommand(parts: readonly string[]): string {
  if (parts.length === 0) throw new Error('a batch needs at least one command');
  const runs = parts.map(
    (part, i) => `/bin/sh -c ${shQuote(part)} </dev/null >"$t/o" 2>"$t/e"; c=$?
printf '${PART} %s %s %s %s\\n' ${i} "$c" $(($(wc -c <"$t/o"))) $(($(wc -c <"$t/e")))
cat "$t/o" "$t/e"`,
  );
  return `t=$(mktemp -d 2>/dev/null) || { echo 'patchbay: cannot create a temporary directory' >&2; exit 1; }
trap 'rm -rf "$t"' EXIT
trap 'exit 129' HUP
trap 'exit 143' TERM
${runs.join('\n')}
echo '${END} ${parts.length}'
`;
}

/** Splits a batch's output into its `count` parts; throws BatchOutputError for anything else. */
export function parseBatch(out: Buffer, count: number): BatchPart[] {
  const parts: BatchPart[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const nl = out.indexOf(0x0a, at);
    const head = nl < 0 ? '' : out.subarray(at, nl).toString('latin1');
    const m = /^@@patchbay-part (\d{1,4}) (\d{1,3}) (\d{1,12}) (\d{1,12})$/.exec(head);
    if (!m || Number(m[1]) !== i) {
      throw new BatchOutputError(
        `the host's answer to ${count} commands in one is cut off or malformed at part ${i + 1}`,
      );
    }
    const o = Number(m[3]);
    const e = Number(m[4]);
    const start = nl + 1;
    if (start + o + e > out.length)
      throw new BatchOutputError(`the host's answer to ${count} commands in one is cut off in part ${i + 1}`);
    parts.push({
      stdout: out.subarray(start, start + o),
      stderr: out.subarray(start + o, start + o + e),
      code: Number(m[2]),
    });
    at = start + o + e;
  }
  if (out.subarray(at).toString('latin1') !== `${END} ${count}\n`)
    throw new BatchOutputError(`the host's answer to ${count} commands in one does not end as it should`);
  return parts;
}

/**
 * Runs `parts` in one command over the session (as root with `asRoot`, all of them) and returns each one's
 * result. A batch cut off by its time limit or the output bound throws as the single command would.
 */
export async function execBatch(
  session: SshSession,
  parts: readonly string[],
  options: ExecOptions = {},
): Promise<BatchPart[]> {
  const r = await session.exec(batchCommand(parts), options);
  if (r.truncated) throw new BatchOutputError('the host printed more than a batch of commands may');
  if (r.code !== 0) {
    const why = r.stderr.toString('utf8').trim().slice(0, 200);
    throw new BatchOutputError(
      `a batch of commands failed on the host (exit ${r.code ?? 'none'}${why ? `: ${why}` : ''})`,
    );
  }
  return parseBatch(r.stdout, parts.length);
}

/**
 * The parts of a command batchCommand built, or null for any other command: for the simulated hosts
 * (electron/demo, the engine's fake hosts), which answer each part as they would answer it alone.
 */
export function splitBatch(command: string): string[] | null {
  const parts: string[] = [];
  const re = /^\/bin\/sh -c ('(?:[^']|'\\'')*') <\/dev\/null >"\$t\/o" 2>"\$t\/e"; c=\$\?$/gm;
  for (const m of command.matchAll(re)) {
    const q = m[1] as string;
    parts.push(q.slice(1, -1).replaceAll(`'\\''`, "'"));
  }
  return parts.length > 0 && batchCommand(parts) === command ? parts : null;
}

/** The output batchCommand prints for these results (the simulated hosts' side of parseBatch). */
export function frameBatch(results: readonly BatchPart[]): Buffer {
  const out: Buffer[] = [];
  results.forEach((p, i) => {
    out.push(
      Buffer.from(`${PART} ${i} ${p.code} ${p.stdout.length} ${p.stderr.length}\n`),
      p.stdout,
      p.stderr,
    );
  });
  out.push(Buffer.from(`${END} ${results.length}\n`));
  return Buffer.concat(out);
}
