// Builds everything `npm start`, `npm run serve` and the CLI run: the renderer with Vite, and the Node
// side (Electron main, preload, browser host, CLI) with esbuild into dist/.
import fs from 'node:fs';

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

// The fleet simulator is for demo mode only: the app and the browser host import it dynamically, and this
// keeps it out of their bundles — it is built alone into dist/demo/ and required from there when asked for.
// Both importers sit one folder below dist/, so the same relative path reaches it.
const demoApart = {
  name: 'demo-apart',
  setup(b) {
    b.onResolve({ filter: /\/demo\/start-demo$/ }, (args) =>
      args.kind === 'dynamic-import' ? { path: '../demo/start-demo.cjs', external: true } : undefined,
    );
  },
};

await Promise.all([
  vite({ configFile: `${root}vite.config.ts`, logLevel: 'warn' }),
  esbuild({
    ...node,
    entryPoints: ['electron/main/main.ts'],
    outfile: 'dist/electron/main.cjs',
    plugins: [demoApart],
  }),
  esbuild({ ...node, entryPoints: ['electron/preload/preload.ts'], outfile: 'dist/electron/preload.cjs' }),
  esbuild({
    ...node,
    entryPoints: ['electron/host/serve.ts'],
    outfile: 'dist/host/serve.cjs',
    plugins: [demoApart],
  }),
  esbuild({ ...node, entryPoints: ['electron/demo/start-demo.ts'], outfile: 'dist/demo/start-demo.cjs' }),
  esbuild({ ...node, entryPoints: ['electron/cli/entry.ts'], outfile: 'dist/cli/patchbay.cjs' }),
]);

// The built-in vulnerability feed seeds (electron/vuln/seed) ship as files beside the bundles, which all
// sit one folder below dist/ and find them at ../vuln-seed (electron/vuln/seed-dir.ts).
fs.cpSync(`${root}electron/vuln/seed`, `${root}dist/vuln-seed`, { recursive: true });
