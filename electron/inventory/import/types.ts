/** Intermediate results shared by the import parsers (CSV, ssh_config, Ansible) before validation. */
import type { CsvField, CsvMapping } from '../../../shared/domain';

/** One machine-like entry found in a source file, with its raw text values not yet validated. */
export interface ParsedEntry {
  /** 1-based line where the entry starts in the source text. */
  line: number;
  fields: Partial<Record<CsvField, string>>;
  warnings: string[];
  /** Private key path named by the source (ssh_config IdentityFile, Ansible private key file). */
  identityFile?: string;
}

/** What a parser found in a whole file. */
export interface ParseResult {
  entries: ParsedEntry[];
  /** Parts of the file that are not machines, and why they were left out. */
  skipped: { line: number; reason: string }[];
  /** CSV only: the header row; empty for other formats. */
  headers: string[];
  /** CSV only: the header → field mapping used; empty for other formats. */
  mapping: CsvMapping;
  /** A file-level problem that stops the import, worded for a technician; null when the file parsed. */
  fatal: string | null;
}
