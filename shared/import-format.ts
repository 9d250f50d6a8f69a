import type { ImportFormat } from './domain';

/** Guesses an import format from a file name and its first lines; null when nothing fits. */
export function guessImportFormat(fileName: string, text: string): ImportFormat | null {
  const name = fileName.toLowerCase();
  if (name.endsWith('.csv') || name.endsWith('.tsv')) return 'csv';
  if (name.endsWith('.yml') || name.endsWith('.yaml')) return 'ansible-yaml';
  if (/(^|[/\\])(ssh_)?config$/.test(name)) return 'ssh-config';
  const head = text.replace(/^\uFEFF/, '').slice(0, 64 * 1024);
  const lines = head.split(/\r?\n/).filter((l) => l.trim() !== '' && !/^\s*[#;]/.test(l));
  if (lines.some((l) => /^\s*(Host|Match)\s*[\s=]/i.test(l))) return 'ssh-config';
  if (lines[0] !== undefined && /^\s*(all|ungrouped|[\w-]+):\s*$/.test(lines[0])) return 'ansible-yaml';
  if (lines.some((l) => /^\s*\[[^\]]+\]\s*$/.test(l))) return 'ansible-ini';
  if (lines[0] !== undefined && /[,;\t]/.test(lines[0])) return 'csv';
  if (name.endsWith('.ini') || name === 'hosts' || name.endsWith('/hosts')) return 'ansible-ini';
  return null;
}
