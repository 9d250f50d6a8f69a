import fs from 'node:fs';
import path from 'node:path';

/**
 * The folder of the built-in feed seeds: `seed/` beside this file when run from source (tests, tsx),
 * `../vuln-seed` from a bundle in dist/<entry>/ (scripts/build.mjs copies the seeds there). Under tsx's
 * ES modules (the benches) there is no __dirname; those run from the repository root, so its source
 * folder answers.
 */
export function bundledSeedDir(dir: string = sourceDir()): string {
  const source = path.join(dir, 'seed');
  return fs.existsSync(path.join(source, 'seeds.json')) ? source : path.join(dir, '..', 'vuln-seed');
}

function sourceDir(): string {
  return typeof __dirname === 'string' ? __dirname : path.join(process.cwd(), 'electron', 'vuln');
}
