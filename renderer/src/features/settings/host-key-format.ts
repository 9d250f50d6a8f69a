/** Words and ordering for pinned host keys. */
import type { PinnedHostKeyInfo } from '../../../../shared/domain';

/** How a key came to be trusted, as a person would say it. */
export const SOURCE_LABEL: Record<PinnedHostKeyInfo['source'], string> = {
  user: 'You trusted it',
  tofu: 'Trusted on first use',
  known_hosts: 'From known_hosts',
};

/** Key types as a person reads them; SSH key types are shown as OpenSSH names them. */
export function keyTypeLabel(keyType: string): string {
  return keyType === 'x509-sha256' ? 'HTTPS certificate (WinRM)' : keyType;
}

/** `host:port`, or `[2001:db8::1]:port` for an IPv6 address (the port is always shown: keys are per port). */
export function endpointText(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** One endpoint (address and port) and the keys pinned for it, one per key type. */
export interface PinnedEndpoint {
  address: string;
  port: number;
  keys: PinnedHostKeyInfo[];
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Groups keys by endpoint, ordered by address (10.0.0.9 before 10.0.0.10), then port, then key type. */
export function groupByEndpoint(keys: readonly PinnedHostKeyInfo[]): PinnedEndpoint[] {
  const groups = new Map<string, PinnedEndpoint>();
  for (const k of keys) {
    const id = `${k.address}\u0000${k.port}`;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { address: k.address, port: k.port, keys: [] }));
    g.keys.push(k);
  }
  const out = [...groups.values()];
  out.sort((a, b) => collator.compare(a.address, b.address) || a.port - b.port);
  for (const g of out) g.keys.sort((a, b) => a.keyType.localeCompare(b.keyType));
  return out;
}
