import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { needs } from '../helpers/needs';
import { tempDir } from '../helpers/temp';

/** Whether Electron's binary is really installed here (then `npm start` opens a window, not the host). */
function electronInstalled(): boolean {
  // Not require('electron'): that would try to download the binary on the spot.
  const pkg = path.resolve('node_modules/electron');
  try {
    return fs.existsSync(path.join(pkg, 'dist', fs.readFileSync(path.join(pkg, 'path.txt'), 'utf8').trim()));
  } catch {
    return false;
  }
}

// What these tests check — the fallback to the browser host — happens only where Electron's binary is
// missing, as on the build machines (they reach package registries only). Elsewhere they skip loudly.
const withoutElectron = needs(
  "a machine without Electron's binary (npm start falls back to the browser host there)",
  !electronInstalled(),
  'run where node_modules/electron has no downloaded binary (e.g. the build machines, or .ci/run)',
);

describe.skipIf(!withoutElectron)('npm start without Electron', () => {
  it('says why in one line and serves the same UI on 127.0.0.1 with a token', async () => {
    const child = spawn(
      process.execPath,
      [path.resolve('scripts/start.mjs'), '--data-dir', tempDir(), '--port', '0'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed:\n${out}`)), 30_000);
        child.stdout.on('data', () => {
          const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[0]);
          }
        });
      });
      const lines = out.split('\n').filter((l) => /Electron/.test(l));
      expect(lines.at(-1)).toMatch(
        /^Electron's binary is not available \(.+\); starting Patchbay in your browser instead\.$/,
      );
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');
    } finally {
      // Only the process this test started, by PID; it forwards the signal to the host it spawned.
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    }
  });

  it('--demo serves simulated machines from a throwaway folder it deletes on exit', async () => {
    const child = spawn(process.execPath, [path.resolve('scripts/start.mjs'), '--demo', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PATCHBAY_DEMO_HOSTS: '12' },
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const seen = { folder: '' };
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed:\n${out}`)), 60_000);
        child.stdout.on('data', () => {
          if (/http:\/\/127\.0\.0\.1:\d+\/\?token=/.test(out)) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      expect(out).toMatch(/DEMO MODE: 12 simulated machines/);
      seen.folder = /Data folder: (\S+) \(demo/.exec(out)?.[1] ?? '';
      expect(fs.existsSync(path.join(seen.folder, 'patchbay.db'))).toBe(true);
    } finally {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    }
    expect(seen.folder).not.toBe('');
    expect(fs.existsSync(seen.folder), out).toBe(false);
  });
});
