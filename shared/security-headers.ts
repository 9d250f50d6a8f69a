/**
 * The renderer's Content-Security-Policy as a response header, sent by the browser host and by the
 * Electron shell. It has `frame-ancestors`, which works only in a header: in the page's `<meta>` tag
 * (renderer/index.html, the same policy without it, for anything that serves the files plainly) Chromium
 * ignores it and logs an error on every load.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*; object-src 'none'; base-uri 'none'; " +
  "frame-ancestors 'none'; form-action 'none'";

/** Headers on every file of the renderer, wherever it is served from. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};
