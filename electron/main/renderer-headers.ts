import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { net, protocol } from 'electron';

import { SECURITY_HEADERS } from '../../shared/security-headers';
import { RENDERER_INDEX } from './window';

/**
 * Gives the renderer's files, loaded from file://, the same security headers the browser host sends —
 * above all the CSP with `frame-ancestors`, which Chromium honours only as a header. file:// responses
 * carry no headers and session.webRequest does not see them, so the file scheme is handled here:
 * Electron's own file loader reads the file (bypassCustomProtocolHandlers), and the renderer's files
 * get the headers added. Other file URLs pass through unchanged. Call once, after the app is ready.
 */
export function serveRendererWithHeaders(): void {
  const rendererDir = pathToFileURL(path.dirname(RENDERER_INDEX) + path.sep).href;
  protocol.handle('file', async (request) => {
    const res = await net.fetch(request, { bypassCustomProtocolHandlers: true });
    if (!request.url.startsWith(rendererDir)) return res;
    const headers = new Headers(res.headers);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) headers.set(name, value);
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  });
}
