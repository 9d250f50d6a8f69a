/** What `apt-get update` really did: it exits 0 even when a repository could not be reached. */
export interface AptUpdateOutcome {
  ok: boolean;
  /** Repository URLs (with suite) that failed, as apt names them in its `Err:` lines. */
  failed: string[];
  /** apt's own W:/E: lines about the failures, cut to a sane length. */
  messages: string[];
}

const ERR = /^Err:\d+ (\S+) (\S+)(?: (\S+))?/;

/**
 * Reads `apt-get update` output (stdout and stderr together, C locale). A repository that was not reached
 * shows as `Err:N <url> <suite> …` and `W: Failed to fetch …` / `W: Some index files failed to download`,
 * while the exit code stays 0 — so the exit code alone says nothing.
 */
export function parseAptUpdate(output: string, exitCode: number | null): AptUpdateOutcome {
  const failed = new Set<string>();
  const messages: string[] = [];
  for (const line of output.split('\n')) {
    const err = ERR.exec(line);
    // eslint-disable-next-line no-control-regex
    if (err) failed.add(`${err[1]} ${err[2]}`.replace(/[\u0000-\u001f]/g, '').slice(0, 300));
    if (/^(W|E): /.test(line) && messages.length < 20) messages.push(line.slice(0, 300));
  }
  const hardError = messages.some((m) => m.startsWith('E: '));
  return { ok: exitCode === 0 && failed.size === 0 && !hardError, failed: [...failed], messages };
}
