import * as namespace from 'ssh2';

/**
 * ssh2 is CommonJS. Node's ESM loader (tsx scripts such as bench:scale) finds only some of its names by
 * static analysis (`Client`, not `Server` or `utils`), so named imports of those fail there; the module
 * object itself is the namespace's default under Node, Vitest and esbuild's bundle alike.
 */
const ssh2: typeof namespace = (namespace as { default?: typeof namespace }).default ?? namespace;

/** ssh2's SSH server class. */
export const SshServer = ssh2.Server;
/** ssh2's key utilities (parseKey, generateKeyPairSync). */
export const sshUtils = ssh2.utils;
