/** Ansible inventory import, INI and YAML: one machine per host, its groups as tags. */
import type { Document, Node } from 'yaml';
import { isAlias, isMap, isScalar, LineCounter, parseDocument } from 'yaml';

import { Inventory } from './ansible-inventory';
import { excerpt, failure, sizeProblem, splitLines, splitWords } from './text';
import type { ParseResult } from './types';

function result(inventory: Inventory): ParseResult {
  const skipped = [...inventory.skipped].sort((a, b) => a.line - b.line);
  return { entries: inventory.entries(), skipped, headers: [], mapping: {}, fatal: null };
}

/** `key=value` words of a host line; anything else is reported as a warning on the host. */
function hostVars(words: string[], warnings: string[]): [string, string][] {
  const vars: [string, string][] = [];
  for (const w of words) {
    const i = w.indexOf('=');
    if (i > 0) vars.push([w.slice(0, i), w.slice(i + 1)]);
    else warnings.push(`"${excerpt(w)}" is not a key=value host variable; ignored`);
  }
  return vars;
}

/** Parses an Ansible INI inventory. */
export function parseAnsibleIni(text: string): ParseResult {
  const tooLarge = sizeProblem(text);
  if (tooLarge) return failure(tooLarge);
  const inventory = new Inventory();
  const skipped = inventory.skipped;
  // Hosts before the first section are ungrouped, as in Ansible.
  let section: { group: string; kind: 'hosts' | 'vars' | 'children' | 'unknown' } = {
    group: 'ungrouped',
    kind: 'hosts',
  };
  let meaningful = false;
  const lines = splitLines(text.replace(/^\uFEFF/, ''));
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const trimmed = (lines[i] ?? '').trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    if (!meaningful && /^[\w.-]+:\s*(#.*)?$/.test(trimmed)) {
      return failure(
        `Line ${line} looks like YAML ("${excerpt(trimmed)}"): import this file as an Ansible YAML inventory.`,
      );
    }
    meaningful = true;

    const header = /^\[([^\]]*)\]\s*([#;].*)?$/.exec(trimmed);
    if (header) {
      const name = (header[1] ?? '').trim();
      const colon = name.lastIndexOf(':');
      const suffix = colon >= 0 ? name.slice(colon + 1) : '';
      const group = suffix === 'vars' || suffix === 'children' ? name.slice(0, colon) : name;
      section = { group, kind: group === name ? 'hosts' : (suffix as 'vars' | 'children') };
      if (group === '' || (group === name && colon >= 0)) {
        section.kind = 'unknown';
        skipped.push({
          line,
          reason: `section [${excerpt(name)}] is not a group, :vars or :children section; its lines are skipped`,
        });
      } else inventory.group(group);
      continue;
    }

    if (section.kind === 'unknown') continue;
    if (section.kind === 'vars') {
      // `key=value` or `key = value`; quotes and a trailing comment are removed from the value.
      const eq = trimmed.indexOf('=');
      const value = splitWords(trimmed.slice(eq + 1));
      if (eq <= 0 || value.error) {
        skipped.push({
          line,
          reason: `[${excerpt(section.group)}:vars] line "${excerpt(trimmed)}" is not key=value; ignored`,
        });
      } else inventory.setGroupVar(section.group, trimmed.slice(0, eq).trim(), value.words.join(' '));
      continue;
    }

    const { words, error } = splitWords(trimmed);
    const [first, ...rest] = words;
    if (error || first === undefined) {
      skipped.push({ line, reason: `line not read: ${error ?? 'it is empty'}` });
    } else if (section.kind === 'children') {
      inventory.addChild(section.group, first);
    } else {
      const warnings: string[] = [];
      inventory.addHosts(first, line, section.group, hostVars(rest, warnings), warnings);
    }
  }
  if (!meaningful) return failure('The file is empty: it has no hosts.');
  return result(inventory);
}

/** A YAML value as inventory text: scalars as strings; lists and maps have no meaning here. */
function scalarText(value: unknown): string | null {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  return null;
}

/** Reads YAML groups recursively into the inventory. */
class YamlReader {
  // Aliases may point one node at several places, even at an ancestor; each (group, node) pair
  // is read once, so neither a cycle nor a fan-out of aliases can make the reader loop or blow up.
  private readonly visited = new Map<unknown, Set<string>>();

  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly inventory: Inventory,
  ) {}

  private resolve(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.doc) : node;
  }

  private lineOf(node: unknown): number {
    const range = (node as Node | null)?.range;
    return range ? this.lines.linePos(range[0]).line : 0;
  }

  private keyText(node: unknown): string {
    const key = this.resolve(node);
    return isScalar(key) ? String(key.value ?? '') : '';
  }

  /** Reads one group's mapping: hosts, vars and children. */
  group(name: string, raw: unknown, keyLine: number): void {
    const node = this.resolve(raw);
    const seen = this.visited.get(node) ?? new Set<string>();
    if (seen.has(name)) return;
    seen.add(name);
    this.visited.set(node, seen);
    this.inventory.group(name);
    if (node === null || node === undefined || (isScalar(node) && node.value === null)) return;
    if (!isMap(node)) {
      this.inventory.skipped.push({
        line: keyLine,
        reason: `group "${excerpt(name)}" is not a mapping; ignored`,
      });
      return;
    }
    for (const pair of node.items) {
      const key = this.keyText(pair.key);
      const value = this.resolve(pair.value);
      const line = this.lineOf(pair.key);
      if (key === 'hosts' || key === 'children') {
        if (value !== null && !(isScalar(value) && value.value === null) && !isMap(value)) {
          this.inventory.skipped.push({
            line,
            reason: `${key} of group "${excerpt(name)}" must be a mapping (name: …), not a list or a value`,
          });
          continue;
        }
        for (const item of isMap(value) ? value.items : []) {
          const child = this.keyText(item.key);
          if (key === 'hosts') this.host(child, item.value, this.lineOf(item.key), name);
          else {
            if (child !== name) this.inventory.addChild(name, child);
            this.group(child, item.value, this.lineOf(item.key));
          }
        }
      } else if (key === 'vars') {
        for (const [k, v] of this.vars(value, line, `vars of group "${excerpt(name)}"`)) {
          this.inventory.setGroupVar(name, k, v);
        }
      } else {
        this.inventory.skipped.push({
          line,
          reason: `"${excerpt(key)}" in group "${excerpt(name)}" is not hosts, vars or children; ignored`,
        });
      }
    }
  }

  private host(pattern: string, raw: unknown, line: number, group: string): void {
    if (pattern === '') {
      this.inventory.skipped.push({ line, reason: `a host of group "${excerpt(group)}" has no name` });
      return;
    }
    this.inventory.addHosts(
      pattern,
      line,
      group,
      this.vars(this.resolve(raw), line, `host "${excerpt(pattern)}"`),
    );
  }

  /** A mapping's scalar values as strings; `<<` merge keys and aliases are resolved by toJS. */
  private vars(node: unknown, line: number, what: string): [string, string][] {
    if (node === null || node === undefined || (isScalar(node) && node.value === null)) return [];
    if (!isMap(node)) {
      this.inventory.skipped.push({ line, reason: `${what} must be a mapping of variables; ignored` });
      return [];
    }
    const js: unknown = node.toJS(this.doc, { maxAliasCount: 100 });
    const out: [string, string][] = [];
    for (const [k, v] of Object.entries((js ?? {}) as Record<string, unknown>)) {
      const text = scalarText(v);
      if (text !== null) out.push([k, text]);
    }
    return out;
  }
}

/** Parses an Ansible YAML inventory (`all: { hosts, vars, children }`). */
export function parseAnsibleYaml(text: string): ParseResult {
  const tooLarge = sizeProblem(text);
  if (tooLarge) return failure(tooLarge);
  const lines = new LineCounter();
  // Duplicate keys are allowed (Ansible warns and goes on); the reader keeps the first one.
  const doc = parseDocument(text, {
    lineCounter: lines,
    merge: true,
    uniqueKeys: false,
    prettyErrors: false,
  });
  const error = doc.errors[0];
  if (error) {
    const at = lines.linePos(error.pos[0]);
    const where = ` on line ${at.line}, column ${at.col}`;
    const message = error.message.split('\n')[0] ?? '';
    return failure(`The YAML could not be read${where}: ${excerpt(message, 200)}.`);
  }
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) {
    return failure('The file is empty: it has no hosts.');
  }
  if (!isMap(root)) {
    return failure(
      'This YAML is not an Ansible inventory: it should start with a group such as "all:" holding hosts or children.',
    );
  }
  const inventory = new Inventory();
  const reader = new YamlReader(doc, lines, inventory);
  try {
    for (const pair of root.items) {
      // Top-level groups other than `all` are its children, as in Ansible.
      const name = isScalar(pair.key) ? String(pair.key.value ?? '') : '';
      if (name !== 'all') inventory.addChild('all', name);
      reader.group(name, pair.value, isScalar(pair.key) ? lines.linePos(pair.key.range?.[0] ?? 0).line : 0);
    }
  } catch {
    // toJS throws on excessive alias expansion (a "billion laughs" file), and very deep nesting
    // could exhaust the stack: either way the file is not a plausible inventory.
    return failure('The YAML is nested too deeply or uses too many aliases (*name) to be read safely.');
  }
  return result(inventory);
}
