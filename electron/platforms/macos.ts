import type { PlatformAdapter } from './adapter';
import { STALE_LISTS_SECONDS } from './lists-age';
import { parseBrew } from './macos-brew';
import { MACOS_COLLECT, MACOS_PROBE } from './macos-collect';
import { ago, exitCode, keyValues, message, newestAge, sectionLines } from './section-readers';
import type { Sections } from './sections';
import { type HostFacts, type PendingPatch, type ScanFindings, UnparseableOutputError } from './types';

/** The install limit on Apple silicon, shown with every Apple silicon Mac's results. */
export const APPLE_SILICON_NOTE =
  "Installing macOS updates remotely on Apple silicon needs a volume owner's credentials (softwareupdate --install asks for them); Patchbay can list them but a technician may have to approve installs on the Mac.";
/** Why most macOS updates show security as unknown. */
export const MACOS_SECURITY_NOTE =
  'macOS names security only in Security Updates, Rapid Security Responses and Background Security ' +
  'Improvements; other updates (point releases, Safari) usually fix vulnerabilities too, so their security ' +
  'is shown as unknown.';
/** Homebrew's own blind spot. */
export const BREW_GREEDY_NOTE =
  'Homebrew casks that update themselves (auto_updates) or have no version (latest) are not listed.';

/** Marketing names by major version (11 and later; 10.x by minor). */
const NAMES: Record<string, string> = {
  '10.13': 'High Sierra',
  '10.14': 'Mojave',
  '10.15': 'Catalina',
  '11': 'Big Sur',
  '12': 'Monterey',
  '13': 'Ventura',
  '14': 'Sonoma',
  '15': 'Sequoia',
  '26': 'Tahoe',
};

/** softwareupdate labels are what `--install` takes: letters, digits and a few separators, nothing a shell reads. */
export const MACOS_LABEL = /^[A-Za-z0-9][A-Za-z0-9 ._()+-]{0,127}$/;
const MACOS_VERSION = /^[0-9A-Za-z][0-9A-Za-z ._()+-]{0,63}$/;
const SECURITY = /\bsecurity (?:update|response|improvement)s?\b/i;
// Rapid Security Responses carry a letter in parentheses: 13.4.1 (a).
const RSR_VERSION = /^\d+(?:\.\d+)+ \([a-z]\)$/;
// Lines softwareupdate prints around the list (stderr and stdout merged, English).
const CHATTER =
  /^(Software Update Tool|Finding available software|Software Update found the following new or updated software:|No new software available\.)$/;

/** sw_vers: the macOS version, and the Rapid Security Response letter (` (a)`) when one is installed. */
function swVers(sections: Sections): { version: string; extra: string } {
  const sw = new Map<string, string>();
  for (const line of (sections.get('sw-vers') ?? '').split('\n')) {
    const m = /^(\w{1,40}):\s+(.*)$/.exec(line);
    if (m?.[1] && m[2] !== undefined) sw.set(m[1], m[2].trim());
  }
  const version = sw.get('ProductVersion') ?? '';
  if (!/^\d{1,3}(\.\d{1,3}){0,2}$/.test(version)) {
    throw new UnparseableOutputError('sw_vers did not report a macOS version');
  }
  const extra = /^\([a-z]\)$/.test(sw.get('ProductVersionExtra') ?? '')
    ? ` ${sw.get('ProductVersionExtra')}`
    : '';
  return { version, extra };
}

function macFacts(sections: Sections): HostFacts {
  const { version, extra } = swVers(sections);
  const [major = '', minor = ''] = version.split('.');
  const name = NAMES[major === '10' ? `10.${minor}` : major] ?? '';
  const [, kernel = '', arch = ''] = (sections.get('uname') ?? '').split(/\s+/);
  const boot = keyValues((sections.get('macos-boot') ?? '').split('\n'));
  const session = (boot.get('session') ?? '').toLowerCase();
  const bootSec = Number(/\bsec = (\d+)/.exec(boot.get('boottime') ?? '')?.[1]);
  const now = Number(sections.get('now'));
  return {
    osId: 'macos',
    osLike: '',
    prettyName: `macOS ${version}${extra}${name ? ` ${name}` : ''}`,
    versionId: version,
    codename: name.toLowerCase().replace(/ /g, ''),
    kernel: /^[\w.]{1,40}$/.test(kernel) ? kernel : '',
    arch: /^[\w-]{1,32}$/.test(arch) ? arch : '',
    bootId: /^[0-9a-f-]{36}$/.test(session) ? session : '',
    uptimeSeconds: Number.isFinite(bootSec) && Number.isFinite(now) && now >= bootSec ? now - bootSec : null,
  };
}

interface AppleUpdates {
  patches: PendingPatch[];
  restarts: string[];
  warnings: string[];
}

/** `* Label: …` followed by `\tTitle: …, Version: …, Size: …KiB, Recommended: YES, Action: restart,`. */
function appleUpdates(lines: readonly string[], osVersion: string): AppleUpdates {
  const code = exitCode(lines);
  if (code === null) throw new UnparseableOutputError("the host's softwareupdate output was cut off");
  const out: AppleUpdates = { patches: [], restarts: [], warnings: [] };
  const unknown: string[] = [];
  let dropped = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '' || /^exit=\d+$/.test(line) || CHATTER.test(line.trim())) continue;
    const label = /^\* Label: (.*)$/.exec(line)?.[1];
    if (label === undefined) {
      unknown.push(line);
      continue;
    }
    const detail = lines[i + 1] ?? '';
    const title = /^\s*Title: (.*?), Version: /.exec(detail)?.[1];
    const version = /, Version: (.*?),/.exec(detail)?.[1];
    if (
      title === undefined ||
      version === undefined ||
      !MACOS_LABEL.test(label) ||
      !MACOS_VERSION.test(version)
    ) {
      dropped++;
      continue;
    }
    i++;
    const security = SECURITY.test(label) || SECURITY.test(title) || RSR_VERSION.test(version);
    const system = /^macOS /.test(title) || /^macOS /.test(label);
    if (/, Action: (?:restart|shut down),/.test(`${detail},`)) out.restarts.push(label);
    out.patches.push({
      name: label,
      arch: '',
      installedVersion: system ? osVersion : '',
      candidateVersion: version,
      origin: 'Apple softwareupdate',
      // A titled security update is one; anything else may or may not be (see MACOS_SECURITY_NOTE).
      security: security ? true : null,
      severity: null,
      advisories: [],
      cves: [],
      isNew: false,
      keptBack: false,
    });
  }
  if (code !== 0 && out.patches.length === 0) {
    throw new UnparseableOutputError(
      `softwareupdate failed on the host: ${message(unknown[0] ?? `exit code ${code}`)}`,
    );
  }
  // Another language, an old format or a network error: say what it said rather than claim "no updates".
  if (unknown.length > 0) out.warnings.push(`softwareupdate said: ${message(unknown[0] ?? '')}`);
  if (dropped > 0)
    out.warnings.push(`${dropped} softwareupdate entr(ies) did not look like updates and were ignored`);
  return out;
}

/** Turns the collection script's macOS sections into findings. */
export function parseMacos(sections: Sections): ScanFindings {
  if (!sections.has('end'))
    throw new UnparseableOutputError('the scan output ended early (connection dropped?)');
  const facts = macFacts(sections);
  // A system update replaces the macOS in place, Rapid Security Response included: `13.4.1 (a)` -> `13.4.1 (c)`.
  const { extra } = swVers(sections);
  const apple = appleUpdates(sectionLines(sections, 'softwareupdate').lines, `${facts.versionId}${extra}`);
  const brew = parseBrew(sectionLines(sections, 'brew').lines);
  const warnings = [...apple.warnings, ...brew.warnings];
  const notes = [MACOS_SECURITY_NOTE];
  const arm64 = keyValues((sections.get('macos-boot') ?? '').split('\n')).get('arm64') === '1';
  if (arm64 || facts.arch === 'arm64') notes.unshift(APPLE_SILICON_NOTE);
  // A pending update that restarts the Mac when installed is not a reboot the Mac needs now.
  if (apple.restarts.length > 0) notes.push(`Installing ${apple.restarts.join(', ')} restarts the Mac.`);
  let listsAge: number | null = 0;
  if (brew.ran) {
    notes.push(BREW_GREEDY_NOTE);
    listsAge = newestAge(sections, 'brew-api');
    if (listsAge !== null && listsAge > STALE_LISTS_SECONDS) {
      warnings.push(
        `Homebrew's package data was last updated ${ago(listsAge)}: run brew update as the Mac's user.`,
      );
    }
  }
  return {
    packageManager: 'macos',
    facts,
    patches: [
      ...apple.patches.sort((a, b) => Number(b.security === true) - Number(a.security === true)),
      ...brew.patches.sort((a, b) => a.name.localeCompare(b.name)),
    ],
    removals: [],
    held: brew.held,
    reboot: { required: false, reasons: [] },
    listsAgeSeconds: listsAge,
    warnings,
    notes,
  };
}

/**
 * macOS: Apple's softwareupdate and Homebrew. Fixture-tested: neither runs on Linux, so its tests read
 * known output shapes, never a capture.
 */
export const macosAdapter: PlatformAdapter = {
  id: 'macos',
  probe: MACOS_PROBE,
  collect: MACOS_COLLECT,
  parse: parseMacos,
};
