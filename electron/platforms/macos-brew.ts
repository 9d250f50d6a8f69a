import { z } from 'zod';

import { exitCode, message } from './section-readers';
import type { PendingPatch } from './types';

/**
 * Homebrew names: formulae (`openssl@3`, `python@3.12`, `gtk+3`) and cask tokens (`firefox`,
 * `firefox@developer-edition`), both optionally tap-qualified (`user/tap/name`). Lower case, as brew
 * normalises them.
 */
export const BREW_NAME =
  /^(?:[a-z0-9][a-z0-9_.-]{0,63}\/[a-z0-9][a-z0-9_.-]{0,63}\/)?[a-z0-9][a-z0-9@._+-]{0,127}$/;
/** Formula versions (`3.3.1_1`, `HEAD-1a2b3c4`) and cask versions (`127.0.2,20240701`, `latest`). */
export const BREW_VERSION = /^[A-Za-z0-9][A-Za-z0-9._+,:~-]{0,127}$/;

const formula = z.object({
  name: z.string(),
  installed_versions: z.array(z.string()),
  current_version: z.string(),
  pinned: z.boolean().optional(),
});
// Casks: `installed_versions` was one comma-joined string before Homebrew 4.x made it a list.
const cask = z.object({
  name: z.string(),
  installed_versions: z.union([z.array(z.string()), z.string()]),
  current_version: z.string(),
  pinned: z.boolean().optional(),
});
const outdated = z.object({
  formulae: z.array(z.unknown()).default([]),
  casks: z.array(z.unknown()).default([]),
});

/** What `brew outdated --json=v2` said, ready to merge into the findings. */
export interface BrewResult {
  ran: boolean;
  patches: PendingPatch[];
  held: string[];
  warnings: string[];
}

const patch = (name: string, installed: string, candidate: string, kind: string): PendingPatch => ({
  name,
  arch: '',
  installedVersion: installed,
  candidateVersion: candidate,
  origin: `Homebrew ${kind}`,
  // Homebrew publishes no security classification.
  security: null,
  severity: null,
  advisories: [],
  cves: [],
  isNew: false,
  keptBack: false,
});

/**
 * Reads the brew section: `skipped=root|absent`, or brew's JSON (stdout) with its warnings (stderr) around
 * it, then `exit=N`. Entries that break Homebrew's grammar are dropped; pinned formulae are held (their
 * update listed, marked held).
 */
export function parseBrew(lines: readonly string[]): BrewResult {
  const result: BrewResult = { ran: false, patches: [], held: [], warnings: [] };
  if (lines[0] === 'skipped=absent' || lines.length === 0) return result;
  if (lines[0] === 'skipped=root') {
    result.warnings.push(
      'Homebrew was not checked: the scan logged in as root, and brew only runs as its owner.',
    );
    return result;
  }
  result.ran = true;
  const code = exitCode(lines);
  const start = lines.indexOf('{');
  const end = lines.lastIndexOf('}');
  const noise = lines.filter(
    (l, i) => (i < start || i > end || start < 0) && l !== '' && !/^exit=\d+$/.test(l),
  );
  let data: z.infer<typeof outdated> | null = null;
  if (start >= 0 && end > start) {
    try {
      const parsed = outdated.safeParse(JSON.parse(lines.slice(start, end + 1).join('\n')));
      if (parsed.success) data = parsed.data;
    } catch {
      data = null;
    }
  }
  if (!data) {
    const why = noise[0] ?? (code === null ? 'its output was cut off' : `exit code ${code}`);
    result.warnings.push(`brew outdated printed no readable list: ${message(why)}`);
    return result;
  }
  result.warnings.push(...noise.slice(0, 3).map((l) => `brew: ${message(l)}`));
  let dropped = 0;
  const seen = new Set<string>();
  for (const [kind, items, schema] of [
    ['formula', data.formulae, formula],
    ['cask', data.casks, cask],
  ] as const) {
    for (const item of items) {
      const p = schema.safeParse(item);
      if (!p.success) {
        dropped++;
        continue;
      }
      const { name, current_version: candidate, pinned } = p.data;
      const versions = p.data.installed_versions;
      const installed = (typeof versions === 'string' ? versions.split(', ') : versions).at(-1) ?? '';
      if (!BREW_NAME.test(name) || !BREW_VERSION.test(candidate) || !BREW_VERSION.test(installed)) {
        dropped++;
        continue;
      }
      if (seen.has(`${kind}:${name}`)) continue;
      seen.add(`${kind}:${name}`);
      // A pinned formula's update stays listed, marked held: brew upgrade skips it, the technician must see it.
      if (pinned) result.held.push(name);
      result.patches.push({ ...patch(name, installed, candidate, kind), ...(pinned ? { held: true } : {}) });
    }
  }
  if (dropped > 0)
    result.warnings.push(`${dropped} Homebrew entr(ies) did not look like packages and were ignored`);
  return result;
}
