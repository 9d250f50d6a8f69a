import type { PlatformAdapter } from './adapter';
import { DNF_COLLECT } from './dnf-collect';
import {
  type AdvisoryEntry,
  type DnfFlavour,
  type Listed,
  parseAdvisories,
  parseCheckUpdate,
  parseCveList,
  parseLocks,
  parseNeedsRestarting,
  parseRepoquery,
} from './dnf-parse';
import { linuxFacts } from './host-facts';
import { STALE_LISTS_SECONDS, STALE_METADATA_PREFIX } from './lists-age';
import {
  firstLine,
  LIMITS,
  metadataAge,
  newerKernel,
  newestInstalled,
  parseInstalled,
  parseRepomd,
  readRun,
} from './rpm-common';
import { evrOf, keyOf, lockedNames, maxSeverity, type Nevra } from './rpm-names';
import { DNF_REFRESH } from './rpm-refresh';
import { compareEvr } from './rpm-version';
import type { Sections } from './sections';
import { type PendingPatch, type ScanFindings, UnparseableOutputError } from './types';

/** What the adapter notes when repositories cannot classify their updates. */
export const NO_UPDATEINFO_NOTE = 'Security classification unknown for updates from ';

function flavourOf(sections: Sections): DnfFlavour {
  const m = /^(dnf5|dnf4|yum)\b/.exec(sections.get('dnf-tool') ?? '');
  if (!m?.[1]) throw new UnparseableOutputError('the host did not say which dnf or yum it has');
  return m[1] as DnfFlavour;
}

/** The update each name.arch would get: repoquery's structured fields, limited to what check-update lists. */
function candidates(sections: Sections, flavour: DnfFlavour) {
  const check = readRun(sections.get('dnf-check-update'));
  if (check.exit === undefined)
    throw new UnparseableOutputError("the host's dnf check-update output was cut off");
  if (check.exit !== '0' && check.exit !== '100') {
    const error = firstLine(check.lines, [/^Error: /, /^\S.*(error|failed)/i]) ?? `exit code ${check.exit}`;
    throw new UnparseableOutputError(`dnf check-update failed on the host: ${error}`);
  }
  const listed = parseCheckUpdate(check.lines);
  const rq = readRun(sections.get('dnf-upgrades'));
  const structured = flavour !== 'yum' && rq.exit === '0' ? parseRepoquery(rq.lines) : null;
  const newest = new Map<string, Listed>();
  for (const u of structured?.upgrades ?? []) {
    const seen = newest.get(keyOf(u));
    if (!seen || compareEvr(u, seen) > 0) newest.set(keyOf(u), u);
  }
  const chosen = new Map<string, Listed>();
  // check-update is what an upgrade would do (it honours versionlock; repoquery does not) — when it listed
  // anything readable at all. What only repoquery offers is held back on the host: kept, to be shown held.
  const authority = listed.updates.size > 0;
  const excluded: string[] = [];
  const withheld = new Map<string, Listed>();
  for (const [key, u] of newest) {
    const l = listed.updates.get(key);
    if (authority && !l) {
      excluded.push(u.name);
      withheld.set(key, u);
    } else chosen.set(key, l && compareEvr(l, u) !== 0 ? l : u);
  }
  for (const [key, l] of listed.updates) if (!chosen.has(key)) chosen.set(key, l);
  const warnings = [...listed.messages];
  if (flavour !== 'yum' && rq.exit !== '0') {
    warnings.push('dnf repoquery failed on the host; the updates were read from check-update instead.');
  }
  return {
    chosen: check.exit === '0' ? new Map<string, Listed>() : chosen,
    excluded: check.exit === '0' ? [] : excluded,
    // Nothing installable (exit 0): whatever repoquery still offers is held back, e.g. by versionlock.
    withheld: check.exit === '0' ? newest : withheld,
    obsoleting: listed.obsoleting,
    dropped: listed.dropped + (structured?.dropped ?? 0),
    warnings,
  };
}

/** Advisories and CVEs per name.arch; `doubt` when the list could not be read in full. */
function advisories(sections: Sections, flavour: DnfFlavour) {
  const list = readRun(sections.get('dnf-advisories'));
  const cves = readRun(sections.get('dnf-advisory-cves'));
  const parsed = list.exit === '0' ? parseAdvisories(list.lines, flavour) : { entries: [], unreadable: 0 };
  const byKey = new Map<string, { advisories: AdvisoryEntry[]; cves: AdvisoryEntry[] }>();
  const slot = (p: Nevra) => {
    const s = byKey.get(keyOf(p)) ?? { advisories: [], cves: [] };
    byKey.set(keyOf(p), s);
    return s;
  };
  for (const e of parsed.entries) slot(e.package).advisories.push(e);
  if (cves.exit === '0') for (const e of parseCveList(cves.lines, flavour)) slot(e.package).cves.push(e);
  return { byKey, doubt: list.exit !== '0' || parsed.unreadable > 0 };
}

const RANK = (p: PendingPatch) => (p.security === true ? 0 : p.security === null ? 1 : 2);

/** Turns the collection script's dnf/yum sections into findings. */
export function parseDnf(sections: Sections): ScanFindings {
  if (!sections.has('end'))
    throw new UnparseableOutputError('the scan output ended early (connection dropped?)');
  const flavour = flavourOf(sections);
  const facts = linuxFacts(sections);
  const found = candidates(sections, flavour);
  const installedList = parseInstalled(sections.get('dnf-installed'));
  const installed = newestInstalled(installedList.packages);
  const adv = advisories(sections, flavour);
  const repos = parseRepomd(sections.get('dnf-repomd'));
  const warnings = [...found.warnings];
  const unclassified = new Set<string>();

  const names = installedList.packages.map((p) => p.name);
  const locked = new Set(lockedNames(parseLocks(readRun(sections.get('dnf-locks')).lines), names));
  // Obsoleting packages are new installs: dnf upgrade puts them in and removes what they replace. Updates
  // of versionlocked (or excluded) packages are listed too, marked held: a held security fix must show.
  const pending = [
    ...[...found.chosen.values()].map((c) => ({ c, isNew: false })),
    // Only what a lock explains: any other difference between the two lists is not known to be a hold.
    ...[...found.withheld.values()].filter((c) => locked.has(c.name)).map((c) => ({ c, isNew: false })),
    // DNF5 lists an obsoleter among the upgrades too when it has an installed namesake.
    ...found.obsoleting.filter((o) => !found.chosen.has(keyOf(o.by))).map((o) => ({ c: o.by, isNew: true })),
  ].slice(0, LIMITS.patches);
  const patches = pending.map(({ c, isNew }): PendingPatch => {
    const old = isNew
      ? undefined
      : (installed.get(keyOf(c)) ?? [...installed.values()].find((p) => p.name === c.name));
    // An advisory counts when installing the candidate installs (or passes) the version it fixes.
    const applies = (e: AdvisoryEntry) =>
      compareEvr(e.package, c) <= 0 && (!old || compareEvr(e.package, old) > 0);
    const mine = adv.byKey.get(keyOf(c));
    const own = (mine?.advisories ?? []).filter(applies);
    const sec = own.filter((e) => e.security);
    let security: boolean | null = false;
    if (sec.length > 0) security = true;
    else if (adv.doubt || !repos.get(c.repo)?.updateinfo) security = null;
    if (security === null && !adv.doubt) unclassified.add(c.repo || 'unknown repositories');
    // The newest security fix up to the candidate: when it is older, a security-only install stops there.
    const fix = sec.reduce<Nevra | null>(
      (m, e) => (!m || compareEvr(e.package, m) > 0 ? e.package : m),
      null,
    );
    const held = locked.has(c.name);
    return {
      name: c.name,
      arch: c.arch,
      installedVersion: old ? evrOf(old) : '',
      candidateVersion: evrOf(c),
      origin: c.repo,
      security,
      severity: sec.reduce<string | null>((s, e) => maxSeverity(s, e.severity), null),
      advisories: [...new Set(own.map((e) => e.id))].slice(0, LIMITS.advisories),
      cves: [...new Set((mine?.cves ?? []).filter(applies).map((e) => e.id))].sort().slice(0, LIMITS.cves),
      isNew,
      keptBack: false,
      ...(fix && compareEvr(fix, c) < 0 ? { securityVersion: evrOf(fix) } : {}),
      ...(held ? { held: true } : {}),
    };
  });
  const removals = found.obsoleting.flatMap((o) => o.replaces);

  const rebootRun = readRun(sections.get('dnf-reboot'));
  const answer = parseNeedsRestarting(rebootRun.exit, rebootRun.lines);
  let reboot = { required: answer.state === 'required', reasons: answer.reasons };
  if (answer.state === 'unknown') {
    const kernel = newerKernel(installedList.packages, facts.kernel);
    if (kernel)
      reboot = { required: true, reasons: [`running kernel ${facts.kernel}, newest installed ${kernel}`] };
    else warnings.push(`Could not tell whether a reboot is needed: ${answer.why}.`);
  }

  const held = [...new Set([...locked, ...found.excluded])].sort().slice(0, LIMITS.held);
  const dropped = found.dropped + installedList.dropped;
  if (dropped > 0)
    warnings.push(`${dropped} line(s) of dnf output did not look like rpm packages and were ignored`);
  if (adv.doubt) {
    warnings.push(
      "The host's advisory list could not be read in full: security is unknown for updates without a recognised security advisory.",
    );
  }
  const age = metadataAge(repos, sections);
  if (age !== null && age > STALE_LISTS_SECONDS) {
    warnings.push(
      `${STALE_METADATA_PREFIX}${Math.floor(age / 86400)} days old: recent fixes may be missing.`,
    );
  }
  const notes = unclassified.size
    ? [
        `${NO_UPDATEINFO_NOTE}${[...unclassified].sort().join(', ')}: these repositories publish no updateinfo.`,
      ]
    : [];
  return {
    packageManager: flavour === 'yum' ? 'yum' : 'dnf',
    facts,
    patches: patches.sort(
      (a, b) => RANK(a) - RANK(b) || a.name.localeCompare(b.name) || a.arch.localeCompare(b.arch),
    ),
    removals: [...new Set(removals)].sort(),
    held,
    reboot,
    listsAgeSeconds: age,
    warnings: warnings.slice(0, LIMITS.warnings),
    notes,
  };
}

/** dnf (DNF4, DNF5) and yum 3 hosts: RHEL, Rocky, Alma, CentOS, Fedora, Amazon Linux. */
export const dnfAdapter: PlatformAdapter = {
  id: 'dnf',
  probe: 'command -v dnf >/dev/null 2>&1 || command -v yum >/dev/null 2>&1',
  collect: DNF_COLLECT,
  parse: parseDnf,
  refresh: DNF_REFRESH,
};
