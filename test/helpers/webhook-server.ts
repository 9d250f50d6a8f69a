import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One POST the stand-in webhook received. */
export interface WebhookPost {
  url: string;
  body: { text?: string; attachments?: unknown[] } & Record<string, unknown>;
}

/**
 * A loopback HTTP server standing in for a chat webhook (Slack, Teams): records each POST's path and JSON
 * body, and answers with what `answer` says for the path (default 200 "ok").
 */
export async function startWebhookServer(
  answer: (url: string) => { status: number; text: string } = () => ({ status: 200, text: 'ok' }),
) {
  const posts: WebhookPost[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '';
      posts.push({
        url,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as WebhookPost['body'],
      });
      const a = answer(url);
      res.statusCode = a.status;
      res.end(a.text);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    /** `http://127.0.0.1:<port>` */
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    posts,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A running stand-in webhook. */
export type WebhookServer = Awaited<ReturnType<typeof startWebhookServer>>;
