/** OpenSSH client config (~/.ssh/config) import: one machine per concrete Host alias. */
import { excerpt, failure, sizeProblem, splitLines, splitWords } from './text';
import type { ParsedEntry, ParseResult } from './types';

interface Option {
  key: string;
  value: string;
  line: number;
}

interface Block {
  /** Line of the Host line; 0 for the options written before any Host line. */
  line: number;
  patterns: string[];
  options: Option[];
}

// Options a block that names the alias itself contributes, and the subset taken from wildcard
// blocks. HostName and IdentityFile in a wildcard block usually rely on %-tokens or apply to
// many machines; only these three are safe to copy onto a machine as its own settings.
const OWN_KEYS = new Set(['hostname', 'port', 'user', 'proxyjump', 'identityfile', 'proxycommand']);
const DEFAULT_KEYS = new Set(['port', 'user', 'proxyjump']);
const PROXY_COMMAND_WARNING =
  'ProxyCommand is not supported: Patchbay connects directly or through a ProxyJump';
const LABEL: Record<string, string> = { port: 'Port', user: 'User', proxyjump: 'ProxyJump' };

const MAX_MATCH_LENGTH = 1024;

function isWildcard(pattern: string): boolean {
  return /[*?]/.test(pattern) || pattern.startsWith('!');
}

/**
 * OpenSSH glob match, case-insensitive: `*` any run, `?` one character. Iterative with one
 * backtrack point, so a hostile pattern of many stars stays linear per star, unlike a RegExp.
 */
export function globMatch(text: string, pattern: string): boolean {
  const t = text.toLowerCase();
  const p = pattern.toLowerCase();
  let ti = 0;
  let pi = 0;
  let star = -1;
  let mark = 0;
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === t[ti])) {
      ti++;
      pi++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = ti;
    } else if (star >= 0) {
      pi = star + 1;
      ti = ++mark;
    } else return false;
  }
  while (p[pi] === '*') pi++;
  return pi === p.length;
}

/** Host pattern list semantics: some positive pattern matches and no negated one does. */
function blockMatches(block: Block, alias: string): boolean {
  // No valid machine name is this long; the bound keeps glob matching cheap on hostile input.
  if (alias.length > MAX_MATCH_LENGTH) return false;
  let positive = false;
  for (const p of block.patterns) {
    if (p.startsWith('!')) {
      if (p.length <= MAX_MATCH_LENGTH && globMatch(alias, p.slice(1))) return false;
    } else if (p.length <= MAX_MATCH_LENGTH && globMatch(alias, p)) positive = true;
  }
  return positive;
}

function describeBlock(block: Block): string {
  return block.line === 0
    ? 'the options before the first Host line'
    : `"Host ${excerpt(block.patterns.join(' '))}" on line ${block.line}`;
}

/** Reads the file into Host blocks; Match blocks, Include lines and unreadable lines go to skipped. */
function readBlocks(text: string, skipped: ParseResult['skipped']): { blocks: Block[]; meaningful: boolean } {
  // Options before the first Host line apply to every host, exactly like a leading `Host *`.
  const global: Block = { line: 0, patterns: ['*'], options: [] };
  const blocks: Block[] = [global];
  let current: Block | null = global;
  let meaningful = false;
  splitLines(text).forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    meaningful = true;
    // `Key value`, `Key=value` and `Key = value`; keywords are case-insensitive.
    const m = /^([^\s=]+)\s*(?:=\s*)?(.*)$/.exec(trimmed);
    const keyword = (m?.[1] ?? '').toLowerCase();
    const { words, error } = splitWords(m?.[2] ?? '');
    if (error) {
      skipped.push({ line, reason: `${excerpt(m?.[1] ?? '')} line not read: ${error}` });
      return;
    }
    if (keyword === 'host') {
      current = { line, patterns: words, options: [] };
      blocks.push(current);
      if (words.length === 0) skipped.push({ line, reason: 'Host line without a name' });
    } else if (keyword === 'match') {
      // Match conditions (user, exec, canonical…) are evaluated by ssh at connect time.
      current = null;
      skipped.push({
        line,
        reason: `Match block "${excerpt(words.join(' '))}" is skipped: conditional blocks are not machines`,
      });
    } else if (keyword === 'include') {
      skipped.push({
        line,
        reason: `Include is not followed; import the included file separately (${excerpt(words.join(' '), 200)})`,
      });
    } else if (current && OWN_KEYS.has(keyword) && words.length > 0) {
      // Several words are kept joined, so that validation reports them instead of dropping some.
      current.options.push({ key: keyword, value: words.join(' '), line });
    }
  });
  return { blocks, meaningful };
}

/** Parses an OpenSSH client config into one entry per concrete Host alias. */
export function parseSshConfig(text: string): ParseResult {
  const tooLarge = sizeProblem(text);
  if (tooLarge) return failure(tooLarge);
  const skipped: ParseResult['skipped'] = [];
  const { blocks, meaningful } = readBlocks(text.replace(/^\uFEFF/, ''), skipped);
  if (!meaningful) return failure('The file is empty: it has no Host blocks.');
  if (blocks.length === 1 && skipped.length === 0) {
    return failure('No Host lines found: this does not look like an OpenSSH client config (~/.ssh/config).');
  }

  // Each concrete alias once, at its first Host line; a later block naming it again still applies.
  // Blocks are indexed so that each alias is checked against the wildcard blocks and the blocks
  // naming it, not against the whole file (a config of thousands of hosts stays linear).
  const aliases = new Map<string, { alias: string; line: number; blocks: number[] }>();
  const wildcardBlocks: number[] = [];
  blocks.forEach((block, index) => {
    if (block.patterns.some(isWildcard)) wildcardBlocks.push(index);
    if (index === 0) return;
    for (const p of block.patterns) {
      if (isWildcard(p)) {
        skipped.push({
          line: block.line,
          reason: `wildcard Host pattern "${excerpt(p)}" is a default for other hosts, not a machine`,
        });
        continue;
      }
      const key = p.toLowerCase();
      const known = aliases.get(key) ?? { alias: p, line: block.line, blocks: [] };
      aliases.set(key, known);
      if (known.blocks.at(-1) !== index) known.blocks.push(index);
    }
  });

  const entries: ParsedEntry[] = [];
  for (const { alias, line, blocks: named } of aliases.values()) {
    const entry: ParsedEntry = { line, fields: { displayName: alias, address: alias }, warnings: [] };
    // OpenSSH keeps the first value it obtains for an option, reading blocks in file order, so an
    // earlier `Host *` wins over the alias's own block. The app stores each machine's settings
    // explicitly, so those defaults are copied onto the machine, with a note saying where from.
    const seen = new Set<string>();
    const candidates = [...new Set([...wildcardBlocks, ...named])].sort((a, b) => a - b);
    for (const index of candidates) {
      const block = blocks[index];
      if (!block || !blockMatches(block, alias)) continue;
      const own = block.patterns.some((p) => p.toLowerCase() === alias.toLowerCase());
      for (const { key, value } of block.options) {
        if (!(own ? OWN_KEYS : DEFAULT_KEYS).has(key)) continue;
        if (key === 'identityfile') {
          entry.identityFile ??= value;
          const warning = `IdentityFile ${excerpt(value, 200)}: add it as a credential to use it`;
          if (!entry.warnings.includes(warning)) entry.warnings.push(warning);
          continue;
        }
        if (seen.has(key)) continue;
        seen.add(key);
        switch (key) {
          case 'hostname':
            entry.fields.address = value.replace(/%(%|h)/g, (_, t) => (t === 'h' ? alias : '%'));
            break;
          case 'port':
            entry.fields.port = value;
            break;
          case 'user':
            entry.fields.username = value;
            break;
          case 'proxyjump':
            entry.fields.proxyJump = value.toLowerCase() === 'none' ? '' : value;
            break;
          case 'proxycommand':
            if (value.toLowerCase() !== 'none') entry.warnings.push(PROXY_COMMAND_WARNING);
            break;
        }
        if (!own && LABEL[key]) {
          entry.warnings.push(
            `${LABEL[key]} ${excerpt(value)} comes from ${describeBlock(block)}, as ssh would use it`,
          );
        }
      }
    }
    entries.push(entry);
  }
  skipped.sort((a, b) => a.line - b.line);
  return { entries, skipped, headers: [], mapping: {}, fatal: null };
}
