import fs from 'node:fs';

import type { Core } from '../core/create-core';
import { verifyPack } from '../evidence/verify';
import { call, UsageError } from './call';
import { writeNewFile } from './write-new-file';

/** Options `patchbay evidence …` reads. */
export interface EvidenceOptions {
  rollout?: string | undefined;
  out?: string | undefined;
  force?: boolean | undefined;
  json?: boolean | undefined;
}

type Io = { stdout: (s: string) => void; stderr: (s: string) => void };

/** `evidence verify` found problems in the pack: scripts can tell it from a failure to run. */
export const EXIT_EVIDENCE_BAD = 5;

// A pack is a few MB; reading more than this into memory to verify it is not worth the risk.
const MAX_PACK_BYTES = 1024 * 1024 * 1024;

/**
 * `patchbay evidence verify FILE`: needs no data folder (an auditor runs it on a pack alone). Exit 0 when
 * the pack holds, EXIT_EVIDENCE_BAD with one line per problem otherwise.
 */
export function runEvidenceVerify(file: string | undefined, o: EvidenceOptions, io: Io): number {
  if (!file) throw new UsageError('evidence verify needs the pack: patchbay evidence verify FILE.zip');
  let bytes: Buffer;
  try {
    const size = fs.statSync(file).size;
    if (size > MAX_PACK_BYTES) throw new Error(`${file} is ${size} bytes; a pack is never that large`);
    bytes = fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`Cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`, {
      cause: err,
    });
  }
  const r = verifyPack(bytes);
  if (o.json) io.stdout(JSON.stringify(r, null, 2) + '\n');
  else if (r.ok) {
    io.stdout(
      `Evidence pack intact: rollout ${r.rollout?.id} (${r.rollout?.name || 'unnamed'}), ${r.files} files match ` +
        `the manifest and SHA256SUMS, ${r.auditEntries} audit entries recompute as a hash chain.\n`,
    );
  } else {
    for (const p of r.problems) io.stdout(`${file}: ${p}\n`);
  }
  return r.ok ? 0 : EXIT_EVIDENCE_BAD;
}

async function rolloutIdOf(core: Core, given: string | undefined): Promise<number> {
  if (!given) throw new UsageError('evidence export needs --rollout ID|NAME');
  if (/^\d+$/.test(given)) return Number(given);
  const named = (await call(core, 'rollouts.list', { limit: 1000 })).filter(
    (r) => r.name.toLowerCase() === given.toLowerCase(),
  );
  if (named.length === 1 && named[0]) return named[0].id;
  if (named.length === 0)
    throw new UsageError(`No rollout named "${given}" (see \`patchbay rollout list\`).`);
  throw new UsageError(
    `${named.length} rollouts are named "${given}" (ids ${named.map((r) => r.id).join(', ')}): give the ID.`,
  );
}

/** `patchbay evidence export --rollout ID|NAME --out FILE [--force]`. */
export async function runEvidenceExport(core: Core, o: EvidenceOptions, io: Io): Promise<number> {
  if (!o.out) throw new UsageError('evidence export needs --out FILE.zip');
  const id = await rolloutIdOf(core, o.rollout);
  // Refused before the pack is built; writeNewFile checks again at the write.
  if (!o.force && fs.existsSync(o.out)) throw new UsageError(`${o.out} exists; pass --force to replace it.`);
  const pack = await call(core, 'rollouts.evidence', { id });
  writeNewFile(o.out, Buffer.from(pack.base64, 'base64'), o.force ?? false);
  if (o.json) {
    const shown = { fileName: pack.fileName, size: pack.size, sha256: pack.sha256, path: o.out };
    io.stdout(JSON.stringify(shown, null, 2) + '\n');
  } else
    io.stdout(
      `Wrote the evidence pack of rollout ${id} to ${o.out} (${pack.size} bytes, sha256 ${pack.sha256}).\n`,
    );
  return 0;
}
