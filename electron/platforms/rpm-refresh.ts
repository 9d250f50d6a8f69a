import type { RefreshOutcome, RefreshStep } from './adapter';

// eslint-disable-next-line no-control-regex
const clean = (s: string) => s.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 300);

/**
 * Reads `dnf makecache` / `yum makecache` (C locale). With skip_if_unavailable (the default on Fedora and
 * several EL derivatives) dnf exits 0 after `Error: Failed to download metadata for repo 'ID': …` and
 * `Ignoring repositories: ID, ID`; DNF5 prints `>>> Curl error …` and `Failed to download metadata (…) for
 * repository "ID"`; yum 3 prints `ID: [Errno N] …`. Any of them means a repository was not refreshed.
 */
export function parseDnfMakecache(output: string, exitCode: number | null): RefreshOutcome {
  const failed = new Set<string>();
  const messages: string[] = [];
  for (const line of output.split('\n')) {
    const repo =
      /Failed to download metadata for repo '([^']{1,100})'/.exec(line)?.[1] ??
      /Failed to download metadata \(.*\) for repository "([^"]{1,100})"/.exec(line)?.[1] ??
      /^([\w.:-]{1,100})(?:\/\S*)?: \[Errno \d+\]/.exec(line)?.[1];
    if (repo) failed.add(clean(repo));
    const ignoring = /^Ignoring repositories: (.+)$/.exec(line)?.[1];
    for (const r of ignoring?.split(/,\s*/) ?? []) if (r) failed.add(clean(r));
    if (/^(Error|Warning): |^>>> |^Ignoring repositories: |\[Errno \d+\]/.test(line) && messages.length < 20)
      messages.push(clean(line));
  }
  const hardError = messages.some((m) => m.startsWith('Error: ')) && exitCode !== 0;
  return { ok: exitCode === 0 && failed.size === 0 && !hardError, failed: [...failed], messages };
}

/**
 * Reads `zypper -n refresh` (C locale). A repository that fails prints `Problem retrieving files from 'NAME'.`
 * (or `Repository 'NAME' is invalid.`) and `Skipping repository 'NAME' because of the above error.`; at the
 * end `Some of the repositories have not been refreshed because of an error.` The exit code is then not
 * reliably non-zero across zypper versions, so the text decides.
 */
export function parseZypperRefresh(output: string, exitCode: number | null): RefreshOutcome {
  const failed = new Set<string>();
  const messages: string[] = [];
  for (const line of output.split('\n')) {
    const repo = /^Skipping repository '([^']{1,100})' because of the above error\.$/.exec(line)?.[1];
    if (repo) failed.add(clean(repo));
    if (
      /^(Problem retrieving files from|Repository '.*' is invalid|Skipping repository|Some of the repositories have not been refreshed|Download \(curl\) error|Error: |Warning: )/.test(
        line,
      ) &&
      messages.length < 20
    )
      messages.push(clean(line));
  }
  const summary = messages.some((m) => m.startsWith('Some of the repositories have not been refreshed'));
  return { ok: exitCode === 0 && failed.size === 0 && !summary, failed: [...failed], messages };
}

/**
 * dnf's refresh: `makecache` (yum 3: `makecache fast`), judged by its output as well as its exit code. Not
 * `dnf -q`: with skip_if_unavailable on, dnf 4 -q prints neither the repository's error nor "Ignoring
 * repositories" and exits 0, so an unreachable repository would pass for refreshed (seen with dnf 4.14).
 */
export const DNF_REFRESH: RefreshStep = {
  command:
    'if command -v dnf >/dev/null 2>&1; then LC_ALL=C dnf makecache 2>&1; else LC_ALL=C yum -q makecache fast 2>&1; fi',
  parse: parseDnfMakecache,
};

/** zypper's refresh: `refresh`, non-interactive, judged by its output as well as its exit code. */
export const ZYPPER_REFRESH: RefreshStep = {
  command: 'LC_ALL=C zypper -n refresh 2>&1',
  parse: parseZypperRefresh,
};
