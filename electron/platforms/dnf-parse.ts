/**
 * Line parsers for what dnf (4 and 5) and yum 3 print in the C locale. Every line is checked against the
 * rpm grammar; a line that does not fit is counted, never guessed at.
 */
import {
  ADVISORY_ID,
  CVE_ID,
  displayText,
  keyOf,
  type Nevra,
  nevraOf,
  normalizeSeverity,
  parseNevra,
  REPO_ID,
  RPM_NAME,
} from './rpm-names';
import { parseEvr } from './rpm-version';

/** Which tool the host has: their output formats differ. */
export type DnfFlavour = 'dnf5' | 'dnf4' | 'yum';

/** An available update as check-update or repoquery reports it. */
export interface Listed extends Nevra {
  repo: string;
}

/** What `check-update` printed. */
export interface CheckUpdate {
  updates: Map<string, Listed>;
  /** Packages that replace installed ones (dnf's "Obsoleting Packages"), with what they replace. */
  obsoleting: { by: Listed; replaces: string[] }[];
  /** Repository problems dnf reported (failed metadata downloads…). */
  messages: string[];
  dropped: number;
}

// Repository failures as dnf 4/5 and yum print them (C locale).
const REPO_PROBLEM = [
  /^Error: /,
  /^Errors during downloading metadata/,
  /^Failed to download metadata/,
  /^Ignoring repositories: /,
  /^One of the configured repositories failed/,
  /^Cannot download /,
  /^\S+: \[Errno \d+\]/,
  /^Warning: /,
  /^ *- Curl error/,
];

/** `name.arch  [epoch:]version-release  repo`, the line shape check-update prints. */
function listedLine(tokens: string[]): Listed | null | undefined {
  const [na = '', evr = '', repo = ''] = tokens;
  const dot = na.lastIndexOf('.');
  if (tokens.length !== 3 || dot < 1) return undefined;
  const e = parseEvr(evr);
  const p = nevraOf(na.slice(0, dot), String(e.epoch), e.version, e.release, na.slice(dot + 1));
  // Installed packages show as @System, @commandline (rpm file) or @anaconda: not a repository id.
  const r = repo.replace(/^@+/, '');
  return p && e.release && REPO_ID.test(r) ? { ...p, repo: repo.startsWith('@') ? '' : r } : null;
}

/**
 * Reads `dnf check-update` / `yum check-update`. yum 3 wraps a long name.arch onto a line of its own; the
 * version and repository follow, indented, on the next line.
 */
export function parseCheckUpdate(lines: string[]): CheckUpdate {
  const out: CheckUpdate = { updates: new Map(), obsoleting: [], messages: [], dropped: 0 };
  let obsoleting = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    // DNF4 and yum say "Obsoleting Packages", DNF5 "Obsoleting packages".
    if (/^Obsoleting packages\s*$/i.test(line)) {
      obsoleting = true;
      continue;
    }
    let tokens = line.trim().split(/\s+/);
    // An overflowing column ends its line; the rest follows on the next one, indented (yum's fmtColumns).
    while (tokens.length < 3 && tokens[0]?.includes('.') && /^\s+\S/.test(lines[i + 1] ?? '')) {
      const more = (lines[i + 1] ?? '').trim().split(/\s+/);
      if (tokens.length + more.length > 3) break;
      tokens = [...tokens, ...more];
      i++;
    }
    const listed = listedLine(tokens);
    if (listed === undefined) {
      if (REPO_PROBLEM.some((p) => p.test(line)) && out.messages.length < 10)
        out.messages.push(displayText(line));
      continue;
    }
    if (listed === null) out.dropped++;
    else if (!obsoleting) out.updates.set(keyOf(listed), listed);
    else if (/^\s/.test(line)) out.obsoleting.at(-1)?.replaces.push(listed.name);
    else out.obsoleting.push({ by: listed, replaces: [] });
  }
  return out;
}

/** `repoquery --upgrades` lines: name, epoch, version, release, arch, repoid separated by tabs. */
export function parseRepoquery(lines: string[]): { upgrades: Listed[]; dropped: number } {
  const upgrades: Listed[] = [];
  let dropped = 0;
  for (const line of lines) {
    const f = line.split('\t');
    if (f.length !== 6) continue;
    const p = nevraOf(f[0] ?? '', f[1] ?? '', f[2] ?? '', f[3] ?? '', f[4] ?? '');
    const repo = f[5] ?? '';
    if (p && REPO_ID.test(repo)) upgrades.push({ ...p, repo });
    else dropped++;
  }
  return { upgrades, dropped };
}

/** One package of one advisory (or of one CVE, for the --with-cve lists). */
export interface AdvisoryEntry {
  id: string;
  security: boolean;
  severity: string | null;
  package: Nevra;
}

// Progress and plugin chatter yum and dnf print around a listing even with -q.
const NOISE = [
  /^Loaded plugins: /,
  /^Loading mirror speeds/,
  /^ \* [\w.-]+: /,
  /^\w+ (list|info|summary) done$/,
  /^Last metadata expiration check/,
  /^Updating and loading repositories:$/,
  /^Repositories loaded\.$/,
];

const DNF4_LABEL =
  /^(?:(Critical|Important|Moderate|Low|Unknown)\/Sec\.|(security)|(bugfix|enhancement|newpackage|unknown))$/;
const DATE = /^\d{4}-\d\d-\d\d$/;
const TIME = /^\d\d:\d\d:\d\d$/;

/**
 * Reads `updateinfo list` (DNF4, yum: `ID LABEL NEVRA`, LABEL a type or `Severity/Sec.`) or DNF5's
 * `advisory list` table (`ID TYPE [SEVERITY] NEVRA DATE TIME`). Lines of any other shape — another locale,
 * a new format, garbage — are counted in `unreadable`, which makes the caller treat security as unknown.
 */
export function parseAdvisories(
  lines: string[],
  flavour: DnfFlavour,
  idPattern: RegExp = ADVISORY_ID,
): { entries: AdvisoryEntry[]; unreadable: number } {
  const entries: AdvisoryEntry[] = [];
  let unreadable = 0;
  let first = true;
  for (const line of lines) {
    const t = line.trim().split(/\s+/);
    if (!line.trim() || NOISE.some((n) => n.test(line))) continue;
    // DNF5's table header (its words are translated, so it is recognised by shape: no NEVRA).
    const header = first && flavour === 'dnf5' && !t.some((x) => parseNevra(x));
    first = false;
    if (header) continue;
    let entry: AdvisoryEntry | null = null;
    if (flavour === 'dnf5') {
      const [id = '', type = ''] = t;
      const hasDate = DATE.test(t.at(-2) ?? '') && TIME.test(t.at(-1) ?? '');
      const body = hasDate ? t.slice(0, -2) : t;
      const pkg = parseNevra(body.at(-1) ?? '');
      if (pkg && (body.length === 3 || body.length === 4) && idPattern.test(id)) {
        const security = type === 'security';
        entry = {
          id,
          security,
          severity: body.length === 4 ? normalizeSeverity(body[2]) : null,
          package: pkg,
        };
      }
    } else {
      // `i` marks installed advisories in `--all` listings.
      const u = t[0] === 'i' ? t.slice(1) : t;
      const [id = '', label = '', nevra = ''] = u;
      const m = DNF4_LABEL.exec(label);
      const pkg = parseNevra(nevra);
      if (m && pkg && (u.length === 3 || u.length === 5) && idPattern.test(id)) {
        entry = { id, security: Boolean(m[1] ?? m[2]), severity: normalizeSeverity(m[1]), package: pkg };
      }
    }
    if (entry) entries.push(entry);
    else unreadable++;
  }
  return { entries, unreadable };
}

/** The `--with-cve` listings, whose first column is a CVE id (other reference ids are skipped). */
export function parseCveList(lines: string[], flavour: DnfFlavour): AdvisoryEntry[] {
  // Red Hat also lists bare numbers as CVE references: not CVE ids, so not kept.
  return parseAdvisories(lines, flavour, /^\S+$/).entries.filter((e) => CVE_ID.test(e.id));
}

/** What needs-restarting said. */
export interface RebootAnswer {
  state: 'required' | 'not-required' | 'unknown';
  reasons: string[];
  /** Why the answer is unknown. */
  why?: string;
}

/**
 * `needs-restarting -r` (dnf-utils, yum-utils, DNF5): exit 1 with "Reboot is required…" and the updated
 * core packages, or exit 0 with "…should not be necessary" / "…probably not necessary". Exit 1 alone means
 * nothing — dnf exits 1 for "No such command" too.
 */
export function parseNeedsRestarting(exit: string | undefined, lines: string[]): RebootAnswer {
  const reasons: string[] = [];
  for (const line of lines) {
    // DNF: "  * glibc"; yum-utils: "  glibc -> 2.17-326.el7_9".
    const m = /^\s+(?:\* (\S+)|(\S+) -> (\S+))\s*$/.exec(line);
    const name = m?.[1] ?? m?.[2];
    if (name && RPM_NAME.test(name) && reasons.length < 50) reasons.push(`updated ${name} since boot`);
  }
  const says = (re: RegExp) => lines.some((l) => re.test(l));
  if (exit === '1' && says(/^Reboot is required/)) {
    return {
      state: 'required',
      reasons: reasons.length ? reasons : ['core packages were updated since boot'],
    };
  }
  if (exit === '0' && says(/^(Reboot should not be necessary|Reboot is probably not necessary)/)) {
    return { state: 'not-required', reasons: [] };
  }
  // DNF4 says "No such command", DNF5 'Unknown argument "needs-restarting"' when the plugin is missing.
  if (exit === '127' || says(/^(No such command: needs-restarting|Unknown argument "needs-restarting")/)) {
    return {
      state: 'unknown',
      reasons: [],
      why: 'needs-restarting is not installed (dnf-utils, yum-utils or dnf5-plugins)',
    };
  }
  return { state: 'unknown', reasons: [], why: 'needs-restarting gave no answer Patchbay can read' };
}

/**
 * Version locks as patterns of package names: DNF4 `name-epoch:version-release.arch` (`!` lines exclude a
 * version instead), yum 3 `epoch:name-version-release.arch`, DNF5 `Package name: name`.
 */
export function parseLocks(lines: string[]): string[] {
  const names: string[] = [];
  for (const line of lines) {
    const m =
      /^Package name: (\S+)$/.exec(line) ??
      /^(?:\d+:)?(\S+)-(?:\d+:)?[^-\s]+-[^-\s]+\.[A-Za-z0-9_*]+$/.exec(line.trim());
    const name = m?.[1];
    if (name && !line.startsWith('!') && /^[A-Za-z0-9._+*?[\]-]{1,128}$/.test(name)) names.push(name);
  }
  return names;
}
