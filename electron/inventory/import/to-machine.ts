/** Turns a parsed entry into a MachineInput by applying the shared field rules to every field. */
import type { CsvField, MachineInput, Transport } from '../../../shared/domain';
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
} from '../../../shared/validation';
import { excerpt } from './text';
import type { ParsedEntry } from './types';

/** Port used when an entry names none. */
const DEFAULT_PORT: Record<Transport, number> = { ssh: 22, winrm: 5985 };

/** A validated machine, or null with every problem found, each named by field. */
export interface MachineResult {
  machine: MachineInput | null;
  errors: { field: string; message: string }[];
}

/**
 * Validates an entry. Never throws: every value is untrusted file content, and checks that look at
 * a value's characters only run after the shared rules have bounded its length.
 */
export function toMachineInput(entry: ParsedEntry, defaults: { transport?: Transport } = {}): MachineResult {
  const errors: MachineResult['errors'] = [];
  const get = (field: CsvField): string => entry.fields[field]?.trim() ?? '';
  const check = (field: CsvField, problem: string | null): void => {
    if (problem) errors.push({ field, message: problem });
  };

  // The name doubles as the address (an ssh_config alias, an Ansible inventory name, a CSV with
  // only a name column), and the address doubles as the name.
  const address = normalizeAddress(get('address') || get('displayName'));
  check('address', checkAddress(address));
  const displayName = get('displayName') || address;
  check('displayName', checkDisplayName(displayName));

  const transportText = get('transport').toLowerCase();
  let transport: Transport = defaults.transport ?? 'ssh';
  if (transportText === 'ssh' || transportText === 'winrm') transport = transportText;
  else if (transportText !== '') {
    check('transport', `"${excerpt(transportText)}" is not a transport Patchbay uses: use ssh or winrm`);
  }

  // WinRM over HTTPS / Basic (migration 0012): yes/no, true/false, 1/0, on/off; empty keeps the stored value.
  const flag = (field: 'winrmHttps' | 'winrmBasic'): boolean | undefined => {
    const text = get(field).toLowerCase();
    if (text === '') return undefined;
    if (['yes', 'y', 'true', '1', 'on'].includes(text)) return true;
    if (['no', 'n', 'false', '0', 'off'].includes(text)) return false;
    check(field, `"${excerpt(text)}" is not yes or no`);
    return undefined;
  };
  const winrmHttps = flag('winrmHttps');
  const winrmBasic = flag('winrmBasic');
  if (transport !== 'winrm' && (winrmHttps || winrmBasic)) {
    check(
      winrmHttps ? 'winrmHttps' : 'winrmBasic',
      'is only for WinRM machines (set the transport to winrm)',
    );
  } else if (winrmBasic && !winrmHttps) {
    check('winrmBasic', 'is only used with WinRM over HTTPS (set winrm_https to yes)');
  }

  const portText = get('port');
  let port = winrmHttps && transport === 'winrm' ? 5986 : DEFAULT_PORT[transport];
  if (portText !== '') {
    const parsed = parsePort(portText);
    if (typeof parsed === 'number') port = parsed;
    else check('port', parsed);
  }

  const username = get('username');
  check(
    'username',
    username === '' ? 'is required (add a User/ansible_user or a username column)' : checkUsername(username),
  );

  // A tag list as long as the whole notes limit is already far past 50 tags of 40 characters;
  // rejecting it before splitting keeps a huge value from being split into millions of tags.
  const tagsText = get('tags');
  const tags = tagsText.length > LIMITS.notes ? [] : splitTags(tagsText);
  check(
    'tags',
    tagsText.length > LIMITS.notes ? `are too long (${tagsText.length} characters)` : checkTags(tags),
  );

  const client = get('client');
  check('client', checkLabel(client, LIMITS.client));
  const site = get('site');
  check('site', checkLabel(site, LIMITS.site));
  const notes = get('notes');
  check('notes', checkNotes(notes));
  const proxyJump = get('proxyJump');
  check('proxyJump', checkProxyJump(proxyJump));

  if (errors.length > 0) return { machine: null, errors };
  return {
    machine: {
      displayName,
      address,
      port,
      transport,
      username,
      credentialId: null,
      tags,
      client,
      site,
      notes,
      proxyJump,
      ...(winrmHttps !== undefined ? { winrmHttps } : {}),
      ...(winrmBasic !== undefined ? { winrmBasic } : {}),
    },
    errors,
  };
}
