import { version } from '../../package.json';
import { nodeSecretBox } from '../secrets/node-secrets';
import { feedFetchFromEnv } from '../vuln/mirror';
import { type Core, createCore } from './create-core';
import { fileLogger } from './logger';
import { dataFiles } from './paths';
import { scanConcurrency } from './scan-settings';

/**
 * A core for the browser host and the CLI: data folder on disk, key-file or passphrase secrets, a log file.
 * `resumeRollouts: false` (the CLI's one-shot commands) leaves running rollouts to the app; `runPlans: true`
 * (the browser host, `patchbay run`) starts the plan runner's loop.
 */
export function openNodeCore(
  dataDir: string,
  host: 'browser' | 'electron' = 'browser',
  opts: { resumeRollouts?: boolean; runPlans?: boolean } = {},
): Core {
  const files = dataFiles(dataDir);
  return createCore({
    dbPath: files.db,
    secrets: nodeSecretBox(files.keyFile),
    logger: fileLogger(files.log),
    host,
    dataDir,
    version,
    ssh: { concurrency: scanConcurrency() },
    rollouts: { resume: opts.resumeRollouts ?? true },
    plans: { run: opts.runPlans ?? false },
    vulnFetch: feedFetchFromEnv(),
  });
}
