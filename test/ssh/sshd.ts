import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { needs } from '../helpers/needs';

/** Debian's OpenSSH server. */
export const SSHD = '/usr/sbin/sshd';

/** Real OpenSSH tests run sshd as root on loopback; skipped loudly elsewhere, failed under CI. */
export function sshdAvailable(): boolean {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const tools = [SSHD, '/usr/bin/ssh-keygen', '/usr/bin/ssh'].every((f) => fs.existsSync(f));
  return needs(
    'root and OpenSSH (sshd, ssh, ssh-keygen)',
    isRoot && tools,
    'run as root with Debian openssh-server and openssh-client installed ' +
      '(apt-get install -y openssh-server openssh-client)',
  );
}

const dirs: string[] = [];
/** A temporary directory (0700) for a whole test file, removed by removeScratchDirs(). */
export function scratchDir(prefix = 'patchbay-ssh-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o700);
  dirs.push(dir);
  return dir;
}
/** Removes every directory scratchDir() made (call it in afterAll). */
export function removeScratchDirs(): void {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** A free loopback port (bound then released: good enough for tests that run one file at a time). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** A key pair made by ssh-keygen, as paths and as text. */
export interface KeyPair {
  privatePath: string;
  publicPath: string;
  privateKey: string;
  publicKey: string;
}
/** Runs ssh-keygen for a new key pair; `passphrase` '' for none. */
export function makeKey(dir: string, name: string, type: 'ed25519' | 'rsa', passphrase = ''): KeyPair {
  const privatePath = path.join(dir, name);
  const bits = type === 'rsa' ? ['-b', '2048'] : [];
  execFileSync('ssh-keygen', ['-q', '-t', type, ...bits, '-N', passphrase, '-C', name, '-f', privatePath]);
  return {
    privatePath,
    publicPath: `${privatePath}.pub`,
    privateKey: fs.readFileSync(privatePath, 'utf8'),
    publicKey: fs.readFileSync(`${privatePath}.pub`, 'utf8').trim(),
  };
}

/** `SHA256:…` of a public key file, as OpenSSH prints it. */
export function keygenFingerprint(publicPath: string): string {
  const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', publicPath], { encoding: 'utf8' });
  const fp = out.split(/\s+/)[1];
  if (!fp?.startsWith('SHA256:')) throw new Error(`unexpected ssh-keygen -l output: ${out}`);
  return fp;
}

/** How to start an sshd. */
export interface SshdOptions {
  /** Directory holding the host key and authorized_keys; reused by a restart. */
  dir: string;
  /** Public keys allowed to log in (as any user; root here). */
  authorizedKeys: string[];
  port?: number;
  hostKeyType?: 'ed25519' | 'rsa';
  /** Replace the host key (to simulate a reinstalled server). */
  newHostKey?: boolean;
  /** Extra sshd_config lines. */
  config?: string[];
}

/** One running sshd. */
export interface Sshd {
  port: number;
  pid: number;
  hostKeyPublic: string;
  hostKeyFingerprint: string;
  /** What sshd wrote (-e), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/** Starts Debian's sshd in the foreground on 127.0.0.1 with its own host key and config. */
export async function startSshd(options: SshdOptions): Promise<Sshd> {
  const { dir } = options;
  const type = options.hostKeyType ?? 'ed25519';
  const hostKey = path.join(dir, `host_${type}`);
  if (options.newHostKey) {
    fs.rmSync(hostKey, { force: true });
    fs.rmSync(`${hostKey}.pub`, { force: true });
  }
  if (!fs.existsSync(hostKey)) makeKey(dir, `host_${type}`, type);
  fs.writeFileSync(path.join(dir, 'authorized_keys'), options.authorizedKeys.join('\n') + '\n', {
    mode: 0o600,
  });
  const port = options.port ?? (await freePort());
  // sshd keeps the first value it reads for a keyword, so the caller's lines come first and win.
  const config = [
    ...(options.config ?? []),
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${hostKey}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
    'PermitRootLogin prohibit-password',
    'PidFile none',
    'UsePAM no',
    'StrictModes no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'MaxStartups 100',
    'MaxSessions 50',
    'LogLevel VERBOSE',
    'AllowTcpForwarding no',
  ];
  const configPath = path.join(dir, `sshd_config.${port}`);
  fs.writeFileSync(configPath, config.join('\n') + '\n');
  // sshd insists on its privilege-separation directory; Debian's init script normally creates it.
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', configPath], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sshd did not start:\n${log}`)), 10_000);
    child.stderr?.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-20_000);
      if (log.includes(`Server listening on 127.0.0.1 port ${port}`)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sshd exited with ${code}:\n${log}`));
    });
  });
  const pid = child.pid as number;
  return {
    port,
    pid,
    hostKeyPublic: `${hostKey}.pub`,
    hostKeyFingerprint: keygenFingerprint(`${hostKey}.pub`),
    log: () => log,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // Only the sshd this test started, by its PID; its per-connection children exit with it.
      process.kill(pid, 'SIGTERM');
      await exited;
    },
  };
}

/** A loopback TCP listener that accepts connections and never says a word (for handshake timeouts). */
export async function silentListener(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
