import os from 'node:os';
import path from 'node:path';

/** The product name Electron uses for its user-data folder; the host and CLI use the same folder. */
export const PRODUCT_NAME = 'Patchbay';

/** Where Electron's `app.getPath('userData')` points for Patchbay on this OS. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const home = os.homedir();
  if (platform === 'win32')
    return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), PRODUCT_NAME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', PRODUCT_NAME);
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), PRODUCT_NAME);
}

/** The data folder: an explicit flag, else PATCHBAY_DATA_DIR, else the OS default. */
export function resolveDataDir(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(flag || env.PATCHBAY_DATA_DIR || defaultDataDir(env));
}

/** Files inside a data folder. */
export function dataFiles(dataDir: string) {
  return {
    db: path.join(dataDir, 'patchbay.db'),
    keyFile: path.join(dataDir, 'secret.key'),
    log: path.join(dataDir, 'logs', 'patchbay.log'),
    /** Vulnerability feed snapshots (electron/vuln/snapshot-store.ts). */
    vuln: path.join(dataDir, 'vuln'),
  };
}
