import fs from 'node:fs';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Maps a request URL to a file inside `root`, or null. Paths that escape the root are never served. */
export function resolveStatic(
  root: string,
  url: string,
): { path: string; type: string; size: number } | null {
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(url, 'http://127.0.0.1').pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0')) return null;
  const base = path.resolve(root);
  const wanted = path.resolve(base, '.' + (pathname.endsWith('/') ? pathname + 'index.html' : pathname));
  if (wanted !== base && !wanted.startsWith(base + path.sep)) return null;
  const type = TYPES[path.extname(wanted).toLowerCase()];
  if (!type) return null;
  try {
    const stat = fs.statSync(wanted);
    return stat.isFile() ? { path: wanted, type, size: stat.size } : null;
  } catch {
    return null;
  }
}
