import type { RefreshOutcome, RefreshStep } from './adapter';

// eslint-disable-next-line no-control-regex
const clean = (s: string) => s.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 300);

/**
 * Reads `apk update` (apk-tools 2, from its documentation and source, not run here): each repository
 * prints `fetch <url>`; one that fails prints `ERROR: <url>: <reason>` or `WARNING: Ignoring <url>: <reason>`,
 * and the summary then reads `N unavailable, M stale; K distinct packages available` (else `OK: …`).
 * apk exits with the number of errors, but the text decides as well.
 */
export function parseApkUpdate(output: string, exitCode: number | null): RefreshOutcome {
  const failed = new Set<string>();
  const messages: string[] = [];
  let unavailable = 0;
  for (const line of output.split('\n')) {
    const repo = /^(?:ERROR|WARNING): (?:Ignoring )?(\S*\/\S*?):? /.exec(line)?.[1];
    if (repo) failed.add(clean(repo));
    const summary = /^(\d+) unavailable, \d+ stale;/.exec(line);
    if (summary) unavailable = Number(summary[1]);
    if (/^(ERROR|WARNING): |^\d+ unavailable, /.test(line) && messages.length < 20)
      messages.push(clean(line));
  }
  return { ok: exitCode === 0 && failed.size === 0 && unavailable === 0, failed: [...failed], messages };
}

/** apk's list refresh: `apk update`, judged by its output as well as its exit code. */
export const APK_REFRESH: RefreshStep = {
  command: 'LC_ALL=C apk update 2>&1',
  parse: parseApkUpdate,
};
