/**
 * Pieces every installer's reader shares: the empty plan a dry-run reader fills, the failure classifier's
 * common steps (GNU timeout's exit codes, a table of the tool's own messages, the line that matched), the
 * marker sections a multi-step dry run prints, and the installed-versions query. The platform files keep
 * only what is theirs: their tables, markers and messages.
 */
import { shJoin } from '../ssh/quote';
import type { DryRunPlan, InstallFailure, InstallFailureKind } from './installer';

/** A plan with nothing in it yet; `downloadBytes` null when the tool never says the size. */
export function emptyPlan(downloadBytes: number | null = null): DryRunPlan {
  return { upgrades: [], installs: [], removals: [], downloadBytes, problems: [], notes: [] };
}

/** The line of `output` where `re` first matches, bounded. */
export function lineOf(output: string, re: RegExp): string | null {
  const m = re.exec(output);
  if (!m) return null;
  const at = output.lastIndexOf('\n', m.index) + 1;
  const end = output.indexOf('\n', m.index);
  const line = output.slice(at, end < 0 ? undefined : end).trim();
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

/** The tool's own messages, most specific first, and the kind of failure each one means. */
export type FailureTable = readonly (readonly [InstallFailureKind, RegExp])[];

/** GNU timeout exits 124 (SIGTERM worked) or 137 (it needed SIGKILL) when the install's limit passed. */
export function timeoutFailure(exitCode: number | null): InstallFailure | null {
  return exitCode === 124 || exitCode === 137
    ? { kind: 'timeout', message: `the install did not finish in time and was stopped (exit ${exitCode})` }
    : null;
}

/**
 * The first row of `table` whose message is in the output, with the tool's own line (`tidy` may trim it;
 * a line it empties does not count).
 */
export function tableFailure(
  output: string,
  table: FailureTable,
  tidy: (line: string) => string = (l) => l,
): InstallFailure | null {
  for (const [kind, re] of table) {
    const line = lineOf(output, re);
    const said = line === null ? '' : tidy(line);
    if (said) return { kind, message: said };
  }
  return null;
}

/**
 * The usual classifier: exit 0 is success, then a timeout, then the table, then `unknown` with the
 * message `fallback` finds (the tool's last error line, or its exit code).
 */
export function classifyByTable(
  output: string,
  exitCode: number | null,
  table: FailureTable,
  fallback: () => string,
  tidy?: (line: string) => string,
): InstallFailure | null {
  if (exitCode === 0) return null;
  return (
    timeoutFailure(exitCode) ?? tableFailure(output, table, tidy) ?? { kind: 'unknown', message: fallback() }
  );
}

/**
 * Splits a dry run at its marker lines (`marker` captures the name, then the exit code when there is one):
 * a marker with a code closes the section it ends (the lines since the previous marker); one without opens
 * a section that runs to the next marker. Lines before a first marker that opens a section are 'head'.
 */
export function markerSections(
  output: string,
  marker: RegExp,
): Map<string, { lines: string[]; code: number | null }> {
  const out = new Map<string, { lines: string[]; code: number | null }>();
  let current = 'head';
  let lines: string[] = [];
  for (const line of output.split('\n')) {
    const m = marker.exec(line);
    if (!m) {
      lines.push(line);
      continue;
    }
    if (m[2] !== undefined) {
      out.set(m[1] ?? '', { lines, code: Number(m[2]) });
      current = '';
    } else {
      if (current) out.set(current, { lines, code: null });
      current = m[1] ?? '';
    }
    lines = [];
  }
  if (current) out.set(current, { lines, code: null });
  return out;
}

/**
 * The installed-versions query: `command -- name…` for validated names only (an invalid one throws,
 * saying it is not `what`), nothing to ask when there are no names. Names the tool does not know go
 * to stderr, which is dropped; the query itself never fails the step.
 */
export function installedQuery(
  names: string[],
  valid: (name: string) => boolean,
  what: string,
  command: string,
): string {
  for (const n of names) if (!valid(n)) throw new Error(`not ${what}: ${JSON.stringify(n)}`);
  if (names.length === 0) return 'exit 0';
  return `LC_ALL=C ${command} -- ${shJoin(names)} 2>/dev/null\nexit 0`;
}
