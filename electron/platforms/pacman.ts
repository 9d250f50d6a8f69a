import type { PlatformAdapter } from './adapter';
import { linuxFacts } from './host-facts';
import { PACMAN_COLLECT, PACMAN_PROBE } from './pacman-collect';
import { pacmanReboot } from './pacman-kernel';
import { isPacmanPackage, PACMAN_NAME, PACMAN_VERSION } from './pacman-names';
import { comparePacmanVersions } from './pacman-vercmp';
import { ago, exitCode, message, newestAge, sectionLines } from './section-readers';
import type { Sections } from './sections';
import { type PendingPatch, type ScanFindings, UnparseableOutputError } from './types';

/** Shown when arch-audit is missing: why security is unknown on this host. */
export const NO_ARCH_AUDIT_NOTE =
  "Arch's repositories carry no security metadata: whether an update fixes a vulnerability is unknown on " +
  "this host. Installing arch-audit (the Arch Security Team's tracker) lets Patchbay tell.";
/** Shown when arch-audit ran: what its answer covers. */
export const ARCH_AUDIT_NOTE =
  "Security comes from the Arch Security Team's tracker (arch-audit); an update it does not list is shown " +
  'as not security, though the tracker does not cover every package.';
/** Arch's reboot limit. */
export const PACMAN_REBOOT_NOTE =
  'Arch has no reboot-required flag: Patchbay infers a pending reboot from the kernel only (glibc, systemd ' +
  'or microcode updates may want one too).';
/** Partial upgrades are unsupported on Arch: never suggest `pacman -Sy` on its own. */
const SYNC_ADVICE =
  'install pacman-contrib so scans use checkupdates (never run pacman -Sy on its own: partial upgrades are unsupported on Arch)';

// `name old -> new`, with ` [ignored]` for IgnorePkg (pacman -Qu; checkupdates drops those lines).
const UPDATE = /^(\S+) (\S+) -> (\S+)( \[ignored\])?$/;
const SEVERITIES = new Set(['Critical', 'High', 'Medium', 'Low', 'Unknown']);
const CVE = /^CVE-\d{4}-\d{4,7}$/;

interface Listing {
  exit: number | null;
  updates: { name: string; installed: string; candidate: string; ignored: boolean }[];
  errors: string[];
  warnings: string[];
  /** Lines that are neither updates nor pacman's own messages (another locale, garbage, hostile text). */
  unknown: string[];
}

/** Why a step failed, in words: its first error line, a timeout (coreutils' 124) or the exit code. */
const failed = (errors: readonly string[], exit: number | null): string =>
  errors[0] ?? (exit === 124 ? 'timed out' : `exit code ${exit ?? 'missing'}`);

/** Reads checkupdates or pacman -Qu output (stdout and stderr together). */
function listing(lines: readonly string[]): Listing {
  const out: Listing = { exit: exitCode(lines), updates: [], errors: [], warnings: [], unknown: [] };
  for (const line of lines) {
    if (line === '' || /^exit=\d+$/.test(line)) continue;
    const m = UPDATE.exec(line);
    if (m) {
      const [, name = '', installed = '', candidate = '', ignored] = m;
      if (isPacmanPackage(name, installed) && PACMAN_VERSION.test(candidate)) {
        out.updates.push({ name, installed, candidate, ignored: ignored !== undefined });
        continue;
      }
    }
    if (/^warning: /.test(line)) out.warnings.push(message(line));
    else if (/^(error: |==> ERROR: )/.test(line)) out.errors.push(message(line));
    else out.unknown.push(line);
  }
  return out;
}

interface Audit {
  severity: string | null;
  fixed: string;
  cves: string[];
}

/** arch-audit -u -f '%n|%s|%v|%c' → package → what fixes it; null when it did not run or failed. */
function audit(lines: readonly string[], warnings: string[]): Map<string, Audit> | null {
  if (lines[0] === 'absent') return null;
  const code = exitCode(lines);
  if (code !== 0) {
    const why = failed(
      lines.filter((l) => l !== '' && !l.startsWith('exit=')),
      code,
    );
    warnings.push(`arch-audit failed, so security is unknown: ${message(why)}`);
    return null;
  }
  const found = new Map<string, Audit>();
  for (const line of lines) {
    const [name = '', severity = '', fixed = '', cves = '', ...rest] = line.split('|');
    if (rest.length > 0 || !PACMAN_NAME.test(name)) continue;
    found.set(name, {
      // Older arch-audit prints unknown placeholders (%s) as they are.
      severity: SEVERITIES.has(severity) ? severity : null,
      fixed: PACMAN_VERSION.test(fixed) ? fixed : '',
      cves: cves.split(',').filter((c) => CVE.test(c)),
    });
  }
  return found;
}

/** Turns the collection script's pacman sections into findings. */
export function parsePacman(sections: Sections): ScanFindings {
  if (!sections.has('end'))
    throw new UnparseableOutputError('the scan output ended early (connection dropped?)');
  const warnings: string[] = [];
  const notes: string[] = [PACMAN_REBOOT_NOTE];
  const cu = sectionLines(sections, 'pacman-checkupdates');
  const qu = sectionLines(sections, 'pacman-qu');
  const qList = listing(qu.lines);
  if (qList.exit === null) throw new UnparseableOutputError("the host's pacman -Qu output was cut off");
  const syncAge = newestAge(sections, 'pacman-sync');
  const synced = syncAge === null ? 'have never been synced' : `were last synced ${ago(syncAge)}`;

  let source = qList;
  let listsAge = syncAge;
  const cList = cu.lines[0] === 'absent' ? null : listing(cu.lines);
  if (cList && (cList.exit === 0 || cList.exit === 2)) {
    source = cList;
    // checkupdates synced its private copy moments ago.
    listsAge = 0;
  } else {
    const why = cList
      ? `checkupdates could not sync a private copy of the databases (${failed(cList.errors, cList.exit)})`
      : 'checkupdates (pacman-contrib) is not installed';
    warnings.push(
      `${why}: updates come from the host's own package databases, which ${synced} and may be stale — ${SYNC_ADVICE}.`,
    );
    // pacman -Qu exits 1 both for "nothing to upgrade" and for errors: only what it printed tells them apart.
    const failure = qList.errors[0] ?? qList.unknown[0];
    if (qList.exit !== 0 && qList.updates.length === 0 && failure !== undefined) {
      throw new UnparseableOutputError(`pacman -Qu failed on the host: ${message(failure)}`);
    }
  }
  warnings.push(...source.warnings.slice(0, 5).map((w) => `pacman: ${w}`));

  const ignoredByConf = (sections.get('pacman-ignore') ?? '').split('\n').filter((n) => PACMAN_NAME.test(n));
  const held = [...new Set([...ignoredByConf, ...qList.updates.filter((u) => u.ignored).map((u) => u.name)])];
  const auditLines = sectionLines(sections, 'pacman-audit').lines;
  const audited = audit(auditLines, warnings);
  if (auditLines[0] === 'absent') notes.push(NO_ARCH_AUDIT_NOTE);
  else if (audited) notes.push(ARCH_AUDIT_NOTE);

  const patches = new Map<string, PendingPatch>();
  // A held package's update is shown, marked held (a held security fix must not vanish): checkupdates
  // leaves IgnorePkg lines out, so those come from pacman -Qu's `[ignored]` lines.
  const ignoredUpdates = qList.updates.filter((u) => u.ignored);
  for (const u of [...source.updates, ...ignoredUpdates]) {
    if (patches.has(u.name)) continue;
    const a = audited?.get(u.name);
    // A fix newer than the candidate is not in this host's databases yet: the update may not contain it.
    const behind = a?.fixed ? comparePacmanVersions(u.candidate, a.fixed) < 0 : false;
    if (a && behind) {
      warnings.push(
        `${u.name}: the security fix (${a.fixed}) is newer than what the host's databases offer (${u.candidate}).`,
      );
    }
    patches.set(u.name, {
      name: u.name,
      arch: '',
      installedVersion: u.installed,
      candidateVersion: u.candidate,
      origin: '',
      security: audited === null || behind ? null : a !== undefined,
      severity: a && !behind ? a.severity : null,
      advisories: [],
      cves: a && !behind ? a.cves : [],
      isNew: false,
      keptBack: false,
      ...(u.ignored || held.includes(u.name) ? { held: true } : {}),
    });
  }
  const dropped = source.unknown.length;
  if (dropped > 0)
    warnings.push(`${dropped} line(s) of pacman output did not look like package updates and were ignored`);
  if (cu.cut || qu.cut)
    warnings.push('pacman printed more lines than Patchbay reads; the list may be incomplete');
  return {
    packageManager: 'pacman',
    facts: linuxFacts(sections),
    patches: [...patches.values()].sort(
      (a, b) => Number(b.security === true) - Number(a.security === true) || a.name.localeCompare(b.name),
    ),
    removals: [],
    held,
    reboot: pacmanReboot(sectionLines(sections, 'pacman-kernel').lines),
    listsAgeSeconds: listsAge,
    warnings,
    notes,
  };
}

/** Arch Linux and derivatives (Manjaro, EndeavourOS…). */
export const pacmanAdapter: PlatformAdapter = {
  id: 'pacman',
  probe: PACMAN_PROBE,
  collect: PACMAN_COLLECT,
  parse: parsePacman,
};
