/* global document, requestAnimationFrame -- page.evaluate and waitForFunction run these in the page */
// `npm run bench:ui`: the Machines table in Debian's Chromium with 1,000 and 10,000 machines, through the
// real browser host. Reports load time, scroll frame times and DOM rows, and the 10,000 / 1,000 ratios
// measured in the same run (these machines are noisy: compare ratios, not absolute times).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { chromium } from 'playwright-core';

const root = path.resolve(new URL('../..', import.meta.url).pathname);
const CHROMIUM = process.env.PATCHBAY_CHROMIUM ?? '/usr/bin/chromium';
const SIZES = [1_000, 10_000];
const ROUNDS = 3;

function csv(n) {
  const lines = ['name,address,port,user,tags,client,site'];
  for (let i = 0; i < n; i++) {
    const a = Math.floor(i / 250);
    lines.push(
      `host-${String(i).padStart(5, '0')},10.${a >> 8}.${a & 255}.${(i % 250) + 1},22,admin,"t${i % 7} fleet",Client ${i % 40},Site ${i % 9}`,
    );
  }
  return lines.join('\n') + '\n';
}

function seed(dir, n) {
  const file = path.join(dir, 'fleet.csv');
  fs.writeFileSync(file, csv(n));
  const r = spawnSync(
    process.execPath,
    [path.join(root, 'bin/patchbay.cjs'), '--data-dir', dir, 'machines', 'import', file, '--json'],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  const created = JSON.parse(r.stdout).created;
  if (created !== n) throw new Error(`seeded ${created} of ${n}`);
}

async function startHost(dir) {
  const child = spawn(
    process.execPath,
    [path.join(root, 'dist/host/serve.cjs'), '--data-dir', dir, '--port', '0'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (c) => {
      out += c;
      const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(out);
      if (m) resolve(m[0]);
    });
    child.once('exit', (code) => reject(new Error(`host exited ${code}`)));
  });
  return {
    url,
    stop: () =>
      new Promise((r) => {
        child.once('exit', r);
        child.kill('SIGTERM');
      }),
  };
}

async function measure(browser, url, n) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const t0 = Date.now();
  await page.goto(url + '#/machines');
  await page.waitForFunction(
    (n) => document.querySelector('[data-testid="machine-count"]')?.getAttribute('data-total') === String(n),
    n,
    { timeout: 60_000 },
  );
  await page.getByTestId('machine-row').first().waitFor();
  const loadMs = Date.now() - t0;
  // Scroll top to bottom in 120 steps, one per animation frame, and record each frame's duration.
  const frames = await page.evaluate(async () => {
    const grid = document.querySelector('[role="grid"]');
    const times = [];
    let last = performance.now();
    const steps = 120;
    for (let i = 1; i <= steps; i++) {
      grid.scrollTop = ((grid.scrollHeight - grid.clientHeight) * i) / steps;
      await new Promise((r) => requestAnimationFrame(r));
      const now = performance.now();
      times.push(now - last);
      last = now;
    }
    return times;
  });
  // Rows arrive a page at a time: give the last page a moment to come in after the scroll stops.
  const lastRow = page
    .getByTestId('machine-row')
    .filter({ hasText: `host-${String(n - 1).padStart(5, '0')}` });
  const lastVisible = await lastRow.waitFor({ timeout: 10_000 }).then(
    () => lastRow.count(),
    () => 0,
  );
  const domRows = await page.getByTestId('machine-row').count();
  await page.close();
  frames.sort((a, b) => a - b);
  const mean = frames.reduce((s, x) => s + x, 0) / frames.length;
  const p95 = frames[Math.floor(frames.length * 0.95)];
  return { loadMs, mean, p95, domRows, reachedEnd: lastVisible === 1 };
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const results = {};
const dirs = [];
try {
  for (const n of SIZES) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `patchbay-bench-${n}-`));
    dirs.push(dir);
    seed(dir, n);
    const host = await startHost(dir);
    const runs = [];
    for (let r = 0; r < ROUNDS; r++) runs.push(await measure(browser, host.url, n));
    await host.stop();
    const median = (k) => runs.map((x) => x[k]).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
    results[n] = {
      loadMs: median('loadMs'),
      frameMean: median('mean'),
      frameP95: median('p95'),
      domRows: Math.max(...runs.map((x) => x.domRows)),
      reachedEnd: runs.every((x) => x.reachedEnd),
    };
  }
} finally {
  await browser.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
}

const [small, big] = SIZES.map((n) => results[n]);
console.log('Machines table in Chromium (median of %d rounds each):', ROUNDS);
for (const n of SIZES) {
  const r = results[n];
  console.log(
    `  ${String(n).padStart(6)} machines: load ${r.loadMs} ms, scroll frame mean ${r.frameMean.toFixed(1)} ms, p95 ${r.frameP95.toFixed(1)} ms, ${r.domRows} rows in the DOM, end reached: ${r.reachedEnd}`,
  );
}
console.log(
  `Ratios 10,000 / 1,000: load ${(big.loadMs / small.loadMs).toFixed(2)}x, scroll frame mean ${(big.frameMean / small.frameMean).toFixed(2)}x, p95 ${(big.frameP95 / small.frameP95).toFixed(2)}x`,
);
