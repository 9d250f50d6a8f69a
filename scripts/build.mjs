// Builds everything `npm start`, `npm run serve` and the CLI run: the renderer with Vite, and the Node
// side (Electron main, preload, browser host, CLI) with esbuild into dist/.
import { build as esbuild } from 'esbuild';
import { build as vite } from 'vite';

const root = new URL('..', import.meta.url).pathname;

const node = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  // Native and runtime-provided modules stay outside the bundle.
  external: ['electron', 'better-sqlite3', 'ssh2', 'cpu-features', 'bufferutil', 'utf-8-validate'],
};

await Promise.all([
  vite({ configFile: `${root}vite.config.ts`, logLevel: 'warn' }),
  esbuild({ ...node, entryPoints: ['electron/main/main.ts'], outfile: 'dist/electron/main.cjs' }),
  esbuild({ ...node, entryPoints: ['electron/preload/preload.ts'], outfile: 'dist/electron/preload.cjs' }),
  esbuild({ ...node, entryPoints: ['electron/host/serve.ts'], outfile: 'dist/host/serve.cjs' }),
  esbuild({ ...node, entryPoints: ['electron/cli/entry.ts'], outfile: 'dist/cli/patchbay.cjs' }),
]);
