// `npm run bench:vuln`: generates a Debian security tracker JSON of the real shape and size (~120 MB:
// source package → CVE → releases, with descriptions), then reads it as the snapshot store does
// (validation of every entry) and as the lookup does (one release kept), and reports the peak memory of
// each against the file size. The point: memory follows the largest package entry and the kept index,
// not the document. Run alone (it samples this process's RSS).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { parseDebianTracker } from '../../electron/vuln/debian-tracker';

const PACKAGES = Number(process.env.BENCH_PACKAGES ?? 30_000);
const CVES_PER_PACKAGE = 8;
const RELEASES = ['bullseye', 'bookworm', 'trixie', 'sid'];
const MB = 1024 * 1024;

async function generate(file: string): Promise<number> {
  const out = fs.createWriteStream(file);
  const write = (s: string) =>
    out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', r));
  await write('{');
  let cve = 1;
  for (let p = 0; p < PACKAGES; p++) {
    const issues: Record<string, unknown> = {};
    for (let c = 0; c < CVES_PER_PACKAGE; c++, cve++) {
      const releases: Record<string, unknown> = {};
      for (const [i, r] of RELEASES.entries()) {
        releases[r] =
          (cve + i) % 5 === 0
            ? { status: 'open', repositories: { [r]: `1.${p}-1` }, urgency: 'low**' }
            : {
                status: 'resolved',
                repositories: { [r]: `1.${p}-2` },
                fixed_version: `1.${p}-2`,
                urgency: 'medium',
              };
      }
      issues[`CVE-${2000 + (cve % 26)}-${String(cve).padStart(5, '0')}`] = {
        description: `Generated issue ${cve} in package ${p}: a buffer overflow in the parser allows remote attackers to cause a denial of service or possibly execute code.`,
        scope: 'remote',
        releases,
      };
    }
    await write(`${p ? ',' : ''}\n${JSON.stringify(`pkg${p}`)}: ${JSON.stringify(issues)}`);
  }
  await write('\n}\n');
  await new Promise<void>((r) => out.end(r));
  return fs.statSync(file).size;
}

async function peak<T>(run: () => Promise<T>): Promise<{ result: T; peakRssMb: number; ms: number }> {
  globalThis.gc?.();
  const base = process.memoryUsage().rss;
  let top = base;
  const timer = setInterval(() => (top = Math.max(top, process.memoryUsage().rss)), 5);
  const t0 = performance.now();
  const result = await run();
  const ms = performance.now() - t0;
  clearInterval(timer);
  top = Math.max(top, process.memoryUsage().rss);
  return { result, peakRssMb: Math.round((top - base) / MB), ms: Math.round(ms) };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-bench-vuln-'));
try {
  const file = path.join(dir, 'debian-tracker.json');
  const bytes = await generate(file);
  console.log(
    `generated ${(bytes / MB).toFixed(0)} MB, ${PACKAGES} packages × ${CVES_PER_PACKAGE} CVEs × ${RELEASES.length} releases`,
  );
  const validate = await peak(() => parseDebianTracker(fs.createReadStream(file), { releases: [] }));
  console.log(
    `validate all (keep none): +${validate.peakRssMb} MB RSS, ${validate.ms} ms, ${validate.result.packages} packages`,
  );
  const one = await peak(() => parseDebianTracker(fs.createReadStream(file), { releases: ['bookworm'] }));
  console.log(`index bookworm: +${one.peakRssMb} MB RSS, ${one.ms} ms, ${one.result.records} fixes kept`);
  const whole = await peak(async () => JSON.parse(await fs.promises.readFile(file, 'utf8')) as unknown);
  console.log(`for comparison, JSON.parse of the whole file: +${whole.peakRssMb} MB RSS, ${whole.ms} ms`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
