import type { Sections } from './sections';
import type { ScanFindings } from './types';

/**
 * One platform (package manager). Its remote part is a fixed probe and a fixed collection script; its
 * local part is a pure parser. Adding a platform means adding one of these to ADAPTERS: the collection
 * script, detection and dispatch all follow.
 */
export interface PlatformAdapter {
  id: ScanFindings['packageManager'];
  /** Shell test that is true on hosts this adapter handles (first match wins). */
  probe: string;
  /** Shell that prints this platform's sections (use `section()`); runs only where `probe` holds. */
  collect: string[];
  /** Turns the sections into findings; throws UnparseableOutputError when they make no sense. */
  parse(sections: Sections): ScanFindings;
  /** How this platform refreshes its package lists (run as root before the scan when asked). */
  refresh?: RefreshStep;
}

/** What a list refresh really did: the tools exit 0 even when a repository could not be reached. */
export interface RefreshOutcome {
  ok: boolean;
  /** The repositories that failed, as the tool names them. */
  failed: string[];
  /** The tool's own messages about the failures, cut to a sane length. */
  messages: string[];
}

/** A platform's list refresh: constant shell (stdout and stderr merged, C locale) and its reader. */
export interface RefreshStep {
  command: string;
  parse(output: string, exitCode: number | null): RefreshOutcome;
}

/** Marker before the refreshing adapter's output: which platform's reader applies. */
export const REFRESH_MARKER = 'patchbay-refresh: ';

/** Marker that starts each section of the collection output. */
export const SECTION_MARKER = '@@PATCHBAY:';

/**
 * Shell that prints a section marker, then runs `body` with standard input from /dev/null: the script
 * itself arrives on `sh -s`'s standard input, and a command reading it would swallow the rest.
 */
export const section = (name: string, body: string): string =>
  `printf '\\n${SECTION_MARKER}${name}@@\\n'; { ${body}; } </dev/null`;
