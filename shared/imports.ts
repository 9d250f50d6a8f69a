/** Importing machines (CSV, OpenSSH config, Ansible inventories): the preview and the result. */
import type { MachineInput } from './domain';

/** Import sources Patchbay understands. */
export type ImportFormat = 'csv' | 'ssh-config' | 'ansible-ini' | 'ansible-yaml';

/** Machine fields a CSV column can be mapped to. */
export type CsvField =
  | 'displayName'
  | 'address'
  | 'port'
  | 'transport'
  | 'username'
  | 'tags'
  | 'client'
  | 'site'
  | 'notes'
  | 'proxyJump'
  | 'winrmHttps'
  | 'winrmBasic';

/** CSV header → field mapping; a header mapped to null is ignored. */
export type CsvMapping = Record<string, CsvField | null>;

/** What to do with an imported row whose address and port are already in the inventory. */
export type DuplicatePolicy = 'skip' | 'merge';

/** One row of an import preview. */
export interface ImportPreviewRow {
  /** 1-based line (CSV: record line; ssh_config: the Host line; Ansible: the host line). */
  line: number;
  /** The machine this row would create, when it is valid. */
  machine: MachineInput | null;
  /** The values as read from the file (each cut to 200 characters), so a bad row can still be recognised. */
  raw: Partial<Record<CsvField, string>>;
  /** Per-field problems; a row with errors is never written. */
  errors: { field: string; message: string }[];
  /** Non-fatal notes, e.g. an IdentityFile that Patchbay does not import as a credential. */
  warnings: string[];
  /** Existing machine with the same address and port, or an earlier row of the same file. */
  duplicateOf: { machineId: number | null; line: number | null; displayName: string } | null;
}

/** The whole preview: nothing has been written when it is shown. */
export interface ImportPreview {
  format: ImportFormat;
  rows: ImportPreviewRow[];
  /** Entries that are not machines (wildcard Host blocks, group vars…) and why they were skipped. */
  skipped: { line: number; reason: string }[];
  /** CSV only: the headers found and the mapping used. */
  headers: string[];
  mapping: CsvMapping;
  /** A file-level error (unparseable file); when set, rows is empty. */
  fatal: string | null;
}

/** The outcome of committing an import. */
export interface ImportResult {
  created: number;
  merged: number;
  skippedDuplicates: number;
  skippedInvalid: number;
}
