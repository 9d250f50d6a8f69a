import type { RefreshOutcome, RefreshStep } from './adapter';

/** What `apt-get update` really did; `failed` holds repository URLs with suite, from its `Err:` lines. */
export type AptUpdateOutcome = RefreshOutcome;

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

/** apt's list refresh: `apt-get update`, judged by its output, not its exit code. */
export const APT_REFRESH: RefreshStep = {
  command: 'LC_ALL=C apt-get update -q 2>&1',
  parse: parseAptUpdate,
};
