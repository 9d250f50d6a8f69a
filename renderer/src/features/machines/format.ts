/** Small display helpers for machines and filters. */
import type { Group, Machine, MachineFilter, Transport } from '../../../../shared/domain';

/** Port each transport uses unless told otherwise. */
export const DEFAULT_PORT: Record<Transport, number> = { ssh: 22, winrm: 5985 };

/** Name of a transport as people write it. */
export const TRANSPORT_LABEL: Record<Transport, string> = { ssh: 'SSH', winrm: 'WinRM' };

/** `host`, `host:2222` or `[2001:db8::1]:2222` — the port only when it is not the transport's default. */
export function addressText(m: Pick<Machine, 'address' | 'port' | 'transport'>): string {
  if (m.port === DEFAULT_PORT[m.transport]) return m.address;
  return m.address.includes(':') ? `[${m.address}]:${m.port}` : `${m.address}:${m.port}`;
}

/** "1 machine", "10,000 machines". */
export function countText(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** Whether a filter narrows anything. */
export function isFiltered(filter: MachineFilter): boolean {
  return Object.keys(filter).length > 0;
}

/** A filter in words, e.g. `text "web", tag prod or db, client Acme`. */
export function describeFilter(filter: MachineFilter, groups: readonly Group[] = []): string {
  const parts: string[] = [];
  const list = (name: string, values?: string[]) => {
    if (values?.length) parts.push(`${name} ${values.join(' or ')}`);
  };
  if (filter.groupId !== undefined) {
    const g = groups.find((x) => x.id === filter.groupId);
    parts.push(`group ${g ? g.name : `#${filter.groupId}`}`);
  }
  if (filter.text) parts.push(`text "${filter.text}"`);
  list('tag', filter.tags);
  list('client', filter.clients);
  list('site', filter.sites);
  list('OS', filter.os);
  if (filter.transport) parts.push(`transport ${TRANSPORT_LABEL[filter.transport]}`);
  return parts.length ? parts.join(', ') : 'all machines';
}
