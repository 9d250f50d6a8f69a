/**
 * The evidence pack's format: manifest.json (what the pack is and every file's size and SHA-256) and
 * SHA256SUMS (the same sums in `sha256sum -c` form, so an auditor can check a pack without Patchbay).
 */
import { createHash } from 'node:crypto';

import { z } from 'zod';

import type { AuditEntry } from '../../shared/decisions';
import { deflateAll, writeZip, type ZipEntry } from './zip';

/** The format name and version every pack's manifest carries. */
export const PACK_FORMAT = 'patchbay-evidence';
/** Bumped when a reader of version N could misread a newer pack. */
export const PACK_FORMAT_VERSION = 1;
/** Names reserved for the pack's own bookkeeping. */
export const MANIFEST = 'manifest.json';
/** The sums file, in GNU coreutils' format. */
export const SUMS = 'SHA256SUMS';
/** The audit span, one entry per line (oldest first). */
export const AUDIT_FILE = 'audit/entries.jsonl';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

/** The manifest's shape; verify reads untrusted input through it. */
export const manifestSchema = z.object({
  format: z.literal(PACK_FORMAT),
  formatVersion: z.literal(PACK_FORMAT_VERSION),
  patchbayVersion: z.string(),
  createdAt: z.string(),
  rollout: z.object({ id: z.number().int(), name: z.string(), state: z.string() }),
  dataFolder: z.object({
    /** The hash of the data folder's first audit entry: the same for every pack from that folder. */
    auditGenesisHash: hex64.nullable(),
    /** `seq:hash` of the newest audit entry when the pack was made. */
    auditHeadAtExport: z.string().nullable(),
  }),
  audit: z
    .object({
      path: z.literal(AUDIT_FILE),
      firstSeq: z.number().int().min(1),
      lastSeq: z.number().int().min(1),
      prevHash: hex64,
      lastHash: hex64,
      rolloutSeqs: z.array(z.number().int()),
      approvalSeqs: z.array(z.number().int()),
    })
    .nullable(),
  notes: z.array(z.string()),
  files: z.array(z.object({ path: z.string(), size: z.number().int().min(0), sha256: hex64 })),
});

/** A pack's manifest. */
export type Manifest = z.infer<typeof manifestSchema>;

/** SHA-256 of bytes, hex. */
export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** `sha256sum` output for files (two spaces: text mode, which is what GNU prints by default). */
export function sumsText(files: { path: string; sha256: string }[]): string {
  return files.map((f) => `${f.sha256}  ${f.path}\n`).join('');
}

/** Parses SHA256SUMS; lines it cannot read are returned as problems. */
export function parseSums(text: string): { sums: Map<string, string>; problems: string[] } {
  const sums = new Map<string, string>();
  const problems: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line === '') return;
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!m) problems.push(`${SUMS} line ${i + 1} is not "<sha256>  <path>"`);
    else if (sums.has(m[2] as string)) problems.push(`${SUMS} lists ${m[2]} twice`);
    else sums.set(m[2] as string, m[1] as string);
  });
  return { sums, problems };
}

/** The audit span as stored in the pack: one canonical line per entry. */
export function auditLines(entries: AuditEntry[]): string {
  return entries.map((e) => JSON.stringify(e)).join('\n') + (entries.length ? '\n' : '');
}

/** Assembles a pack: the content files, then manifest.json and SHA256SUMS over all of them. */
export async function assemblePack(
  files: ZipEntry[],
  meta: Omit<Manifest, 'files' | 'format' | 'formatVersion'>,
  createdAtMs: number,
): Promise<Buffer> {
  const listed = files.map((f) => ({ path: f.path, size: f.data.length, sha256: sha256(f.data) }));
  const manifest: Manifest = {
    format: PACK_FORMAT,
    formatVersion: PACK_FORMAT_VERSION,
    ...meta,
    files: listed,
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2) + '\n');
  const sums = sumsText([...listed, { path: MANIFEST, sha256: sha256(manifestBytes) }]);
  const entries = [
    { path: MANIFEST, data: manifestBytes },
    { path: SUMS, data: Buffer.from(sums) },
    ...files,
  ];
  return writeZip(await deflateAll(entries), createdAtMs);
}
