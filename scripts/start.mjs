// `npm start`: the Electron app where Electron's binary is available, else the browser host.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(new URL('..', import.meta.url).pathname);
const args = process.argv.slice(2);

/**
 * Electron's binary path, or null when the package or its binary is missing. Read from the package's
 * path.txt rather than `require('electron')`, which would try to download right there and print a
 * stack trace on machines that cannot reach the download host.
 */
function electronBinary() {
  const pkg = path.join(root, 'node_modules', 'electron');
  try {
    const rel = fs.readFileSync(path.join(pkg, 'path.txt'), 'utf8').trim();
    const bin = path.join(pkg, 'dist', rel);
    return rel && fs.existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

function fallBack(reason) {
  console.log(`Electron's binary is not available (${reason}); starting Patchbay in your browser instead.`);
  const child = spawn(process.execPath, [path.join(root, 'dist/host/serve.cjs'), ...args], {
    stdio: 'inherit',
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 0));
}

/** Electron's binary, fetched on first start when npm skipped its download; null when impossible. */
function ensureElectron() {
  const bin = electronBinary();
  if (bin || !fs.existsSync(path.join(root, 'node_modules/electron/install.js'))) return bin;
  // npm 11 runs no dependency install scripts unless allowed (package.json's allowScripts denies
  // electron's: on machines that cannot reach Electron's download host it fails the whole install).
  // Fetch the binary now instead; where the download is impossible this fails fast.
  console.log("Fetching Electron's binary (first start only)…");
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/electron/install.js')], {
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 180_000,
  });
  return r.status === 0 ? electronBinary() : null;
}

/** better-sqlite3 built for Electron's ABI, built on first start; null when it cannot be built. */
function ensureNative() {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'node_modules/electron/package.json'), 'utf8'));
  const native = path.join(root, '.native', `electron-${pkg.version}-${process.arch}`, 'better_sqlite3.node');
  if (fs.existsSync(native)) return native;
  spawnSync(process.execPath, [path.join(root, 'build/rebuild-native.mjs')], { stdio: 'inherit' });
  return fs.existsSync(native) ? native : null;
}

const bin = ensureElectron();
if (!bin) fallBack('it cannot be downloaded on this machine');
else if (!ensureNative()) fallBack('better-sqlite3 could not be built for Electron');
else {
  const child = spawn(bin, [root, ...args], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
}
