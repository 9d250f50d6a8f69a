import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { alive } from './temp';

/** Where a target's sshd listens (or, for an unreachable host, where nothing does). */
export interface Endpoint {
  address: string;
  port: number;
}

// Endpoints are claimed with a lock file per address:port, shared by every process on this machine that
// uses these helpers (parallel test files, other suites): a bind probe alone races, because a target's
// sshd only binds after its setup.
const LOCKS = path.join(os.tmpdir(), 'patchbay-endpoints');

function claim(e: Endpoint): boolean {
  fs.mkdirSync(LOCKS, { recursive: true });
  const file = path.join(LOCKS, `${e.address}_${e.port}`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return true;
    } catch {
      const owner = Number(fs.readFileSync(file, 'utf8') || '0');
      if (owner && alive(owner)) return false;
      fs.rmSync(file, { force: true }); // its process died without releasing it
    }
  }
  return false;
}

function canListen(host: string, port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(null));
    server.listen({ host, port, exclusive: true }, () => {
      const got = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(got));
    });
  });
}

/**
 * A loopback endpoint nothing listens on: 127.0.0.(10+i):2222 for the first free i from `from`, so
 * targets look like separate machines on the usual port; a free port of 127.0.0.1 if none of those is.
 */
export async function allocateEndpoint(from = 0): Promise<Endpoint> {
  for (let i = from; i < 240; i++) {
    const e = { address: `127.0.0.${10 + i}`, port: 2222 };
    if (!claim(e)) continue;
    if ((await canListen(e.address, e.port)) !== null) return e;
    releaseEndpoint(e); // something else (not using these helpers) listens there
  }
  for (let attempt = 0; attempt < 10; attempt++) {
    const port = await canListen('127.0.0.1', 0);
    if (port !== null && claim({ address: '127.0.0.1', port })) return { address: '127.0.0.1', port };
  }
  throw new Error('no free loopback endpoint');
}

/** Gives an endpoint back once its target stopped. */
export function releaseEndpoint(e: Endpoint): void {
  const file = path.join(LOCKS, `${e.address}_${e.port}`);
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === String(process.pid))
    fs.rmSync(file, { force: true });
}

/**
 * An endpoint that refuses connections, for a repository that is down: port 9 (discard) of `address`
 * unless something listens there, else a free port of it.
 */
export async function closedEndpoint(address: string): Promise<Endpoint> {
  const refused = await new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: address, port: 9 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
  if (refused) return { address, port: 9 };
  const port = await canListen(address, 0);
  if (port === null) throw new Error(`no free port on ${address}`);
  return { address, port };
}

/** Resolves true when an SSH server answers with its `SSH-2.0-` banner within `timeoutMs`. */
export function sshBanner(e: Endpoint, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: e.address, port: e.port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (d: Buffer) => done(d.toString('latin1').startsWith('SSH-2.0-')));
  });
}

/** Polls until sshd answers at `e` (after a start or a simulated reboot). */
export async function waitForSsh(e: Endpoint, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await sshBanner(e, 1000))) {
    if (Date.now() > deadline)
      throw new Error(`no SSH server at ${e.address}:${e.port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
