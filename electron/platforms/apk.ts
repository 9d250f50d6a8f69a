import type { PlatformAdapter } from './adapter';
import { APK_COLLECT, APK_PROBE } from './apk-collect';
import { isKernelRelease, linuxFacts } from './host-facts';
import { STALE_LISTS_SECONDS } from './lists-age';
import { ago, exitCode, keyValues, message, newestAge, sectionLines } from './section-readers';
import type { Sections } from './sections';
import { type PendingPatch, type ScanFindings, UnparseableOutputError } from './types';

/** Why security is unknown on Alpine hosts. */
export const APK_SECURITY_NOTE =
  'Alpine publishes security data in a separate feed (secdb); Patchbay does not read it yet';

/** Package names as apk-tools and abuild accept them (Alpine has a few upper-case ones, e.g. `R`). */
export const APK_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/;
/**
 * apk's version grammar (apk-version(8), APKBUILD pkgver/pkgrel): numbers and dots, an optional letter,
 * `_alpha`… suffixes, an optional `~hash`, and `-rN`.
 */
export const APK_VERSION =
  /^[0-9]{1,20}(?:\.[0-9]{1,20}){0,15}[a-z]?(?:_(?:alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]{0,20}){0,4}(?:~[0-9a-f]{1,40})?(?:-r[0-9]{1,10})?$/;
const APK_ARCH = /^[a-z0-9_]{1,20}$/;

// `<name>-<ver> <arch> {<origin>} (<license>) [upgradable from: <name>-<oldver>]` (apk-tools print_package).
const LINE = /^(\S+) (\S+) \{[^}]*\} \(.*\) \[upgradable from: (\S+)\]$/;

/** Splits apk's `name-version-rN`: the version is the last two dash-separated fields. */
export function splitNameVersion(s: string): { name: string; version: string } | null {
  const m = /^(.+)-([^-]+-r[0-9]+)$/.exec(s);
  if (!m?.[1] || !m[2] || !APK_NAME.test(m[1]) || !APK_VERSION.test(m[2])) return null;
  return { name: m[1], version: m[2] };
}

/** World entries pinned to one version (`name=1.2.3-r0`, `name@tag=…`): apk upgrade leaves them be. */
function pinned(world: string): string[] {
  return world
    .split(/\s+/)
    .map((e) => /^([A-Za-z0-9][A-Za-z0-9._+-]{0,127})(?:@[A-Za-z0-9_-]{1,40})?=[0-9]/.exec(e)?.[1])
    .filter((n): n is string => n !== undefined);
}

/** A reboot is due when the running kernel's modules are gone and another kernel's are installed. */
function apkReboot(lines: readonly string[]): ScanFindings['reboot'] {
  const kv = keyValues(lines);
  const running = kv.get('running') ?? '';
  const installed = lines
    .filter((l) => l.startsWith('installed '))
    .map((l) => l.slice('installed '.length))
    .filter(isKernelRelease);
  // No modules at all: a container or a kernel supplied from outside — no claim.
  if (!isKernelRelease(running) || kv.get('modules') !== 'missing' || installed.length === 0) {
    return { required: false, reasons: [] };
  }
  return {
    required: true,
    reasons: [`running kernel ${running} is no longer installed (installed: ${installed.join(', ')})`],
  };
}

/** Turns the collection script's apk sections into findings. */
export function parseApk(sections: Sections): ScanFindings {
  if (!sections.has('end'))
    throw new UnparseableOutputError('the scan output ended early (connection dropped?)');
  const { lines, cut } = sectionLines(sections, 'apk-upgradable');
  const code = exitCode(lines);
  if (code === null) throw new UnparseableOutputError("the host's apk list output was cut off");
  const held = pinned(sections.get('apk-world') ?? '');
  const warnings: string[] = [];
  const messages: string[] = [];
  const unknown: string[] = [];
  const patches = new Map<string, PendingPatch>();
  let duplicates = 0;
  for (const line of lines) {
    if (line === '' || /^exit=\d+$/.test(line)) continue;
    if (/^(WARNING|ERROR): /.test(line)) {
      messages.push(message(line));
      continue;
    }
    const m = LINE.exec(line);
    const candidate = m?.[1] ? splitNameVersion(m[1]) : null;
    const installed = m?.[3] ? splitNameVersion(m[3]) : null;
    if (!m || !candidate || !installed || installed.name !== candidate.name || !APK_ARCH.test(m[2] ?? '')) {
      unknown.push(line);
      continue;
    }
    // Two newer versions in two allowed repositories: apk lists both; the first stands for the update.
    if (patches.has(candidate.name)) {
      duplicates++;
      continue;
    }
    patches.set(candidate.name, {
      name: candidate.name,
      arch: m[2] ?? '',
      installedVersion: installed.version,
      candidateVersion: candidate.version,
      origin: '',
      security: null,
      severity: null,
      advisories: [],
      cves: [],
      isNew: false,
      keptBack: false,
      // Pinned in /etc/apk/world: apk upgrade leaves it, but the update (maybe a fix) must still show.
      ...(held.includes(candidate.name) ? { held: true } : {}),
    });
  }
  const failure = messages.find((l) => l.startsWith('ERROR: ')) ?? unknown[0];
  if (code !== 0 && patches.size === 0 && failure !== undefined) {
    throw new UnparseableOutputError(`apk failed on the host: ${message(failure)}`);
  }
  warnings.push(...messages.slice(0, 5).map((w) => `apk: ${w}`));
  if (unknown.length > 0) {
    warnings.push(
      `${unknown.length} line(s) of apk output did not look like package updates and were ignored`,
    );
  }
  if (duplicates > 0) warnings.push(`${duplicates} package(s) are offered in more than one newer version`);
  if (cut) warnings.push('apk printed more lines than Patchbay reads; the list may be incomplete');
  const age = newestAge(sections, 'apk-indexes');
  if (age === null) warnings.push('The package lists have never been downloaded (run apk update).');
  else if (age > STALE_LISTS_SECONDS) {
    warnings.push(
      `The package lists were last downloaded ${ago(age)}: recent fixes may be missing (run apk update).`,
    );
  }
  return {
    packageManager: 'apk',
    facts: linuxFacts(sections),
    patches: [...patches.values()].sort((a, b) => a.name.localeCompare(b.name)),
    removals: [],
    held,
    reboot: apkReboot(sectionLines(sections, 'apk-kernel').lines),
    listsAgeSeconds: age,
    warnings,
    notes: [APK_SECURITY_NOTE],
  };
}

/**
 * Alpine Linux (apk-tools 2 and 3). Fixture-tested: apk-tools is not in Debian, so its tests read output
 * written from apk-tools' documentation and source, never a capture.
 */
export const apkAdapter: PlatformAdapter = {
  id: 'apk',
  probe: APK_PROBE,
  collect: APK_COLLECT,
  parse: parseApk,
};
