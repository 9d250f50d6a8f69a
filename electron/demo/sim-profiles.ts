import { SECTION_MARKER } from '../platforms/adapter';
import { ADAPTERS } from '../platforms/adapters';
import { parseFindings } from '../platforms/findings';
import { CAPTURED_PROFILES } from './sim-profiles.generated';

/**
 * What one kind of simulated host prints for the collection script: an output captured from real tools
 * (test/sim/capture-profiles.ts), replayed byte for byte except for the per-host facts below.
 */
export interface SimProfile {
  /** e.g. `debian12-security`. */
  id: string;
  /** What the host's package manager section says (`apt`, `dnf`, …). */
  platform: string;
  /** Where it was captured and in what state, for people reading a demo or a failing test. */
  source: string;
  /** sha256 of the COLLECT_SCRIPT that produced it: a different script means the profile may be stale. */
  scriptSha256: string;
  output: string;
  /** What the platform's list refresh (`apt-get update`) printed on the same host, when captured. */
  refreshOutput?: string;
}

/** Per-host facts a profile's output is given, so a thousand hosts do not all look like one. */
export interface SimFacts {
  bootId: string;
  uptimeSeconds: number;
  /** Used only when the collection output has a `hostname` section. */
  hostname?: string;
}

const MARKER = new RegExp(`^${SECTION_MARKER}([a-z0-9-]{1,40})@@$`);

/** The body of one section (trimmed), or '' when the output has no such section. */
export function sectionOf(output: string, name: string): string {
  const lines = output.split('\n');
  const at = lines.indexOf(`${SECTION_MARKER}${name}@@`);
  if (at < 0) return '';
  const body: string[] = [];
  for (const line of lines.slice(at + 1)) {
    if (MARKER.test(line)) break;
    body.push(line);
  }
  return body.join('\n').trim();
}

/**
 * A profile's output with this host's facts: the first line of `boot-id`, `uptime` (and `hostname`, should
 * the script ever print one) changes; nothing else does. The host clock (`now`) stays as captured on
 * purpose: every platform's parser measures ages (package lists, metadata caches) against it, with
 * timestamps in sections of its own, so a replayed `now` keeps each of those ages exactly as captured.
 */
export function renderProfile(profile: SimProfile, facts: SimFacts): string {
  // /proc/uptime's second field (idle time) keeps its captured ratio to the first.
  const [up, idle] = sectionOf(profile.output, 'uptime').split(/\s+/).map(Number);
  const idleRatio = up && idle ? idle / up : 1;
  let section = '';
  let first = false;
  return profile.output
    .split('\n')
    .map((line) => {
      const m = MARKER.exec(line);
      if (m?.[1]) {
        section = m[1];
        first = true;
        return line;
      }
      if (line === '' || !first) return line;
      first = false;
      switch (section) {
        case 'boot-id':
          return facts.bootId;
        case 'uptime':
          return `${facts.uptimeSeconds.toFixed(2)} ${(facts.uptimeSeconds * idleRatio).toFixed(2)}`;
        case 'hostname':
          return facts.hostname ?? line;
        default:
          return line;
      }
    })
    .join('\n');
}

/** Every profile this build carries (see test/sim/README.md to add one). */
export const PROFILES: readonly SimProfile[] = CAPTURED_PROFILES;

let usable: readonly SimProfile[] | null = null;

/**
 * The profiles a fleet replays by default: those whose platform Patchbay has an adapter for and whose
 * output it parses. Captured outputs of platforms still in the works wait here until their adapter lands.
 */
export function usableProfiles(): readonly SimProfile[] {
  usable ??= PROFILES.filter((p) => {
    if (!ADAPTERS.some((a) => a.id === p.platform)) return false;
    try {
      parseFindings(p.output);
      return true;
    } catch {
      return false;
    }
  });
  return usable;
}

/** A profile by id; throws with the known ids, so a typo in a test says what exists. */
export function profileById(id: string): SimProfile {
  const p = PROFILES.find((x) => x.id === id);
  if (!p) throw new Error(`no simulator profile "${id}" (have: ${PROFILES.map((x) => x.id).join(', ')})`);
  return p;
}
