/**
 * Runs test/integration/pywinrm-client.py (Debian's pywinrm 0.3, an independent WinRM client) with one JSON
 * request and returns its JSON answer. Asynchronous: the simulator lives in the test's process and must
 * keep answering while pywinrm talks to it.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';

import { needs } from '../helpers/needs';

const PY = '/usr/bin/python3';
const SCRIPT = path.resolve('test/integration/pywinrm-client.py');
// ntlm-auth hashes with MD4, which Debian 12's OpenSSL 3 keeps in its legacy provider. pywinrm 0.3 lets
// REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE from the environment override server_cert_validation='ignore'
// (transport.py merges requests' environment settings after it), so they are left out.
const PY_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  OPENSSL_CONF: path.resolve('test/integration/openssl-legacy.cnf'),
};
delete PY_ENV.REQUESTS_CA_BUNDLE;
delete PY_ENV.CURL_CA_BUNDLE;

/** Whether pywinrm and requests-ntlm import under Debian's interpreter (skips loudly, fails under CI). */
export const pywinrmAvailable = (): boolean =>
  needs(
    'python3-winrm (pywinrm, an independent WinRM client)',
    spawnSync(PY, ['-c', 'import winrm, requests_ntlm'], { stdio: 'ignore' }).status === 0,
    'apt-get install python3-winrm',
  );

/** One pywinrm-client.py run: `request` on its stdin, its stdout parsed. */
export function runPywinrm<T>(request: object): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(PY, [SCRIPT], { env: PY_ENV });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill(), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`pywinrm-client.py exited ${code}: ${err}`));
      resolve(JSON.parse(out) as T);
    });
    child.stdin.end(JSON.stringify(request));
  });
}
