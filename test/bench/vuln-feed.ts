// `npm run bench:vuln`: generates a Debian security tracker JSON of the real shape and size (~120 MB:
// source package → CVE → releases, with descriptions), then reads it as the snapshot store does
// (validation of every entry) and as the lookup does (one release kept), and reports the peak memory of
// each against the file size. The point: memory follows the largest package entry and the kept index,
// not the document. Then an Ubuntu USN OVAL of about the real size (bzip2), parsed as the risk service
// does: its time, memory and the longest hold-up of the event loop. Run alone (it samples this process's
// RSS); needs Debian's bzip2 to build the OVAL file.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { parseDebianTracker } from '../../electron/vuln/debian-tracker';
import { type SampleNotice, sampleOval } from '../../electron/vuln/oval-sample';
import { parseUbuntuOval } from '../../electron/vuln/ubuntu-oval';

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

/** The longest the event loop was held up while `run` ran (a 1 ms timer's largest gap), and the run's time. */
async function stalls<T>(run: () => Promise<T>): Promise<{ result: T; longestMs: number; ms: number }> {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  const t0 = performance.now();
  const result = await run();
  const ms = performance.now() - t0;
  clearInterval(timer);
  return { result, longestMs: Math.round(longest), ms: Math.round(ms) };
}

/** An Ubuntu USN OVAL of about the real size (thousands of notices), bzip2-compressed by Debian's bzip2. */
function ubuntuOval(notices: number): Buffer {
  const list: SampleNotice[] = [];
  for (let i = 1; i <= notices; i++)
    list.push({
      usn: `USN-${i}-1`,
      title: 'generated vulnerabilities',
      severity: 'Medium',
      issued: '2024-01-01',
      cves: Array.from({ length: 4 }, (_, k) => ({
        id: `CVE-2024-${10000 + i * 4 + k}`,
        priority: 'medium',
      })),
      packages: Array.from({ length: 3 }, (_, j) => ({
        names: Array.from({ length: 6 }, (_, n) => `pkg${i}-${j}-${n}`),
        fixed: `0:1.2.${i}-0ubuntu0.${j}`,
      })),
    });
  const xml = sampleOval('jammy', '22.04 LTS', '2026-11-30T08:15:00', list);
  return execFileSync('bzip2', ['-9', '-c'], { input: xml, maxBuffer: 1 << 30 });
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-bench-vuln-'));
try {
  // Ubuntu's notices are parsed in the app's own process: it must take turns with everything else.
  const notices = Number(process.env.BENCH_UBUNTU_NOTICES ?? 6000);
  const oval = ubuntuOval(notices);
  const ub = await peak(() => stalls(() => parseUbuntuOval(oval, 'jammy')));
  console.log(
    `Ubuntu OVAL, ${notices} notices (${(oval.length / MB).toFixed(1)} MB bzip2): +${ub.peakRssMb} MB RSS, ` +
      `${ub.result.ms} ms, ${ub.result.result.records} fixes kept; longest hold-up of the event loop ` +
      `${ub.result.longestMs} ms = ${((100 * ub.result.longestMs) / ub.result.ms).toFixed(1)}% of the parse`,
  );
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
