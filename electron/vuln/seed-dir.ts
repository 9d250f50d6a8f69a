import fs from 'node:fs';
import path from 'node:path';

/**
 * The folder of the built-in feed seeds: `seed/` beside this file when run from source (tests, tsx),
 * `../vuln-seed` from a bundle in dist/<entry>/ (scripts/build.mjs copies the seeds there).
 */
export function bundledSeedDir(dir: string = __dirname): string {
  const source = path.join(dir, 'seed');
  return fs.existsSync(path.join(source, 'seeds.json')) ? source : path.join(dir, '..', 'vuln-seed');
}
