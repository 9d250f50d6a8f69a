/**
 * Reads the pacman dry run (see pacman-install.ts): the approved items echoed back (WANT_MARK), the sync of
 * the temporary database copy, `pacman -Su --print` targets (`name version size`), the targets'
 * Replaces/Conflicts With, and `pacman -Q`. Upgrades and new packages come from the targets; removals are
 * installed packages a target replaces (pacman --noconfirm accepts the replacement); an installed package
 * a target only conflicts with is a problem (--noconfirm answers "remove it?" with no, and stops).
 */
import { emptyPlan, markerSections } from './install-common';
import type { DryRunPlan, PlannedChange } from './installer';
import { PACMAN_NAME, PACMAN_VERSION } from './pacman-names';
import { comparePacmanVersions } from './pacman-vercmp';
import { displayText } from './rpm-names';
import { UnparseableOutputError } from './types';

/** Echoes one approved item back at the top of the dry run: `@@patchbay-want name version`. */
export const WANT_MARK = '@@patchbay-want';

/** The note every pacman plan carries: what Arch's full upgrade means for approved content. */
export const FULL_UPGRADE_NOTE =
  'pacman upgrades everything: Arch does not support partial upgrades, so packages beyond the approved ones go in too';

/** `Conflicts With : a  b>=2  c` → names (version constraints dropped; "None" is none). */
const names = (value: string): string[] =>
  value
    .trim()
    .split(/\s+/)
    .map((v) => v.replace(/[<>=].*$/, ''))
    .filter((v) => v !== 'None' && PACMAN_NAME.test(v));

// `sync N` / `print N` close the section they end; `info` and `installed` open theirs.
const sections = (output: string) =>
  markerSections(output, /^@@patchbay-(sync|print|info|installed)(?: (\d+))?$/);

/** Reads the pacman dry run. */
export function parsePacmanDryRun(output: string, exitCode: number | null): DryRunPlan {
  const s = sections(output);
  const sync = s.get('sync');
  const print = s.get('print');
  const installedLines = s.get('installed');
  if (!sync || !print || !installedLines)
    throw new UnparseableOutputError(`the pacman dry run did not finish (exit ${exitCode ?? 'none'})`);
  const plan = emptyPlan(0);
  const wants: { name: string; version: string }[] = [];
  for (const line of output.split('\n')) {
    const [mark, name = '', version = ''] = line.split(' ');
    if (mark === WANT_MARK && PACMAN_NAME.test(name) && PACMAN_VERSION.test(version))
      wants.push({ name, version });
  }
  const installed = new Map<string, string>();
  for (const line of installedLines.lines) {
    const [name = '', version = ''] = line.trim().split(/\s+/);
    if (PACMAN_NAME.test(name) && PACMAN_VERSION.test(version)) installed.set(name, version);
  }
  const said = (lines: string[], re: RegExp) => lines.filter((l) => re.test(l)).map((l) => displayText(l));
  if (sync.code !== 0) plan.problems.push(...said(sync.lines, /^error: /));
  if (sync.code !== 0 && plan.problems.length === 0)
    plan.problems.push(`pacman -Sy exited with code ${sync.code}`);
  plan.notes.push(...said([...sync.lines, ...print.lines], /^warning: /));
  if (print.code !== 0) {
    plan.problems.push(...said(print.lines, /^(error: |:: )/));
    if (plan.problems.length === 0) plan.problems.push(`pacman -Su exited with code ${print.code}`);
  }
  const targets = new Map<string, string>();
  for (const line of print.lines) {
    const m = /^(\S+) (\S+) (\d{1,15})$/.exec(line.trim());
    if (!m || !PACMAN_NAME.test(m[1] ?? '') || !PACMAN_VERSION.test(m[2] ?? '')) continue;
    const [, name = '', version = '', size = '0'] = m;
    targets.set(name, version);
    if (plan.downloadBytes !== null) plan.downloadBytes += Number(size);
    const from = installed.get(name) ?? '';
    const change: PlannedChange = { name, arch: '', fromVersion: from, toVersion: version };
    (from ? plan.upgrades : plan.installs).push(change);
  }
  readRelations(s.get('info')?.lines ?? [], targets, installed, plan);
  for (const w of wants) {
    const to = targets.get(w.name);
    const have = installed.get(w.name);
    if (to === undefined) {
      if (have !== undefined && comparePacmanVersions(have, w.version) >= 0) continue;
      plan.problems.push(
        `${w.name} ${w.version} is not offered: the repositories have no newer ${w.name} than ${have ?? 'nothing'}`,
      );
    } else if (comparePacmanVersions(to, w.version) < 0) {
      plan.problems.push(`${w.name} ${w.version} is not offered: the repositories have ${to}`);
    } else if (comparePacmanVersions(to, w.version) > 0) {
      plan.notes.push(`${w.name}: pacman installs ${to}, newer than the approved ${w.version}`);
    }
  }
  const extra = [...targets.keys()].filter((n) => !wants.some((w) => w.name === n));
  if (extra.length > 0)
    plan.notes.unshift(`${FULL_UPGRADE_NOTE} (${extra.length}: ${extra.slice(0, 20).join(', ')})`);
  return plan;
}

/** Removals from the targets' Replaces; problems from Conflicts With on installed packages that stay. */
function readRelations(
  info: string[],
  targets: Map<string, string>,
  installed: Map<string, string>,
  plan: DryRunPlan,
): void {
  let current = '';
  const removed = new Set<string>();
  const conflicts: [string, string][] = [];
  for (const line of info) {
    const m = /^(Name|Replaces|Conflicts With) +: (.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === 'Name') current = targets.has(m[2]?.trim() ?? '') ? (m[2]?.trim() ?? '') : '';
    else if (current && m[1] === 'Replaces') {
      for (const n of names(m[2] ?? '')) {
        const v = installed.get(n);
        if (v !== undefined && !targets.has(n) && !removed.has(n)) {
          removed.add(n);
          plan.removals.push({ name: n, arch: '', fromVersion: v, toVersion: '' });
          plan.notes.push(`${n} is replaced by ${current}`);
        }
      }
    } else if (current) for (const n of names(m[2] ?? '')) conflicts.push([current, n]);
  }
  for (const [by, n] of conflicts) {
    if (installed.has(n) && !targets.has(n) && !removed.has(n) && n !== by)
      plan.problems.push(`${by} conflicts with the installed ${n}: pacman --noconfirm will not remove it`);
  }
}
