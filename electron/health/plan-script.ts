import crypto from 'node:crypto';

import { SshError } from '../ssh/errors';
import type { SshSession } from '../ssh/types';
import { cleanLine } from './check-results';

/** Bytes of a script's output kept for the rollout log: the head (the rest is read and dropped on the host). */
export const SCRIPT_OUTPUT_MAX = 64 * 1024;

/**
 * The wrapper a plan script runs in, as root. The script text arrives on stdin (never in argv, where `ps`
 * would show it and ARG_MAX would limit it) and is written to a file in a fresh 0700 directory first, so
 * the script itself runs with stdin from /dev/null: a command in it that reads stdin cannot eat the rest of
 * the script. Its output goes through `head -c`, and the rest is drained rather than cut, so a chatty script
 * is never killed by SIGPIPE halfway; its exit code is kept in a file because the pipe loses it.
 */
export const SCRIPT_WRAPPER = [
  'd=$(mktemp -d) || exit 125',
  'trap \'rm -rf "$d"\' EXIT',
  'cat >"$d/script" || exit 125',
  `{ /bin/sh "$d/script" </dev/null 2>&1; echo $? >"$d/rc"; } | { head -c ${SCRIPT_OUTPUT_MAX}; cat >/dev/null; }`,
  'exit "$(cat "$d/rc" 2>/dev/null || echo 125)"',
].join('\n');

/** How a plan script ended. */
export type ScriptOutcome = 'ok' | 'failed' | 'timeout' | 'killed' | 'not-run';

/** A plan script's result, for the rollout log and the audit entry. */
export interface ScriptResult {
  outcome: ScriptOutcome;
  /** The script's exit code (ok/failed), else null. */
  exitCode: number | null;
  /** Its stdout and stderr together, at most SCRIPT_OUTPUT_MAX bytes (untrusted text). */
  output: string;
  /** One line in words: "exit 0", "exit 2: cannot stop nginx", "stopped after 30 s (time limit)". */
  summary: string;
  /** sha256 of the script text (hex), the identity the audit log records. */
  sha256: string;
}

/** sha256 of a script's text, hex. */
export const scriptSha256 = (text: string): string =>
  crypto.createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Runs one plan script on an open session as root (sudo when the login is not root) under `timeoutMs`,
 * which the host enforces too (GNU timeout stops the whole process tree, see remote-timeout.ts). Never
 * throws for the host's behaviour — a non-zero exit, a timeout or a refused sudo is an outcome — only when
 * `signal` aborts.
 */
export async function runPlanScript(
  session: SshSession,
  text: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ScriptResult> {
  const sha256 = scriptSha256(text);
  const seconds = Math.round(timeoutMs / 100) / 10;
  try {
    const r = await session.exec(SCRIPT_WRAPPER, {
      asRoot: true,
      stdin: text,
      timeoutMs,
      // The host already bounds the output; this only guards against a host that does not.
      maxOutputBytes: SCRIPT_OUTPUT_MAX + 16 * 1024,
      ...(signal ? { signal } : {}),
    });
    const output = Buffer.concat([r.stdout, r.stderr]).subarray(0, SCRIPT_OUTPUT_MAX).toString('utf8');
    const lines = output.split('\n').filter((l) => l.trim() !== '');
    const last = cleanLine(lines[lines.length - 1] ?? '');
    if (r.code === 0) return { outcome: 'ok', exitCode: 0, output, summary: 'exit 0', sha256 };
    if (r.code === 125) {
      return {
        outcome: 'not-run',
        exitCode: null,
        output,
        summary: 'could not be started (no temporary directory on the host)',
        sha256,
      };
    }
    if (r.code === null || r.code > 128) {
      const how = r.signal ? `killed by ${r.signal}` : `killed (exit ${r.code ?? 'none'})`;
      return { outcome: 'killed', exitCode: null, output, summary: how, sha256 };
    }
    return {
      outcome: 'failed',
      exitCode: r.code,
      output,
      summary: `exit ${r.code}${last ? `: ${last}` : ''}`,
      sha256,
    };
  } catch (err) {
    if (signal?.aborted) throw err;
    if (err instanceof SshError && err.kind === 'timeout' && /did not finish/.test(err.message)) {
      return {
        outcome: 'timeout',
        exitCode: null,
        output: '',
        summary: `stopped after ${seconds} s (time limit)`,
        sha256,
      };
    }
    const why = cleanLine(err instanceof Error ? err.message : String(err));
    return { outcome: 'not-run', exitCode: null, output: '', summary: `could not run: ${why}`, sha256 };
  }
}
