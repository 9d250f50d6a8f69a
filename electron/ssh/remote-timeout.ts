import { shQuote } from './quote';

/**
 * Whether the host itself enforced a root command's time limit: 'timeout' when GNU coreutils `timeout`
 * ran it, 'none' when the host has no usable `timeout` (macOS, BusyBox, very old coreutils) and only
 * Patchbay's own limit applied.
 */
export type RemoteLimit = 'timeout' | 'none';

/** How long after SIGTERM the host sends SIGKILL: a tenth of the limit, at least 1 s, at most 30 s. */
export function killAfterMs(timeoutMs: number): number {
  return Math.min(30_000, Math.max(1_000, Math.ceil(timeoutMs / 10)));
}

/** A duration as GNU `timeout` reads it (decimal seconds with a unit). */
function seconds(ms: number): string {
  return `${(Math.max(ms, 1) / 1000).toFixed(3)}s`;
}

/**
 * Wraps a POSIX shell script so that the host stops it after `timeoutMs`: sshd cannot signal a command
 * that runs as root through sudo (it signals as the login user), so closing the channel or sending a
 * signal leaves a silent root command running. GNU `timeout` runs the script in a new process group and,
 * when the limit passes, sends SIGTERM to the whole group, then SIGKILL `killAfterMs` later to whatever
 * ignored it — the whole tree goes, except processes that left the group on purpose (daemons a package
 * starts with setsid, which must outlive the command anyway).
 *
 * Only GNU `timeout` is used: the probe runs it with `--kill-after`, which BusyBox's applet refuses (it
 * also signals only its direct child, not the group) and macOS does not have at all. There the script
 * runs as before, limited only from Patchbay's side: the channel is closed and SIGKILL requested, which
 * stops a command of a root login, while one under sudo keeps running until it next writes (SIGPIPE) or
 * finishes. The wrapper prints `tag` and which of the two happened as the first line on stderr.
 */
export function withRemoteTimeout(script: string, timeoutMs: number, tag: string): string {
  return remoteTimeoutParts(script, timeoutMs, tag).join('');
}

/**
 * withRemoteTimeout's text in parts, the quoted script (twice, the same string) a part of its own: for
 * shQuoteJoined, which then escapes it once when the whole is quoted again.
 */
export function remoteTimeoutParts(script: string, timeoutMs: number, tag: string): string[] {
  const inner = shQuote(script);
  const limit = `--kill-after=${seconds(killAfterMs(timeoutMs))} ${seconds(timeoutMs)}`;
  return [
    'if timeout --kill-after=1s 10s true >/dev/null 2>&1; then\n' +
      `  printf '%s\\n' ${shQuote(`${tag} timeout`)} >&2\n` +
      `  exec timeout ${limit} /bin/sh -c `,
    inner,
    `\nfi\nprintf '%s\\n' ${shQuote(`${tag} none`)} >&2\nexec /bin/sh -c `,
    inner,
  ];
}

/**
 * Finds the wrapper's line in a command's stderr and removes it, so callers see the command's own
 * stderr only. `limit` is undefined when the line is missing (the wrapper never ran).
 */
export function takeLimitLine(stderr: Buffer, tag: string): { stderr: Buffer; limit?: RemoteLimit } {
  for (const limit of ['timeout', 'none'] as const) {
    const line = Buffer.from(`${tag} ${limit}\n`);
    const at = stderr.indexOf(line);
    if (at >= 0) {
      return { stderr: Buffer.concat([stderr.subarray(0, at), stderr.subarray(at + line.length)]), limit };
    }
  }
  return { stderr };
}
