import type { PlatformAdapter } from './adapter';
import { linuxFacts } from './host-facts';
import { STALE_LISTS_SECONDS, STALE_METADATA_PREFIX } from './lists-age';
import { LIMITS, metadataAge, parseInstalled, parseRepomd, readRun } from './rpm-common';
import { lockedNames } from './rpm-names';
import { displayText, evrOf, maxSeverity } from './rpm-names';
import { ZYPPER_REFRESH } from './rpm-refresh';
import { compareEvr } from './rpm-version';
import type { Sections } from './sections';
import { type PendingPatch, type ScanFindings, UnparseableOutputError } from './types';
import { ZYPPER_COLLECT, ZYPPER_LOCK_SLEEP, ZYPPER_LOCK_TRIES } from './zypper-collect';
import {
  parseLockPatterns,
  parsePatches,
  parsePatchInfo,
  parseUpdates,
  type PatchConflict,
  type ZypperPatch,
  type ZypperUpdate,
} from './zypper-parse';
import { xmlMessages } from './zypper-xml';

/** Start of the error a scan reports when the zypp lock never freed. */
export const ZYPPER_LOCKED = 'zypper is locked by another process';

const LOCKED = 'System management is locked';

function lockError(text: string): UnparseableOutputError {
  const m = /locked by the application with pid (\d{1,10}) \(([\w.+-]{1,40})\)/.exec(text);
  const who = m ? ` (${m[2]}, pid ${m[1]})` : '';
  const waited = (ZYPPER_LOCK_TRIES - 1) * ZYPPER_LOCK_SLEEP;
  return new UnparseableOutputError(
    `${ZYPPER_LOCKED}${who} and it did not free within ${waited} s: let it finish, then scan again.`,
  );
}

/** zypper's own error and warning messages, made safe to show. */
function problems(text: string): string[] {
  return xmlMessages(text)
    .filter((m) => (m.type === 'error' || m.type === 'warning') && !m.text.startsWith(LOCKED))
    .map((m) => displayText(m.text));
}

const RANK = (p: PendingPatch) => (p.security === true ? 0 : p.security === null ? 1 : 2);

/** Turns the collection script's zypper sections into findings. */
export function parseZypper(sections: Sections): ScanFindings {
  if (!sections.has('end'))
    throw new UnparseableOutputError('the scan output ended early (connection dropped?)');
  const lu = readRun(sections.get('zypper-updates'));
  const luText = lu.lines.join('\n');
  if (lu.exit === undefined)
    throw new UnparseableOutputError("the host's zypper list-updates output was cut off");
  if (lu.exit === '7') throw lockError(luText);
  // 106: some repositories could not be refreshed and were skipped (reported below).
  if (lu.exit !== '0' && lu.exit !== '106') {
    const error = problems(luText)[0] ?? `exit code ${lu.exit}`;
    throw new UnparseableOutputError(`zypper list-updates failed on the host: ${error}`);
  }
  const warnings = [...new Set(problems(luText))].slice(0, 10);
  const updates = parseUpdates(luText);
  const lp = readRun(sections.get('zypper-patches'));
  const lpOk = lp.exit === '0' || lp.exit === '106';
  const listed = lpOk ? parsePatches(lp.lines.join('\n')) : { patches: [], dropped: 0 };
  if (!lpOk) warnings.push('zypper list-patches failed on the host: security is unknown for every update.');
  const pending = listed.patches.filter((p) => p.status === 'needed' || p.status === 'optional');
  const info = parsePatchInfo(sections.get('zypper-patch-info') ?? '');
  // A security patch whose packages are unknown could cover any update: then "no security patch" proves nothing.
  const doubt = !lpOk || pending.some((p) => p.category === 'security' && !info.has(p.id));
  if (lpOk && doubt) {
    warnings.push(
      'zypper did not say which packages some security patches update: updates without a known security patch show as unknown.',
    );
  }
  const repos = parseRepomd(sections.get('zypper-repomd'));
  const unclassified = new Set<string>();

  // Which pending patches name each package in their Conflicts (indexed: hosts can have thousands of both).
  const byName = new Map<string, { patch: ZypperPatch; conflict: PatchConflict }[]>();
  for (const patch of pending) {
    for (const conflict of info.get(patch.id) ?? []) {
      byName.set(conflict.name, [...(byName.get(conflict.name) ?? []), { patch, conflict }]);
    }
  }

  const installed = parseInstalled(sections.get('zypper-installed'));
  const locks = parseLockPatterns(readRun(sections.get('zypper-locks')).lines.join('\n'));
  // Plain list-updates leaves locked packages out; `--all` lists their updates too. Only those a lock
  // covers are added (held): `--all` also lists versions an upgrade would not pick for other reasons.
  const all = readRun(sections.get('zypper-updates-all'));
  const seen = new Set(updates.updates.map((u) => `${u.name}\t${u.arch}`));
  const heldUpdates =
    all.exit === '0' || all.exit === '106'
      ? parseUpdates(all.lines.join('\n')).updates.filter(
          (u) => !seen.has(`${u.name}\t${u.arch}`) && lockedNames(locks, [u.name]).length > 0,
        )
      : [];
  const toPatch = (u: ZypperUpdate, held: boolean): PendingPatch => {
    // A patch covers the update when it replaces the installed version and the candidate satisfies it.
    const covering = (byName.get(u.name) ?? []).filter(
      ({ conflict: c }) =>
        (c.arch === null || c.arch === u.arch) &&
        (!u.old || compareEvr(u.old, c.below) < 0) &&
        compareEvr(c.below, u) <= 0,
    );
    const mine = [...new Set(covering.map((x) => x.patch))];
    const sec = mine.filter((p) => p.category === 'security');
    let security: boolean | null = false;
    if (sec.length > 0) security = true;
    else if (doubt || !repos.get(u.repo)?.updateinfo) security = null;
    if (security === null && !doubt) unclassified.add(u.repo);
    // The newest version a security patch asks for: when older than the candidate, a security-only install
    // may stop there. Only `<` entries name the fixed edition itself (`<=` names the last vulnerable one).
    const fixes = covering.filter((x) => x.patch.category === 'security' && x.conflict.strict);
    const fix = fixes.reduce<PatchConflict | null>(
      (m, x) => (!m || compareEvr(x.conflict.below, m.below) > 0 ? x.conflict : m),
      null,
    );
    return {
      name: u.name,
      arch: u.arch,
      installedVersion: u.old ? evrOf(u.old) : '',
      candidateVersion: evrOf(u),
      origin: u.repo,
      security,
      severity: sec.reduce<string | null>((s, p) => maxSeverity(s, p.severity), null),
      advisories: mine.map((p) => p.id).slice(0, LIMITS.advisories),
      cves: [...new Set(sec.flatMap((p) => p.cves))].sort().slice(0, LIMITS.cves),
      isNew: !u.old,
      keptBack: false,
      ...(fix && compareEvr(fix.below, u) < 0 ? { securityVersion: evrOf(fix.below) } : {}),
      ...(held ? { held: true } : {}),
    };
  };
  const patches = [
    ...updates.updates.map((u) => toPatch(u, false)),
    ...heldUpdates.map((u) => toPatch(u, true)),
  ].slice(0, LIMITS.patches);

  const check = readRun(sections.get('zypper-patch-check'));
  if (check.exit === '101' && !pending.some((p) => p.category === 'security')) {
    warnings.push('zypper patch-check reports needed security patches that list-patches did not show.');
  }
  const rebootRun = readRun(sections.get('zypper-reboot'));
  const flagged = rebootRun.lines.includes('flag=reboot-needed');
  let reboot: ScanFindings['reboot'] = { required: false, reasons: [] };
  if (rebootRun.exit === '102') {
    reboot = {
      required: true,
      reasons: ['core libraries or services were updated since boot (zypper needs-rebooting)'],
    };
  } else if (flagged) {
    reboot = { required: true, reasons: ['the system flagged a reboot (/run/reboot-needed)'] };
  } else if (rebootRun.exit !== '0') {
    warnings.push('Could not tell whether a reboot is needed: zypper needs-rebooting gave no answer.');
  }

  const held = lockedNames(
    locks,
    installed.packages.map((p) => p.name),
  ).slice(0, LIMITS.held);
  const dropped = updates.dropped + listed.dropped + installed.dropped;
  if (dropped > 0)
    warnings.push(`${dropped} item(s) of zypper output did not look like rpm packages and were ignored`);
  const age = metadataAge(repos, sections);
  if (age !== null && age > STALE_LISTS_SECONDS) {
    warnings.push(
      `${STALE_METADATA_PREFIX}${Math.floor(age / 86400)} days old: recent fixes may be missing.`,
    );
  }
  const notes: string[] = [];
  if (unclassified.size) {
    notes.push(
      `Security classification unknown for updates from ${[...unclassified].sort().join(', ')}: these repositories publish no updateinfo.`,
    );
  }
  const restart = pending.filter((p) => p.restart && p.status === 'needed').map((p) => p.id);
  if (restart.length) {
    notes.push(`Installing ${restart.slice(0, 20).join(', ')} will need a reboot (the patches say so).`);
  }
  return {
    packageManager: 'zypper',
    facts: linuxFacts(sections),
    patches: patches.sort(
      (a, b) => RANK(a) - RANK(b) || a.name.localeCompare(b.name) || a.arch.localeCompare(b.arch),
    ),
    removals: [],
    held,
    reboot,
    listsAgeSeconds: age,
    warnings: warnings.slice(0, LIMITS.warnings),
    notes,
  };
}

/** zypper hosts: SUSE Linux Enterprise, openSUSE Leap and Tumbleweed. */
export const zypperAdapter: PlatformAdapter = {
  id: 'zypper',
  probe: 'command -v zypper >/dev/null 2>&1',
  collect: ZYPPER_COLLECT,
  parse: parseZypper,
  refresh: ZYPPER_REFRESH,
};
