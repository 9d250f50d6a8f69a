/**
 * Readers for zypper's output (C locale): `--xmlout list-updates`, `--xmlout list-patches`, the Conflicts
 * of `info -t patch` and `--xmlout locks`. Names and versions are checked against the rpm grammar.
 */
import { ADVISORY_ID, CVE_ID, type Nevra, nevraOf, normalizeSeverity, REPO_ID, RPM_NAME } from './rpm-names';
import { type Evr, parseEvr } from './rpm-version';
import { xmlEvents } from './zypper-xml';

/** A package update from list-updates. */
export interface ZypperUpdate extends Nevra {
  old: Evr | null;
  repo: string;
}

const evrOk = (e: Evr) =>
  nevraOf('x', String(e.epoch), e.version, e.release, 'noarch') !== null && !!e.release;

/** `<update kind="package" name edition arch edition-old>` with its `<source alias>`. */
export function parseUpdates(text: string): { updates: ZypperUpdate[]; dropped: number } {
  const updates: ZypperUpdate[] = [];
  let dropped = 0;
  let current: Record<string, string> | null = null;
  let repo = '';
  const finish = () => {
    if (!current) return;
    const e = parseEvr(current.edition ?? '');
    const old = current['edition-old'] ? parseEvr(current['edition-old']) : null;
    const p = nevraOf(current.name ?? '', String(e.epoch), e.version, e.release, current.arch ?? '');
    if (p && evrOk(e) && (!old || evrOk(old)) && REPO_ID.test(repo)) updates.push({ ...p, old, repo });
    else dropped++;
    current = null;
  };
  for (const ev of xmlEvents(text)) {
    if (ev.kind === 'open' && ev.name === 'update') {
      finish();
      current = ev.attrs.kind === 'package' ? ev.attrs : null;
      repo = '';
      if (ev.selfClosing) finish();
    } else if (ev.kind === 'open' && ev.name === 'source' && current) repo = ev.attrs.alias ?? '';
    else if (ev.kind === 'close' && ev.name === 'update') finish();
  }
  finish();
  return { updates, dropped };
}

/** A patch (SUSE's advisory) from list-patches. */
export interface ZypperPatch {
  id: string;
  status: string;
  category: string;
  severity: string | null;
  /** Installing it asks for a reboot. */
  restart: boolean;
  repo: string;
  cves: string[];
}

/** `<update kind="patch" name status category severity restart>` with its source and CVE issues. */
export function parsePatches(text: string): { patches: ZypperPatch[]; dropped: number } {
  const patches: ZypperPatch[] = [];
  let dropped = 0;
  let current: ZypperPatch | null = null;
  const finish = () => {
    if (current) patches.push(current);
    current = null;
  };
  for (const ev of xmlEvents(text)) {
    if (ev.kind === 'open' && ev.name === 'update') {
      finish();
      const a = ev.attrs;
      if (a.kind !== 'patch') continue;
      if (!ADVISORY_ID.test(a.name ?? '')) {
        dropped++;
        continue;
      }
      current = {
        id: a.name ?? '',
        status: (a.status ?? '').slice(0, 20),
        category: (a.category ?? '').slice(0, 20),
        severity: normalizeSeverity(a.severity),
        restart: a.restart === 'true',
        repo: '',
        cves: [],
      };
      if (ev.selfClosing) finish();
    } else if (ev.kind === 'open' && current && ev.name === 'source') {
      current.repo = REPO_ID.test(ev.attrs.alias ?? '') ? (ev.attrs.alias ?? '') : '';
    } else if (ev.kind === 'open' && current && ev.name === 'issue') {
      const id = ev.attrs.id ?? '';
      if (ev.attrs.type === 'cve' && CVE_ID.test(id) && current.cves.length < 200) current.cves.push(id);
    } else if (ev.kind === 'close' && ev.name === 'update') finish();
  }
  finish();
  return { patches, dropped };
}

/** A package version a patch replaces: its Conflicts entry `name[.arch] < edition`. */
export interface PatchConflict {
  name: string;
  arch: string | null;
  below: Evr;
  /** `<` (below is the fixed edition) rather than `<=` (below is the last affected one). */
  strict: boolean;
}

// Capabilities print as name.arch only with a real arch; names themselves may contain dots (python3.11).
const ARCHES = new Set(
  'noarch x86_64 x86_64_v2 x86_64_v3 x86_64_v4 i386 i486 i586 i686 athlon aarch64 aarch64_ilp32 armv6hl armv7hl armv7l ppc ppc64 ppc64le s390 s390x riscv64 loongarch64 src nosrc'.split(
    ' ',
  ),
);

function conflict(text: string): PatchConflict | null {
  const m = /^(\S+) (<=?) (\S+)$/.exec(text.trim());
  if (!m?.[1] || !m[3]) return null;
  const dot = m[1].lastIndexOf('.');
  const arch = dot > 0 && ARCHES.has(m[1].slice(dot + 1)) ? m[1].slice(dot + 1) : null;
  const name = arch ? m[1].slice(0, dot) : m[1];
  const below = parseEvr(m[3]);
  return RPM_NAME.test(name) && evrOk(below) ? { name, arch, below, strict: m[2] === '<' } : null;
}

/** `Information for patch X:` followed by `Conflicts : a < 1` or `Conflicts : [n]` and indented entries. */
export function parsePatchInfo(text: string): Map<string, PatchConflict[]> {
  const out = new Map<string, PatchConflict[]>();
  let current: PatchConflict[] | null = null;
  let inConflicts = false;
  for (const line of text.split('\n')) {
    const head = /^Information for patch (\S+):$/.exec(line);
    if (head) {
      current = ADVISORY_ID.test(head[1] ?? '') ? [] : null;
      if (current) out.set(head[1] ?? '', current);
      inConflicts = false;
      continue;
    }
    const inline = /^Conflicts\s*:\s*(.*)$/.exec(line);
    if (inline) inConflicts = true;
    else if (!/^\s+\S/.test(line)) inConflicts = false;
    const entry = inline ? (inline[1] ?? '') : inConflicts ? line : '';
    const c = entry && !/^\[\d+\]$/.test(entry.trim()) ? conflict(entry) : null;
    if (c && current && current.length < 500) current.push(c);
  }
  return out;
}

/** Package lock patterns from `--xmlout locks` (locks on patches, patterns or products hold no package). */
export function parseLockPatterns(text: string): string[] {
  const names: string[] = [];
  let lock: { name: string; type: string } | null = null;
  let field = '';
  for (const ev of xmlEvents(text)) {
    if (ev.kind === 'open' && ev.name === 'lock') lock = { name: '', type: '' };
    else if (ev.kind === 'open' && lock) field = ev.name;
    else if (ev.kind === 'text' && lock && (field === 'name' || field === 'type'))
      lock[field] += ev.text.trim();
    else if (ev.kind === 'close' && ev.name === 'lock' && lock) {
      if ((lock.type || 'package') === 'package' && /^[A-Za-z0-9._+*?[\]-]{1,128}$/.test(lock.name))
        names.push(lock.name);
      lock = null;
    } else if (ev.kind === 'close') field = '';
  }
  return names;
}
