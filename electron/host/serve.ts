import path from 'node:path';
import { parseArgs } from 'node:util';

import { openNodeCore } from '../core/node-core';
import { resolveDataDir } from '../core/paths';
import { type Demo, startDemo } from '../demo/start-demo';
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
  const demo: Demo | null = values.demo ? await startDemo() : null;
  if (demo) process.stdout.write(`${demo.notice}\n`);
  const dataDir = demo?.dataDir ?? resolveDataDir(values['data-dir']);
  const core = openNodeCore(dataDir, 'browser');
  const staticDir = path.join(__dirname, '..', 'renderer');
  const wanted = values.port !== undefined ? Number(values.port) : DEFAULT_PORT;
  let host: RunningHost;
  try {
    host = await startHost({ core, staticDir, port: wanted }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EADDRINUSE' || values.port !== undefined) throw err;
      return startHost({ core, staticDir, port: 0 });
    });
  } catch (err) {
    await core.close();
    await demo?.stop();
    throw err;
  }
  process.stdout.write(
    `Patchbay is running in your browser at:\n\n  ${host.url}\n\n` +
      `Open that link (it holds a one-time token; only this computer can reach it).\n` +
      `Data folder: ${dataDir}${demo ? ' (demo: deleted when you stop)' : ''}\nPress Ctrl+C to stop.\n`,
  );
  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    await host.close();
    await core.close();
    await demo?.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  serve(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`patchbay: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
