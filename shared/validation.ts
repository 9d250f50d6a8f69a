/** Field rules for machines and credentials, as plain functions so the UI can validate inline. */

/** Longest accepted values. Anything longer is rejected, never truncated. */
export const LIMITS = {
  displayName: 100,
  address: 253,
  username: 64,
  tag: 40,
  tags: 50,
  client: 100,
  site: 100,
  notes: 4000,
  proxyJump: 1000,
  credentialName: 100,
  keyPath: 1024,
  privateKey: 64 * 1024,
  secret: 1024,
  importText: 20 * 1024 * 1024,
} as const;

// C0 controls, DEL and C1 controls.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// Same, but tab, LF and CR are allowed (notes are multi-line).
// eslint-disable-next-line no-control-regex
const CONTROL_EXCEPT_WHITESPACE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
/** Characters a shell would interpret; never part of a name, address or user. */
const SHELL_META = /[`$;|&<>\\!*?(){}[\]"'\n]/;

/** A problem with a value, worded for the person who typed it; null when the value is fine. */
export type Check = string | null;

function tooLong(value: string, max: number): Check {
  return value.length > max ? `must be at most ${max} characters (got ${value.length})` : null;
}

/** IPv4 dotted quad, each part 0–255 without leading zeros. */
export function isIPv4(value: string): boolean {
  const parts = value.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

/** IPv6 in any RFC 4291 text form (with ::, with an embedded IPv4 tail); no zone id, no brackets. */
export function isIPv6(value: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(value) || value.length > 45) return false;
  let text = value;
  const groupsNeeded = 8;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!isIPv4(tail)) return false;
    text = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = (s: string): string[] | null => {
    if (s === '') return [];
    const g = s.split(':');
    return g.every((x) => /^[0-9a-fA-F]{1,4}$/.test(x)) ? g : null;
  };
  const left = groups(halves[0] ?? '');
  const right = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (!left || !right) return false;
  const count = left.length + right.length;
  return halves.length === 2 ? count < groupsNeeded : count === groupsNeeded;
}

/** A DNS name per RFC 1123: labels of letters, digits and hyphens, not starting or ending with one. */
export function isHostname(value: string): boolean {
  if (value.length === 0 || value.length > LIMITS.address) return false;
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  const labels = name.split('.');
  if (labels.every((l) => /^\d+$/.test(l))) return false; // looks like a malformed IPv4
  return labels.every((l) => /^[a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?$/.test(l));
}

/** Address of a machine: DNS name, IPv4 or IPv6. Brackets around IPv6 are accepted and removed. */
export function normalizeAddress(raw: string): string {
  const t = raw.trim();
  return t.startsWith('[') && t.endsWith(']') ? t.slice(1, -1) : t;
}

export function checkAddress(value: string): Check {
  if (value.length === 0) return 'is required';
  const long = tooLong(value, LIMITS.address);
  if (long) return long;
  if (CONTROL.test(value) || SHELL_META.test(value) || /\s/.test(value)) {
    return 'may not contain spaces, control characters or shell characters';
  }
  if (isIPv4(value) || isIPv6(value) || isHostname(value)) return null;
  if (/^[\d.]+$/.test(value)) return `"${value}" is not a valid IPv4 address`;
  if (value.includes(':')) return `"${value}" is not a valid IPv6 address`;
  return `"${value}" is not a valid host name or IP address`;
}

export function checkPort(value: number): Check {
  if (!Number.isInteger(value)) return 'must be a whole number';
  if (value < 1 || value > 65535) return `must be between 1 and 65535 (got ${value})`;
  return null;
}

/** Parses a port typed as text; returns the number or a message. */
export function parsePort(text: string): number | string {
  const t = text.trim();
  if (!/^\d{1,6}$/.test(t)) return `"${t.slice(0, 20)}" is not a port number`;
  const n = Number(t);
  return checkPort(n) ?? n;
}

export function checkDisplayName(value: string): Check {
  if (value.trim().length === 0) return 'is required';
  const long = tooLong(value, LIMITS.displayName);
  if (long) return long;
  if (CONTROL.test(value)) return 'may not contain control characters';
  if (/[`$;|&<>\\]/.test(value)) return 'may not contain the characters ` $ ; | & < > \\';
  return null;
}

/** POSIX user names, Windows `DOMAIN\user` and `user@domain`. */
export function checkUsername(value: string): Check {
  if (value.length === 0) return 'is required';
  const long = tooLong(value, LIMITS.username);
  if (long) return long;
  if (!/^[A-Za-z0-9_.][A-Za-z0-9_.@-]*(\\[A-Za-z0-9_.][A-Za-z0-9_.@-]*)?$/.test(value)) {
    return 'may contain only letters, digits, . _ - @ and one \\ (DOMAIN\\user)';
  }
  return null;
}

export function checkTag(value: string): Check {
  if (value.length === 0) return 'tags may not be empty';
  const long = tooLong(value, LIMITS.tag);
  if (long) return `tag ${long}`;
  if (!/^[\p{L}\p{N}][\p{L}\p{N}._:/+-]*$/u.test(value)) {
    return `tag "${value.slice(0, 40)}" may contain only letters, digits and . _ : / + -`;
  }
  return null;
}

export function checkTags(values: string[]): Check {
  if (values.length > LIMITS.tags) return `at most ${LIMITS.tags} tags (got ${values.length})`;
  for (const v of values) {
    const c = checkTag(v);
    if (c) return c;
  }
  return null;
}

/** Single-line free text (client, site). */
export function checkLabel(value: string, max: number): Check {
  return tooLong(value, max) ?? (CONTROL.test(value) ? 'may not contain control characters' : null);
}

export function checkNotes(value: string): Check {
  return (
    tooLong(value, LIMITS.notes) ??
    (CONTROL_EXCEPT_WHITESPACE.test(value) ? 'may not contain control characters' : null)
  );
}

/** `[user@]host[:port]` hops separated by commas, as OpenSSH's ProxyJump. */
export function checkProxyJump(value: string): Check {
  if (value === '') return null;
  const long = tooLong(value, LIMITS.proxyJump);
  if (long) return long;
  for (const hop of value.split(',')) {
    const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:@]+)(?::(\d+))?$/.exec(hop.trim());
    if (!m) return `jump host "${hop.slice(0, 60)}" is not of the form [user@]host[:port]`;
    if (m[1] && checkUsername(m[1])) return `jump host user "${m[1]}" ${checkUsername(m[1])}`;
    const addr = normalizeAddress(m[2] ?? '');
    const a = checkAddress(addr);
    if (a) return `jump host address ${a}`;
    if (m[3] && checkPort(Number(m[3]))) return `jump host port ${checkPort(Number(m[3]))}`;
  }
  return null;
}

/** Splits a comma- or space-separated tag list typed by a user. */
export function splitTags(text: string): string[] {
  const seen = new Set<string>();
  for (const t of text.split(/[,\s]+/)) if (t) seen.add(t);
  return [...seen];
}
