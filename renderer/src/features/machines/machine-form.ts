/** The add/edit machine form as plain data: a text draft, the shared field rules, and the conversion. */
import type { CredentialSummary, Machine, MachineInput, Transport } from '../../../../shared/domain';
import {
  checkAddress,
  checkDisplayName,
  checkLabel,
  checkNotes,
  checkProxyJump,
  checkTags,
  checkUsername,
  LIMITS,
  normalizeAddress,
  parsePort,
  splitTags,
} from '../../../../shared/validation';
import { problemText } from '../../components/problem-text';
import { DEFAULT_PORT } from './format';

/** Every field as the user typed it. */
export interface MachineDraft {
  displayName: string;
  address: string;
  port: string;
  transport: Transport;
  username: string;
  /** '' for none. */
  credentialId: string;
  tags: string;
  client: string;
  site: string;
  proxyJump: string;
  notes: string;
  /** WinRM only: HTTPS (5986, pinned certificate) instead of HTTP (5985, NTLM message encryption). */
  winrmHttps: boolean;
  /** WinRM over HTTPS only: Basic authentication instead of NTLM. */
  winrmBasic: boolean;
}

/** A field of the form. */
export type MachineField = keyof MachineDraft;

/** Labels, also used to word the messages ("Address is required"). */
export const FIELD_LABELS: Record<MachineField, string> = {
  displayName: 'Display name',
  address: 'Address',
  port: 'Port',
  transport: 'Transport',
  username: 'Username',
  credentialId: 'Credential',
  tags: 'Tags',
  client: 'Client',
  site: 'Site',
  proxyJump: 'Proxy jump',
  notes: 'Notes',
  winrmHttps: 'WinRM over HTTPS',
  winrmBasic: 'Basic authentication',
};

/** WinRM's HTTPS listener port (HTTP is DEFAULT_PORT.winrm, 5985). */
export const WINRM_HTTPS_PORT = 5986;

/** The port a new machine gets for its transport (and, for WinRM, HTTP or HTTPS). */
export const defaultPort = (transport: Transport, https: boolean): number =>
  transport === 'winrm' && https ? WINRM_HTTPS_PORT : DEFAULT_PORT[transport];

/** A draft for a new machine, or one filled from an existing machine. */
export function draftFrom(m?: Machine): MachineDraft {
  return {
    displayName: m?.displayName ?? '',
    address: m?.address ?? '',
    port: String(m?.port ?? DEFAULT_PORT.ssh),
    transport: m?.transport ?? 'ssh',
    username: m?.username ?? '',
    credentialId: m?.credentialId == null ? '' : String(m.credentialId),
    tags: m?.tags.join(', ') ?? '',
    client: m?.client ?? '',
    site: m?.site ?? '',
    proxyJump: m?.proxyJump ?? '',
    notes: m?.notes ?? '',
    winrmHttps: m?.winrmHttps ?? false,
    winrmBasic: m?.winrmBasic ?? false,
  };
}

/** Which transport a credential kind is for. */
export function credentialTransport(kind: CredentialSummary['kind']): Transport {
  return kind === 'winrm-password' ? 'winrm' : 'ssh';
}

/** Problems by field, worded as sentences; empty when the draft can be saved. */
export function validateDraft(
  d: MachineDraft,
  credentials: readonly CredentialSummary[],
): Partial<Record<MachineField, string>> {
  const out: Partial<Record<MachineField, string>> = {};
  const put = (field: MachineField, problem: string | null) => {
    if (problem) out[field] = problemText(FIELD_LABELS[field], problem);
  };
  put('displayName', checkDisplayName(d.displayName));
  put('address', checkAddress(normalizeAddress(d.address)));
  const port = parsePort(d.port);
  put('port', d.port.trim() === '' ? 'is required' : typeof port === 'string' ? port : null);
  put('username', checkUsername(d.username.trim()));
  put('tags', checkTags(splitTags(d.tags)));
  put('client', checkLabel(d.client.trim(), LIMITS.client));
  put('site', checkLabel(d.site.trim(), LIMITS.site));
  put('proxyJump', checkProxyJump(d.proxyJump.trim()));
  put('notes', checkNotes(d.notes));
  if (d.winrmBasic && d.transport === 'winrm' && !d.winrmHttps) {
    put('winrmBasic', 'is only used over HTTPS (over HTTP the password would be readable on the network)');
  }
  if (d.credentialId) {
    const c = credentials.find((x) => String(x.id) === d.credentialId);
    if (!c) put('credentialId', 'no longer exists; pick another');
    else if (credentialTransport(c.kind) !== d.transport) {
      put(
        'credentialId',
        `"${c.name}" is for ${c.kind === 'winrm-password' ? 'WinRM' : 'SSH'}, not this transport`,
      );
    }
  }
  return out;
}

/** The machine to send; call only on a draft without problems. */
export function inputFrom(d: MachineDraft): MachineInput {
  const port = parsePort(d.port);
  return {
    displayName: d.displayName.trim(),
    address: normalizeAddress(d.address),
    port: typeof port === 'number' ? port : defaultPort(d.transport, d.winrmHttps),
    transport: d.transport,
    username: d.username.trim(),
    credentialId: d.credentialId ? Number(d.credentialId) : null,
    tags: splitTags(d.tags),
    client: d.client.trim(),
    site: d.site.trim(),
    notes: d.notes,
    proxyJump: d.proxyJump.trim(),
    // The WinRM choices mean nothing for SSH: stored off, so switching back to WinRM starts from HTTP.
    winrmHttps: d.transport === 'winrm' && d.winrmHttps,
    winrmBasic: d.transport === 'winrm' && d.winrmHttps && d.winrmBasic,
  };
}
