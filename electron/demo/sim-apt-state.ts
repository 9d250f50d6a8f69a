// A simulated apt host's package state, read from its captured collection output, and that output rewritten
// after a simulated install (fleet simulator, see sim-rollout.ts): the verify rescan must no longer list
// what was installed, exactly as apt on a real host would stop listing it.
import { SECTION_MARKER } from '../platforms/adapter';

/** A package as the simulated host knows it. */
export interface SimPackage {
  name: string;
  arch: string;
  /** '' when not installed. */
  installed: string;
  /** What apt would install (the `Inst` line's version); equal to `installed` when up to date. */
  candidate: string;
  /** The `Inst` line's origin text, e.g. `Debian-Security:12/stable-security`. */
  origin: string;
}

const INST = /^Inst (\S+) (?:\[(\S+)\] )?\((\S+) (.*?) ?\[([^\]\s]+)\]\)/;
const CONF = /^Conf (\S+) \((\S+)/;
const MARK = new RegExp(`^${SECTION_MARKER}([a-z0-9-]{1,40})@@$`);
const SIMULATIONS = new Set(['apt-dist-upgrade', 'apt-upgrade']);

/** The lines of each section, keyed by section name (in order). */
function eachLine(output: string, fn: (section: string, line: string) => string | null): string {
  let section = '';
  const out: string[] = [];
  for (const line of output.split('\n')) {
    const m = MARK.exec(line);
    if (m?.[1]) section = m[1];
    const next = m ? line : fn(section, line);
    if (next !== null) out.push(next);
  }
  return out.join('\n');
}

/**
 * The packages of a captured apt output: every `Inst` of the full-upgrade simulation (installed and
 * candidate versions, origin, arch) and every installed package `apt-cache policy` names, with `installed`
 * (from simulated installs) applied on top.
 */
export function aptPackagesOf(
  output: string,
  installed: ReadonlyMap<string, string>,
): Map<string, SimPackage> {
  const out = new Map<string, SimPackage>();
  let policyName = '';
  eachLine(output, (section, line) => {
    if (section === 'apt-dist-upgrade') {
      const m = INST.exec(line);
      if (m) {
        const name = (m[1] as string).replace(/:[a-z0-9-]+$/, '');
        out.set(name, {
          name,
          arch: m[5] as string,
          installed: m[2] ?? '',
          candidate: m[3] as string,
          origin: m[4] ?? '',
        });
      }
    } else if (section === 'apt-policy') {
      const head = /^([a-z0-9][a-z0-9+.-]*)(?::[a-z0-9-]+)?:$/.exec(line);
      if (head) policyName = head[1] as string;
      const inst = /^ {2}Installed: (\S+)$/.exec(line)?.[1];
      if (inst && inst !== '(none)' && policyName && !out.has(policyName)) {
        out.set(policyName, {
          name: policyName,
          arch: 'amd64',
          installed: inst,
          candidate: inst,
          origin: '',
        });
      }
    }
    return line;
  });
  for (const [name, version] of installed) {
    const p = out.get(name);
    if (p) out.set(name, { ...p, installed: version });
  }
  return out;
}

/**
 * The collection output after `installed` (name → version) went in: their `Inst`/`Conf` lines and list
 * entries leave both simulations (counts recomputed), and `apt-cache policy` shows the new installed
 * version (with its `***` mark).
 */
export function installedOutput(output: string, installed: ReadonlyMap<string, string>): string {
  const done = (name: string, version: string) => installed.get(name.replace(/:[a-z0-9-]+$/, '')) === version;
  // Names whose upgrade went in: they leave the simulations' package lists too.
  const gone = new Set<string>();
  eachLine(output, (section, line) => {
    const inst = SIMULATIONS.has(section) ? INST.exec(line) : null;
    if (inst && done(inst[1] as string, inst[3] as string)) gone.add(inst[1] as string);
    return line;
  });
  let policyName = '';
  let text = eachLine(output, (section, line) => {
    if (SIMULATIONS.has(section)) {
      const inst = INST.exec(line);
      if (inst && done(inst[1] as string, inst[3] as string)) return null;
      const conf = CONF.exec(line);
      if (conf && done(conf[1] as string, conf[2] as string)) return null;
      if (/^ {2}\S/.test(line)) {
        const kept = line
          .trim()
          .split(/\s+/)
          .filter((n) => !gone.has(n));
        return kept.length ? `  ${kept.join(' ')}` : '';
      }
      return line;
    }
    if (section === 'apt-policy') {
      const head = /^([a-z0-9][a-z0-9+.-]*)(?::[a-z0-9-]+)?:$/.exec(line);
      if (head) policyName = head[1] as string;
      const now = installed.get(policyName);
      if (now === undefined) return line;
      if (/^ {2}Installed: /.test(line)) return `  Installed: ${now}`;
      const v = /^ (\*\*\*| {3}) (\S+) (\d+)$/.exec(line);
      if (v) return ` ${v[2] === now ? '***' : '   '} ${v[2]} ${v[3]}`;
    }
    return line;
  });
  // A list header whose list emptied goes too, and each summary line counts what is left.
  text = text.replace(/^The following [^\n]*:\n\n/gm, '');
  return recount(text);
}

/** Recomputes "N upgraded, M newly installed" from the `Inst` lines left in each simulation. */
function recount(text: string): string {
  const counts = new Map<string, { up: number; fresh: number }>();
  eachLine(text, (section, line) => {
    const m = SIMULATIONS.has(section) ? INST.exec(line) : null;
    if (m) {
      const c = counts.get(section) ?? { up: 0, fresh: 0 };
      if (m[2]) c.up += 1;
      else c.fresh += 1;
      counts.set(section, c);
    }
    return line;
  });
  return eachLine(text, (section, line) => {
    const m = /^\d+ upgraded, \d+ newly installed, (\d+ to remove and \d+ not upgraded\.)$/.exec(line);
    if (!m || !SIMULATIONS.has(section)) return line;
    const c = counts.get(section) ?? { up: 0, fresh: 0 };
    return `${c.up} upgraded, ${c.fresh} newly installed, ${m[1]}`;
  });
}
