import path from 'node:path';
import { parseArgs } from 'node:util';

import { openNodeCore } from '../core/node-core';
import { resolveDataDir } from '../core/paths';
import { startHost } from './server';

/** Default port; when taken, another free one is used. */
const DEFAULT_PORT = 47_800;

/** Entry point of `npm run serve` (and of `npm start` when Electron's binary is missing). */
export async function serve(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { 'data-dir': { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean' } },
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write('Usage: npm run serve -- [--data-dir DIR] [--port N]\n');
    return;
  }
  const dataDir = resolveDataDir(values['data-dir']);
  const core = openNodeCore(dataDir, 'browser');
  const staticDir = path.join(__dirname, '..', 'renderer');
  const wanted = values.port !== undefined ? Number(values.port) : DEFAULT_PORT;
  let host;
  try {
    host = await startHost({ core, staticDir, port: wanted });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || values.port !== undefined) throw err;
    host = await startHost({ core, staticDir, port: 0 });
  }
  process.stdout.write(
    `Patchbay is running in your browser at:\n\n  ${host.url}\n\n` +
      `Open that link (it holds a one-time token; only this computer can reach it).\n` +
      `Data folder: ${dataDir}\nPress Ctrl+C to stop.\n`,
  );
  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    await host.close();
    await core.close();
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
