import fs from 'node:fs';
import path from 'node:path';

import { UsageError } from './call';

/**
 * Writes `bytes` to `out` beside the target and renames it into place: a reader never sees half a file,
 * and without `force` an existing file is never replaced (the link fails instead of a race between the
 * check and the write).
 */
export function writeNewFile(out: string, bytes: Buffer | string, force: boolean): void {
  if (!force && fs.existsSync(out)) throw new UsageError(`${out} exists; pass --force to replace it.`);
  const tmp = path.join(path.dirname(path.resolve(out)), `.${path.basename(out)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, bytes, { flag: 'wx' });
  try {
    if (force) fs.renameSync(tmp, out);
    else fs.linkSync(tmp, out);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError(`${out} exists; pass --force to replace it.`);
    throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
