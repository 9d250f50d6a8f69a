import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { startArchive } from './apt-archive';
import { ensureBaseTree } from './base-tree';
import type { Target } from './hosts';
import { startTargets, stopAll } from './hosts';

// The numbers in README.md come from here. Opt-in (it takes minutes, and a cold base build fetches ~70 MB):
//   npm run bench:targets

/** PSS (KiB) of every process in a target's PID namespace, unshare included. */
function memoryKiB(t: Target): number {
  const ns = fs.readlinkSync(`/proc/${t.pid}/ns/pid`);
  let total = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const inTarget = fs.readlinkSync(`/proc/${entry}/ns/pid`) === ns;
      const isUnshare =
        fs.readFileSync(`/proc/${t.pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1] === entry;
      if (!inTarget && !isUnshare) continue;
      const pss = /^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${entry}/smaps_rollup`, 'utf8'));
      total += Number(pss?.[1] ?? 0);
    } catch {
      // the process exited meanwhile
    }
  }
  return total;
}

describe('measured costs', () => {
  it(
    'cold base build',
    async () => {
      const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-measure-cache-'));
      process.env.PATCHBAY_TARGETS_CACHE = cache;
      try {
        const started = Date.now();
        await ensureBaseTree();
        console.log(`cold base build: ${((Date.now() - started) / 1000).toFixed(1)} s`);
      } finally {
        delete process.env.PATCHBAY_TARGETS_CACHE;
        fs.rmSync(cache, { recursive: true, force: true });
      }
    },
    15 * 60_000,
  );

  for (const [n, cases] of [
    [5, []],
    [20, []],
    [5, ['security-update', 'normal-update', 'new-dependency', 'reboot-required', 'held', 'epoch', 'tilde']],
  ] as const) {
    it(
      `${n} hosts up${cases.length ? ' with 7 cases each' : ''}`,
      async () => {
        await ensureBaseTree();
        const archive = await startArchive();
        try {
          const started = Date.now();
          const names = Array.from({ length: n }, (_, i) => `measure${String(i).padStart(2, '0')}`);
          const targets = await startTargets(
            names.map((name) => ({ name, cases: [...cases] })),
            { archive },
          );
          const seconds = (Date.now() - started) / 1000;
          await new Promise((r) => setTimeout(r, 1000));
          const mem = targets.map(memoryKiB);
          const avg = mem.reduce((a, b) => a + b, 0) / mem.length / 1024;
          console.log(
            `${n} hosts (${cases.length} cases): up in ${seconds.toFixed(1)} s, ${avg.toFixed(1)} MiB PSS/host`,
          );
          expect(targets).toHaveLength(n);
        } finally {
          await stopAll();
          await archive.stop();
        }
      },
      10 * 60_000,
    );
  }
});
