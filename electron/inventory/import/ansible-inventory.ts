/** The Ansible inventory model shared by the INI and YAML readers: groups, hosts, host ranges. */
import { isIPv6 } from '../../../shared/validation';
import { excerpt } from './text';
import type { ParsedEntry, ParseResult } from './types';

/** Most hosts one range pattern may expand to. */
export const MAX_RANGE_HOSTS = 10_000;
/** Most hosts all range patterns of one file may expand to, so a file cannot exhaust memory. */
export const MAX_TOTAL_RANGE_HOSTS = 100_000;

interface Host {
  line: number;
  vars: Map<string, string>;
  groups: string[];
  warnings: string[];
}

interface Group {
  children: Set<string>;
  parents: Set<string>;
  vars: Map<string, string>;
}

// Older spellings of the same variables, read as the current names.
const ALIASES: Record<string, string> = {
  ansible_ssh_host: 'ansible_host',
  ansible_ssh_port: 'ansible_port',
  ansible_ssh_user: 'ansible_user',
  ansible_ssh_pass: 'ansible_password',
  ansible_become_pass: 'ansible_become_password',
  ansible_private_key_file: 'ansible_ssh_private_key_file',
};
// Group variables that describe how to reach each member. ansible_host is left out on purpose:
// one address for a whole group is never a machine's own address.
const GROUP_KEYS = new Set([
  'ansible_port',
  'ansible_user',
  'ansible_connection',
  'ansible_ssh_private_key_file',
  'ansible_password',
  'ansible_become_password',
]);
const SSH_CONNECTIONS = new Set(['ssh', 'paramiko', 'paramiko_ssh', 'smart', 'libssh']);
const WINRM_CONNECTIONS = new Set(['winrm', 'psrp']);
const NOT_TAGS = new Set(['all', 'ungrouped']);

/** Expands `web[01:03].example.com` style ranges (numeric with padding, or letters, optional step). */
export function expandHostPattern(pattern: string): string[] | string {
  const parts: string[][] = [];
  let rest = pattern;
  let total = 1;
  for (;;) {
    const m = /\[([^\]]*)\]/.exec(rest);
    const range = m ? /^(\d+|[a-zA-Z]):(\d+|[a-zA-Z])(?::(\d+))?$/.exec(m[1] ?? '') : null;
    if (!m || !range) break;
    const [, from = '', to = '', stepText] = range;
    const step = stepText === undefined ? 1 : Number(stepText);
    const numeric = /^\d/.test(from);
    if (numeric !== /^\d/.test(to)) return `host range [${m[1]}] mixes numbers and letters`;
    const start = numeric ? Number(from) : from.charCodeAt(0);
    const end = numeric ? Number(to) : to.charCodeAt(0);
    if (end < start || step < 1) return `host range [${m[1]}] is empty (the end is before the start)`;
    const count = Math.floor((end - start) / step) + 1;
    total *= count;
    if (total > MAX_RANGE_HOSTS) {
      return `host pattern "${excerpt(pattern)}" expands to more than ${MAX_RANGE_HOSTS.toLocaleString('en')} hosts; split it into smaller ranges`;
    }
    // A leading zero in the start sets the width, as Ansible does (01:10 → 01 … 10).
    const width = numeric && from.length > 1 && from.startsWith('0') ? from.length : 0;
    const values: string[] = [];
    for (let v = start; v <= end; v += step) {
      values.push(numeric ? String(v).padStart(width, '0') : String.fromCharCode(v));
    }
    parts.push([rest.slice(0, m.index)], values);
    rest = rest.slice(m.index + m[0].length);
  }
  parts.push([rest]);
  return parts.reduce<string[]>((acc, options) => acc.flatMap((a) => options.map((o) => a + o)), ['']);
}

/** Splits a trailing `:port` from a host pattern, leaving IPv6 addresses and ranges intact. */
export function splitHostPort(pattern: string): { host: string; port: string | null } {
  const m = /^(.*):(\d{1,5})$/.exec(pattern);
  if (!m) return { host: pattern, port: null };
  const host = m[1] ?? '';
  const bracketed = /^\[(.*)\]$/.exec(host);
  if (bracketed && isIPv6(bracketed[1] ?? '')) return { host: bracketed[1] ?? '', port: m[2] ?? null };
  // A colon left outside [..] ranges means the text is an IPv6 address, not host:port.
  if (host === '' || host.replace(/\[[^\]]*\]/g, '').includes(':')) return { host: pattern, port: null };
  return { host, port: m[2] ?? null };
}

/** Groups and hosts as read from a file, turned into entries once the whole file is read. */
export class Inventory {
  readonly skipped: ParseResult['skipped'] = [];
  private readonly hosts = new Map<string, Host>();
  private readonly groups = new Map<string, Group>();
  private expanded = 0;

  /** The named group, created on first use. */
  group(name: string): Group {
    let g = this.groups.get(name);
    if (!g) {
      g = { children: new Set(), parents: new Set(), vars: new Map() };
      this.groups.set(name, g);
    }
    return g;
  }

  /** Records that `child` is a child group of `parent`. */
  addChild(parent: string, child: string): void {
    this.group(parent).children.add(child);
    this.group(child).parents.add(parent);
  }

  /** Sets a group variable; the first definition wins. */
  setGroupVar(group: string, key: string, value: string): void {
    const vars = this.group(group).vars;
    const k = ALIASES[key] ?? key;
    if (!vars.has(k)) vars.set(k, value);
  }

  /**
   * Adds the hosts of a pattern (ranges expanded, `:port` split off) to a group. A host listed
   * again is merged into its first listing: it keeps the first line and the first value of
   * each variable, and gains the group.
   */
  addHosts(
    pattern: string,
    line: number,
    group: string,
    vars: [string, string][],
    warnings: string[] = [],
  ): void {
    const { host, port } = splitHostPort(pattern);
    const names = expandHostPattern(host);
    if (typeof names === 'string') {
      this.skipped.push({ line, reason: names });
      return;
    }
    if (names.length > 1) {
      this.expanded += names.length;
      if (this.expanded > MAX_TOTAL_RANGE_HOSTS) {
        this.skipped.push({
          line,
          reason: `host pattern "${excerpt(pattern)}" not expanded: the file's ranges exceed ${MAX_TOTAL_RANGE_HOSTS.toLocaleString('en')} hosts`,
        });
        return;
      }
    }
    this.group(group);
    const all = port === null ? vars : [...vars, ['ansible_port', port] as [string, string]];
    for (const name of names) {
      let h = this.hosts.get(name);
      if (!h) {
        h = { line, vars: new Map(), groups: [], warnings: [] };
        this.hosts.set(name, h);
      }
      if (!h.groups.includes(group)) h.groups.push(group);
      for (const [key, value] of all) {
        const k = ALIASES[key] ?? key;
        if (!h.vars.has(k)) h.vars.set(k, value);
      }
      for (const w of warnings) if (!h.warnings.includes(w)) h.warnings.push(w);
    }
  }

  /** Depth below `all` (the longest parent chain), which orders group variable precedence. */
  private depth(name: string, memo: Map<string, number>, path = new Set<string>()): number {
    const known = memo.get(name);
    if (known !== undefined) return known;
    if (name === 'all' || path.has(name)) return 0; // a cycle counts as the top, and stops here
    path.add(name);
    let d = 1;
    for (const p of this.groups.get(name)?.parents ?? []) d = Math.max(d, this.depth(p, memo, path) + 1);
    path.delete(name);
    memo.set(name, d);
    return d;
  }

  /** One entry per host: tags from its groups and their parents, variables by Ansible precedence. */
  entries(): ParsedEntry[] {
    const memo = new Map<string, number>();
    const out: ParsedEntry[] = [];
    for (const [name, host] of this.hosts) {
      // Every group the host is in, directly or through parents (cycles visited once).
      const member: string[] = [];
      const queue = [...host.groups];
      for (let g = queue.shift(); g !== undefined; g = queue.shift()) {
        if (member.includes(g)) continue;
        member.push(g);
        queue.push(...(this.groups.get(g)?.parents ?? []));
      }
      if (!member.includes('all')) member.push('all');
      // Ansible applies group variables from the shallowest group to the deepest (then by
      // name), so the most specific group wins; host variables win over all of them.
      const ordered = [...member].sort(
        (a, b) => this.depth(a, memo) - this.depth(b, memo) || a.localeCompare(b),
      );
      const vars = new Map<string, string>();
      for (const g of ordered) {
        for (const [k, v] of this.groups.get(g)?.vars ?? []) if (GROUP_KEYS.has(k)) vars.set(k, v);
      }
      for (const [k, v] of host.vars) vars.set(k, v);
      out.push(this.entry(name, host, vars, member));
    }
    return out;
  }

  private entry(name: string, host: Host, vars: Map<string, string>, member: string[]): ParsedEntry {
    const e: ParsedEntry = { line: host.line, fields: { displayName: name }, warnings: [...host.warnings] };
    e.fields.address = vars.get('ansible_host') ?? name;
    const port = vars.get('ansible_port');
    if (port !== undefined) e.fields.port = port;
    const user = vars.get('ansible_user');
    if (user !== undefined) e.fields.username = user;
    const connection = vars.get('ansible_connection');
    if (connection !== undefined) {
      // Collection-qualified names (ansible.windows.psrp) name the same plugins.
      const plugin = connection.toLowerCase().split('.').pop() ?? '';
      // Anything else (local, docker…) is kept as is, so validation names it on the row.
      e.fields.transport = WINRM_CONNECTIONS.has(plugin)
        ? 'winrm'
        : SSH_CONNECTIONS.has(plugin)
          ? 'ssh'
          : connection;
    }
    const tags = member.filter((g) => !NOT_TAGS.has(g));
    if (tags.length > 0) e.fields.tags = tags.join(' ');
    const key = vars.get('ansible_ssh_private_key_file');
    if (key !== undefined) {
      e.identityFile = key;
      e.warnings.push(`ansible_ssh_private_key_file ${excerpt(key, 200)}: add it as a credential to use it`);
    }
    for (const k of ['ansible_password', 'ansible_become_password']) {
      if (vars.has(k)) e.warnings.push(`${k} is not imported: add it to a credential`);
    }
    return e;
  }
}
