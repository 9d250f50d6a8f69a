import path from 'node:path';
import { parseArgs } from 'node:util';

import type { Core } from '../core/create-core';
import { openNodeCore } from '../core/node-core';
import { resolveDataDir } from '../core/paths';
import type { Demo } from '../demo/start-demo';
import { type RunningHost, startHost } from './server';

/** Default port; when taken, another free one is used. */
const DEFAULT_PORT = 47_800;

const USAGE = `Usage: npm run serve -- [--data-dir DIR] [--port N] [--demo]

  --demo   explore with a few hundred simulated machines in a throwaway folder (deleted on exit)
`;

/** Entry point of `npm run serve` (and of `npm start` when Electron's binary is missing). */
export async function serve(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      demo: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (values.demo && values['data-dir'])
    throw new Error('--demo uses a throwaway data folder; drop --data-dir');
  // Signal handlers come first: a SIGTERM that arrives between printing the URL and registering them
  // would end the process at once, leaving the database open and a demo folder behind.
  let demo: Demo | null = null;
  let core: Core | null = null;
  let host: RunningHost | null = null;
  let closing = false;
  const stop = async (code = 0) => {
    if (closing) return;
    closing = true;
    // Each step runs even if an earlier one failed: the database is closed and a demo folder removed.
    for (const step of [() => host?.close(), () => core?.close(), () => demo?.stop()]) {
      try {
        await step();
      } catch (err) {
        code = 1;
        process.stderr.write(
          `patchbay: while stopping: ${err instanceof Error ? err.message : String(err)}\n`,
        );
      }
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  try {
    if (values.demo) {
      // The simulator loads only in demo mode (its own bundle; see scripts/build.mjs).
      const { startDemo } = await import('../demo/start-demo');
      demo = await startDemo();
      process.stdout.write(`${demo.notice}\n`);
    }
    const dataDir = demo?.dataDir ?? resolveDataDir(values['data-dir']);
    const opened = openNodeCore(dataDir, 'browser', { runPlans: true });
    core = opened;
    const staticDir = path.join(__dirname, '..', 'renderer');
    const wanted = values.port !== undefined ? Number(values.port) : DEFAULT_PORT;
    host = await startHost({ core: opened, staticDir, port: wanted }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EADDRINUSE' || values.port !== undefined) throw err;
      return startHost({ core: opened, staticDir, port: 0 });
    });
    if (closing) return;
    process.stdout.write(
      `Patchbay is running in your browser at:\n\n  ${host.url}\n\n` +
        `Open that link (it holds a one-time token; only this computer can reach it).\n` +
        `Data folder: ${dataDir}${demo ? ' (demo: deleted when you stop)' : ''}\nPress Ctrl+C to stop.\n`,
    );
  } catch (err) {
    process.stderr.write(`patchbay: ${err instanceof Error ? err.message : String(err)}\n`);
    await stop(1);
  }
}

if (require.main === module) {
  serve(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`patchbay: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
