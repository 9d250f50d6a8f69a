// Builds better-sqlite3 for Electron's ABI into .native/electron-<version>-<arch>/, leaving the Node build
// in node_modules (used by the tests, the CLI and the browser host) untouched. Electron's main process
// loads it through better-sqlite3's `nativeBinding` option. Needs the internet (Electron's headers or
// better-sqlite3's prebuilt binaries), so it runs on `npm start` or `npm run dist`, never in tests.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(new URL('..', import.meta.url).pathname);
const electronVersion = JSON.parse(
  fs.readFileSync(path.join(root, 'node_modules/electron/package.json'), 'utf8'),
).version;
const arch = process.env.npm_config_arch || process.arch;
const outDir = path.join(root, '.native', `electron-${electronVersion}-${arch}`);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-native-'));

const run = (cmd, args, cwd) =>
  spawnSync(cmd, args, { cwd, stdio: 'inherit', shell: process.platform === 'win32' }).status === 0;

try {
  fs.cpSync(path.join(root, 'node_modules/better-sqlite3'), path.join(work, 'better-sqlite3'), {
    recursive: true,
    filter: (src) => !src.includes(`${path.sep}build${path.sep}`),
  });
  const pkg = path.join(work, 'better-sqlite3');
  const prebuild = path.join(root, 'node_modules/prebuild-install/bin.js');
  const ok =
    (fs.existsSync(prebuild) &&
      run(
        process.execPath,
        [prebuild, '--runtime=electron', `--target=${electronVersion}`, `--arch=${arch}`],
        pkg,
      )) ||
    run(
      'npx',
      [
        '--yes',
        'node-gyp',
        'rebuild',
        '--release',
        `--target=${electronVersion}`,
        `--arch=${arch}`,
        '--dist-url=https://electronjs.org/headers',
      ],
      pkg,
    );
  if (!ok) {
    console.error('Could not build better-sqlite3 for Electron (needs the internet, or a C++ toolchain).');
    process.exit(1);
  }
  fs.mkdirSync(outDir, { recursive: true });
  fs.copyFileSync(
    path.join(pkg, 'build/Release/better_sqlite3.node'),
    path.join(outDir, 'better_sqlite3.node'),
  );
  console.log(`better-sqlite3 for Electron ${electronVersion} (${arch}) → ${path.relative(root, outDir)}`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
