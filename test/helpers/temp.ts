import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterEach } from 'vitest';

import { type CoreOptions, createCore } from '../../electron/core/create-core';
import { fileLogger, silentLogger } from '../../electron/core/logger';
import { dataFiles } from '../../electron/core/paths';
import { nodeSecretBox } from '../../electron/secrets/node-secrets';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory removed after the current test. */
export function tempDir(prefix = 'patchbay-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A core on a real SQLite file in a temporary data folder, as the browser host builds it. */
export function fileCore(dataDir = tempDir(), env: NodeJS.ProcessEnv = {}) {
  const files = dataFiles(dataDir);
  const core = createCore({
    dbPath: files.db,
    secrets: nodeSecretBox(files.keyFile, env),
    logger: fileLogger(files.log),
    host: 'browser',
    dataDir,
    version: '0.0.0-test',
  });
  return { core, dataDir, files };
}

/**
 * A core on a real SQLite file whose clock the test sets (`now`), without resuming rollouts or writing a log
 * file: what the compliance, risk and scan-write tests build. `over` adds or replaces options.
 */
export function clockedCore(dataDir: string, now: () => number, over: Partial<CoreOptions> = {}) {
  const files = dataFiles(dataDir);
  return createCore({
    dbPath: files.db,
    secrets: nodeSecretBox(files.keyFile),
    logger: silentLogger,
    host: 'browser',
    dataDir,
    version: '0.0.0-test',
    clock: { now },
    rollouts: { resume: false },
    ...over,
  });
}
