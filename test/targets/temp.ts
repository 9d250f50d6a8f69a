import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** True while a process with this PID exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True when anything is mounted at or below `dir` in this mount namespace. */
export function hasMountsUnder(dir: string): boolean {
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  return mounts.some((line) => {
    const point = line.split(' ')[4];
    return point !== undefined && (point === dir || point.startsWith(dir + '/'));
  });
}

/** `rm -rf` that refuses to descend into a tree with something mounted inside it. */
export async function removeTree(dir: string): Promise<void> {
  if (hasMountsUnder(dir)) throw new Error(`refusing to remove ${dir}: something is mounted below it`);
  await fsp.rm(dir, { recursive: true, force: true });
}

/**
 * A new directory `<tmp>/<prefix><pid>-XXXXXX`. Directories of the same prefix whose process died (a killed
 * test run) are removed first, so crashes do not pile up overlay upper dirs or archive copies.
 */
export async function processTempDir(prefix: string): Promise<string> {
  const tmp = os.tmpdir();
  for (const name of await fsp.readdir(tmp)) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1]);
    if (pid && !alive(pid)) await removeTree(path.join(tmp, name)).catch(() => undefined);
  }
  return fsp.mkdtemp(path.join(tmp, `${prefix}${process.pid}-`));
}
