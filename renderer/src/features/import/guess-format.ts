/** Guesses an import file's format from its name and first lines. */
import type { ImportFormat } from '../../../../shared/domain';

/** Names of the formats, as shown in the format menu. */
export const FORMAT_LABEL: Record<ImportFormat, string> = {
  csv: 'CSV',
  'ssh-config': 'OpenSSH config (ssh_config)',
  'ansible-ini': 'Ansible inventory (INI)',
  'ansible-yaml': 'Ansible inventory (YAML)',
};

/** The likely format, or null when nothing gives it away. Content wins over a generic file name. */
export function guessFormat(fileName: string | null, text: string): ImportFormat | null {
  const head = text.slice(0, 64 * 1024);
  if (/^[ \t]*Host[ \t=]+\S/im.test(head)) return 'ssh-config';
  if (/^all[ \t]*:[ \t]*(#.*)?$/m.test(head)) return 'ansible-yaml';
  if (/^[ \t]*\[[^\]\n]+\][ \t]*$/m.test(head)) return 'ansible-ini';

  const name = (fileName ?? '').toLowerCase();
  if (name.endsWith('.csv') || name.endsWith('.tsv')) return 'csv';
  if (name.endsWith('.yml') || name.endsWith('.yaml')) return 'ansible-yaml';
  if (name.endsWith('.ini') || /(^|[\\/])hosts$/.test(name)) return 'ansible-ini';
  if (/(^|[\\/])(ssh_)?config$/.test(name)) return 'ssh-config';

  const first = head.split(/\r?\n/).find((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  if (first && /[,;\t]/.test(first)) return 'csv';
  return null;
}
