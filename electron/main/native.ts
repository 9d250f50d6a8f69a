import fs from 'node:fs';
import path from 'node:path';

import { app } from 'electron';

/**
 * better-sqlite3 built for Electron's ABI, kept apart from the Node build that tests use so that
 * `npm start` and `npm test` never overwrite each other's binary (see build/rebuild-native.mjs).
 */
export function electronNativeBinding(): string {
  const candidates = app.isPackaged
    ? [path.join(process.resourcesPath, 'native', 'better_sqlite3.node')]
    : [
        path.join(
          app.getAppPath(),
          '.native',
          `electron-${process.versions.electron}-${process.arch}`,
          'better_sqlite3.node',
        ),
      ];
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) {
    throw new Error(
      `better-sqlite3 for Electron ${process.versions.electron} is missing (looked in ${candidates.join(', ')}). ` +
        'Run `node build/rebuild-native.mjs`.',
    );
  }
  return found;
}
