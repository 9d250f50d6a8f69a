/**
 * Prints a page of the app to PDF with Debian's Chromium, headless, driven over the DevTools protocol on
 * a pipe (`--remote-debugging-pipe`: file descriptors 3 and 4, NUL-separated JSON; no port is opened).
 * Chromium's own `--print-to-pdf` prints at the load event, before the page has fetched its data over the
 * WebSocket; here the page says when it is ready (`data-report-ready` on <html>) and only then is printed.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';

import { isReady, PDF_OPTIONS, PRINT_TIMEOUT_MS, READY_EXPRESSION, READY_POLL_MS } from './print-options';

/** Where Chromium is looked for when PATCHBAY_CHROMIUM does not say. */
export const CHROMIUM_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
];

/** The Chromium binary to use, or null when none is installed. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const given = env.PATCHBAY_CHROMIUM;
  if (given) return fs.existsSync(given) ? given : null;
  return CHROMIUM_CANDIDATES.find((p) => fs.existsSync(p)) ?? null;
}

/** Chromium is missing: what to install. */
export class ChromiumMissingError extends Error {
  constructor(given: string | undefined) {
    super(
      given
        ? `PATCHBAY_CHROMIUM names ${given}, which does not exist: PDF reports are printed by Chromium.`
        : 'PDF reports are printed by Chromium, which is not installed: install it (Debian/Ubuntu: ' +
            'apt-get install chromium) or set PATCHBAY_CHROMIUM to its path. CSV reports work without it.',
    );
  }
}

interface CdpReply {
  id?: number;
  result?: Record<string, unknown>;
  error?: { message?: string };
}

/** Opens `url` in a fresh headless Chromium, waits for the page to say it is ready, and prints it. */
export async function printPageToPdf(
  url: string,
  opts: { chromium?: string; timeoutMs?: number } = {},
): Promise<Buffer> {
  const binary = opts.chromium ?? findChromium();
  if (!binary) throw new ChromiumMissingError(process.env.PATCHBAY_CHROMIUM);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-print-'));
  const args = [
    '--headless',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--remote-debugging-pipe',
    `--user-data-dir=${profile}`,
    // Chromium refuses to start its sandbox as root (containers, CI); as any other user it keeps it.
    ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    'about:blank',
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  const toChromium = child.stdio[3] as Writable;
  const fromChromium = child.stdio[4] as Readable;
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
  const pending = new Map<number, { resolve: (r: CdpReply) => void; reject: (e: Error) => void }>();
  let exited: Error | null = null;
  const failAll = (e: Error) => {
    exited = e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  child.once('error', (e) => failAll(new Error(`Chromium (${binary}) could not start: ${e.message}`)));
  child.once('exit', (code) =>
    failAll(new Error(`Chromium exited (code ${code}) before the report was printed. ${stderr.trim()}`)),
  );
  let buffered = '';
  fromChromium.on('data', (c: Buffer) => {
    buffered += c.toString();
    let end: number;
    while ((end = buffered.indexOf('\0')) >= 0) {
      const text = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      let msg: CdpReply;
      try {
        msg = JSON.parse(text) as CdpReply;
      } catch {
        continue;
      }
      if (typeof msg.id !== 'number') continue;
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      p?.resolve(msg);
    }
  });
  // A pipe error (Chromium gone) is reported through 'exit'.
  toChromium.on('error', () => undefined);
  fromChromium.on('error', () => undefined);
  let nextId = 0;
  const send = (method: string, params: object = {}, sessionId?: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      if (exited) return reject(exited);
      const id = ++nextId;
      pending.set(id, {
        resolve: (r) =>
          r.error
            ? reject(new Error(`Chromium refused ${method}: ${r.error.message ?? 'unknown error'}`))
            : resolve(r.result ?? {}),
        reject,
      });
      toChromium.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
    });
  const timeoutMs = opts.timeoutMs ?? PRINT_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`The report page did not finish loading within ${timeoutMs / 1000} s.`)),
      timeoutMs,
    );
  });
  const work = async (): Promise<Buffer> => {
    const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
    const s = String(sessionId);
    await send('Page.enable', {}, s);
    await send('Page.navigate', { url }, s);
    for (;;) {
      const r = await send('Runtime.evaluate', { expression: READY_EXPRESSION, returnByValue: true }, s);
      if (isReady(String((r.result as { value?: unknown } | undefined)?.value ?? ''))) break;
      await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
    }
    const pdf = await send('Page.printToPDF', PDF_OPTIONS, s);
    return Buffer.from(String(pdf.data ?? ''), 'base64');
  };
  try {
    return await Promise.race([work(), timeout]);
  } finally {
    clearTimeout(timer);
    if (!exited) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      // Browser.close ends Chromium cleanly; the kill (of this one child, by its handle) is the fallback.
      send('Browser.close').catch(() => undefined);
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(killer);
    }
    fs.rmSync(profile, { recursive: true, force: true });
  }
}
