/**
 * Readers of untrusted collection sections the pacman, apk and macOS adapters share: bounded lines, exit
 * codes, messages safe to show, key=value lists and list ages.
 */
import type { Sections } from './sections';

/** No platform prints more lines than this for one section; beyond it the scan keeps the first ones. */
export const MAX_SECTION_LINES = 20_000;

/** A section's lines, capped; `cut` says the host printed more than Patchbay reads. */
export function sectionLines(sections: Sections, name: string): { lines: string[]; cut: boolean } {
  const text = sections.get(name) ?? '';
  const lines = text === '' ? [] : text.split('\n');
  return { lines: lines.slice(0, MAX_SECTION_LINES), cut: lines.length > MAX_SECTION_LINES };
}

/** The exit code a snippet appended as `exit=N` (last such line), or null when the output was cut off. */
export function exitCode(lines: readonly string[]): number | null {
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /^exit=(\d{1,3})$/.exec(lines[i] ?? '');
    if (m) return Number(m[1]);
  }
  return null;
}

/** A line of host output made safe to show in a warning: no colours or control characters, bounded. */
export function message(line: string, max = 200): string {
  return (
    line
      // eslint-disable-next-line no-control-regex
      .replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
      .trim()
      .slice(0, max)
  );
}

/**
 * Seconds since the newest of the `stat` lines (`<mtime> <path>`) in a section, or null without any. The
 * newest file is the last time anything was fetched.
 */
export function newestAge(sections: Sections, name: string): number | null {
  const now = Number(sections.get('now'));
  const times = (sections.get(name) ?? '')
    .split('\n')
    .map((l) => Number(l.split(' ')[0]))
    .filter((t) => Number.isInteger(t) && t > 0);
  if (!Number.isFinite(now) || times.length === 0) return null;
  return Math.max(0, now - Math.max(...times));
}

/** An age in words, for messages: "3 hours ago", "12 days ago". */
export function ago(seconds: number): string {
  if (seconds < 3600) return 'less than an hour ago';
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} hour(s) ago`;
  return `${Math.floor(seconds / 86400)} days ago`;
}

/** `key=value` lines (first one wins), as the kernel and boot snippets print them. */
export function keyValues(lines: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of lines) {
    const m = /^([a-z0-9-]{1,32})=(.*)$/.exec(line);
    if (m?.[1] && m[2] !== undefined && !out.has(m[1])) out.set(m[1], m[2]);
  }
  return out;
}
