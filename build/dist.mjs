// `npm run dist`: builds, makes better-sqlite3 for Electron's ABI, then packages with electron-builder.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(new URL('..', import.meta.url).pathname);
const electronVersion = JSON.parse(
  fs.readFileSync(path.join(root, 'node_modules/electron/package.json'), 'utf8'),
).version;
const env = { ...process.env, PATCHBAY_ELECTRON_VERSION: electronVersion };
const step = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env, shell: process.platform === 'win32' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
step(process.execPath, ['scripts/build.mjs']);
step(process.execPath, ['build/rebuild-native.mjs']);
step('npx', ['electron-builder', '--config', 'build/electron-builder.yml', ...process.argv.slice(2)]);
