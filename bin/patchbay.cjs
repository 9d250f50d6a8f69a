#!/usr/bin/env node
// The `patchbay` command: runs the CLI built by `npm run build`.
const fs = require('node:fs');
const path = require('node:path');

const built = path.join(__dirname, '..', 'dist', 'cli', 'patchbay.cjs');
if (!fs.existsSync(built)) {
  process.stderr.write('patchbay: the CLI is not built yet. Run `npm run build` first.\n');
  process.exit(1);
}
require(built);
