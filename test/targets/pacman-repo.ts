/**
 * A pacman repository for pacman test targets: dummy Arch packages (test/capture/pacman-packages.ts, bsdtar)
 * indexed with repo-add, served over loopback HTTP the way an Arch mirror serves them. libalpm downloads a
 * database only when the server's copy is newer (If-Modified-Since) and dates its copy with the server's
 * Last-Modified, so the server answers both; the pre-flight's database age reads that date.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import { type ArchPackage, buildArchPackage, pacmanArch } from '../capture/pacman-packages';
import { run } from './run';
import { processTempDir } from './temp';

/** The one repository every pacman target syncs from, as `[core]`. */
export const PACMAN_REPO_NAME = 'core';

/** A running pacman repository on 127.0.0.1. */
export interface PacmanRepo {
  /** `http://127.0.0.1:<port>/core`: the `Server =` line of a target's pacman.conf. */
  url: string;
  /** Builds `pkgs` into the repository and adds them to its database (replacing older versions). */
  publish(pkgs: readonly ArchPackage[]): Promise<void>;
  stop(): Promise<void>;
}

function serve(dir: string): http.Server {
  return http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.join(dir, path.normalize(urlPath));
    const send = (code: number) => {
      res.writeHead(code, { 'content-type': 'text/plain' });
      res.end(code === 304 ? undefined : 'not found\n');
    };
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !file.startsWith(dir + path.sep)) return send(404);
    fs.stat(file).then(
      async (st) => {
        if (!st.isFile()) return send(404);
        // HTTP dates have whole seconds: "not newer" is compared at that precision, as a mirror does.
        const since = Date.parse(req.headers['if-modified-since'] ?? '');
        if (!Number.isNaN(since) && Math.floor(st.mtimeMs / 1000) * 1000 <= since) return send(304);
        const body = await fs.readFile(file);
        res.writeHead(200, {
          'content-length': body.length,
          'content-type': 'application/octet-stream',
          'last-modified': st.mtime.toUTCString(),
        });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      () => send(404),
    );
  });
}

/** Builds `pkg` as a package file in `outDir`, for `pacman -U` (a target's starting packages). */
export async function packageFileOf(pkg: ArchPackage, outDir: string): Promise<string> {
  await fs.mkdir(outDir, { recursive: true });
  return buildArchPackage(pkg, await pacmanArch(), outDir);
}

/**
 * Starts an empty repository (publish() fills it) on a free port of 127.0.0.1. Targets share the test
 * machine's network namespace, so they reach it at the same address.
 */
export async function startPacmanRepo(): Promise<PacmanRepo> {
  const dir = await processTempDir('patchbay-pacman-repo-');
  const repoDir = path.join(dir, PACMAN_REPO_NAME);
  await fs.mkdir(repoDir);
  const arch = await pacmanArch();
  const db = path.join(repoDir, `${PACMAN_REPO_NAME}.db.tar.gz`);
  let server: http.Server | undefined = serve(dir);
  await new Promise<void>((resolve, reject) => {
    server?.once('error', reject);
    server?.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/${PACMAN_REPO_NAME}`;
  // repo-add rewrites the database: one publish at a time.
  let queue: Promise<void> = Promise.resolve();
  let lastMtime = 0;
  const publish = (pkgs: readonly ArchPackage[]) => {
    const next = queue.then(async () => {
      const files = [];
      for (const p of pkgs) files.push(await buildArchPackage(p, arch, repoDir));
      await run('repo-add', ['-q', db, ...files]);
      // Each publish must look newer to If-Modified-Since (whole seconds), even within the same second.
      lastMtime = Math.max(Math.floor(Date.now() / 1000), lastMtime + 1);
      for (const f of [db, path.join(repoDir, `${PACMAN_REPO_NAME}.db`)])
        await fs.utimes(f, lastMtime, lastMtime);
    });
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    url,
    publish,
    stop: async () => {
      if (server) await new Promise<void>((resolve) => server?.close(() => resolve()));
      server = undefined;
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
