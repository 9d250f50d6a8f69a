import crypto from 'node:crypto';

import type { Endpoint } from './errors';
import {
  fingerprint,
  type HostKeyStore,
  keyTypeOf,
  normalizeHostAddress,
  type PinnedHostKey,
} from './host-keys';

/** One key line of a known_hosts file. */
export interface KnownHostsEntry {
  /** 1-based line number. */
  line: number;
  marker: 'revoked' | 'cert-authority' | null;
  /** The host field as written: patterns, `[host]:port` forms, or one `|1|salt|hash`. */
  hosts: string;
  keyType: string;
  /** Base64 of the key blob. */
  key: string;
  fingerprint: string;
}

/** A line that is not imported, and why. */
export interface SkippedLine {
  line: number;
  reason: string;
}

/** Parses known_hosts text. Comments and blank lines are ignored; broken lines are reported. */
export function parseKnownHosts(text: string): { entries: KnownHostsEntry[]; skipped: SkippedLine[] } {
  const entries: KnownHostsEntry[] = [];
  const skipped: SkippedLine[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const t = raw.trim();
    if (t === '' || t.startsWith('#')) return;
    const fields = t.split(/\s+/);
    let marker: KnownHostsEntry['marker'] = null;
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift();
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else return void skipped.push({ line, reason: `unknown marker ${m?.slice(0, 40)}` });
    }
    const [hosts, keyType, b64] = fields;
    if (!hosts || !keyType || !b64) return void skipped.push({ line, reason: 'not "hosts keytype key"' });
    const blob = /^[A-Za-z0-9+/]+={0,2}$/.test(b64) ? Buffer.from(b64, 'base64') : null;
    if (!blob || keyTypeOf(blob) !== keyType) {
      return void skipped.push({ line, reason: `malformed ${keyType.slice(0, 40)} key` });
    }
    entries.push({
      line,
      marker,
      hosts,
      keyType,
      key: blob.toString('base64'),
      fingerprint: fingerprint(blob),
    });
  });
  return { entries, skipped };
}

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` elsewhere; lower-cased. */
function lookupName(host: string, port: number): string {
  const h = normalizeHostAddress(host);
  return port === 22 ? h : `[${h}]:${port}`;
}

/** OpenSSH's glob: `*` any run, `?` one character; case-insensitive. */
function globMatch(pattern: string, name: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i').test(name);
}

/** Whether a known_hosts host field names this host and port (hashed, patterns, negations). */
export function hostFieldMatches(hosts: string, host: string, port: number): boolean {
  const name = lookupName(host, port);
  if (hosts.startsWith('|1|')) {
    const [, , salt, hash] = hosts.split('|');
    if (!salt || !hash) return false;
    const mac = crypto.createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
    const want = Buffer.from(hash, 'base64');
    return want.length === mac.length && crypto.timingSafeEqual(want, mac);
  }
  let matched = false;
  for (const p of hosts.split(',')) {
    if (p.startsWith('!')) {
      if (globMatch(p.slice(1), name)) return false;
    } else if (globMatch(p, name)) matched = true;
  }
  return matched;
}

/** The plain (unmarked) keys a known_hosts text holds for a host and port. */
export function matchKnownHosts(text: string, host: string, port: number): KnownHostsEntry[] {
  return parseKnownHosts(text).entries.filter(
    (e) => e.marker === null && hostFieldMatches(e.hosts, host, port),
  );
}

/** What an import did, per machine and per line. */
export interface KnownHostsImport {
  imported: { address: string; port: number; keyType: string; fingerprint: string }[];
  /** Already pinned with the same key. */
  unchanged: { address: string; port: number; keyType: string; fingerprint: string }[];
  /** A different key of that type is already pinned: left alone, for the user to decide. */
  conflicts: {
    address: string;
    port: number;
    keyType: string;
    pinnedFingerprint: string;
    knownHostsFingerprint: string;
  }[];
  /** Machines known_hosts has no key for. */
  notFound: { address: string; port: number }[];
  /** Keys for a machine that an @revoked line names: never imported. */
  revoked: { address: string; port: number; line: number; fingerprint: string }[];
  /** Lines not imported at all: @cert-authority (not supported), @revoked, malformed lines. */
  skipped: SkippedLine[];
}

/**
 * Pins, for each machine, the keys known_hosts holds for it. Never replaces a different pinned key and
 * never imports a revoked one; reports each case so the user sees what happened.
 */
export function importKnownHosts(
  store: HostKeyStore,
  text: string,
  machines: readonly Pick<Endpoint, 'address' | 'port'>[],
  now: number,
): KnownHostsImport {
  const { entries, skipped } = parseKnownHosts(text);
  const report: KnownHostsImport = {
    imported: [],
    unchanged: [],
    conflicts: [],
    notFound: [],
    revoked: [],
    skipped: [...skipped],
  };
  for (const e of entries) {
    if (e.marker === 'cert-authority') {
      report.skipped.push({
        line: e.line,
        reason: '@cert-authority: certificate authorities are not imported',
      });
    } else if (e.marker === 'revoked') {
      report.skipped.push({ line: e.line, reason: `@revoked ${e.keyType} key ${e.fingerprint}` });
    }
  }
  const revokedKeys = entries.filter((e) => e.marker === 'revoked');
  const seen = new Set<string>();
  const run = () => {
    for (const m of machines) {
      const address = normalizeHostAddress(m.address);
      if (seen.has(`${address}\0${m.port}`)) continue;
      seen.add(`${address}\0${m.port}`);
      const found = entries.filter((e) => e.marker === null && hostFieldMatches(e.hosts, address, m.port));
      if (found.length === 0) {
        report.notFound.push({ address, port: m.port });
        continue;
      }
      const pinned = new Map(store.list(address, m.port).map((p) => [p.keyType, p]));
      for (const e of found) {
        const bad = revokedKeys.find((r) => r.key === e.key && hostFieldMatches(r.hosts, address, m.port));
        if (bad) {
          report.revoked.push({ address, port: m.port, line: bad.line, fingerprint: e.fingerprint });
          continue;
        }
        const row = { address, port: m.port, keyType: e.keyType, fingerprint: e.fingerprint };
        const current = pinned.get(e.keyType);
        if (current?.key === e.key) report.unchanged.push(row);
        else if (current) {
          report.conflicts.push({
            address,
            port: m.port,
            keyType: e.keyType,
            pinnedFingerprint: current.fingerprint,
            knownHostsFingerprint: e.fingerprint,
          });
        } else {
          const key: PinnedHostKey = { ...row, key: e.key, trustedAt: now, source: 'known_hosts' };
          store.pin(key);
          pinned.set(e.keyType, key);
          report.imported.push(row);
        }
      }
    }
  };
  if (store.transaction) store.transaction(run);
  else run();
  return report;
}
