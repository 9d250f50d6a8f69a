import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { DesktopNotification } from '../../shared/notifications';
import { webhookUrlProblem } from '../../shared/notifications';
import { effectiveFormat, postWebhook, webhookBody } from './webhook';

interface Seen {
  method: string;
  url: string;
  type: string;
  body: unknown;
}
const seen: Seen[] = [];
let server: http.Server;
let other: http.Server;
let base = '';
let otherBase = '';
const sockets = new Set<Socket>();

function listen(s: http.Server): Promise<string> {
  s.on('connection', (c) => {
    sockets.add(c);
    c.on('close', () => sockets.delete(c));
  });
  return new Promise((r) =>
    s.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)),
  );
}

beforeAll(async () => {
  // A loopback stand-in for a chat webhook: records each POST; the path says how to answer.
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        type: req.headers['content-type'] ?? '',
        body: JSON.parse(text || 'null'),
      });
      const path = req.url ?? '';
      if (path.startsWith('/hooks/ok')) return void res.end('ok');
      if (path.startsWith('/hooks/gone')) {
        res.statusCode = 404;
        return void res.end('no_service\n' + 'x'.repeat(5000));
      }
      if (path.startsWith('/hooks/moved-away')) {
        res.writeHead(307, { location: `${otherBase}/steal/T000/B000/secret` });
        return void res.end();
      }
      if (path.startsWith('/hooks/moved-here')) {
        res.writeHead(308, { location: '/hooks/ok/T123/B456/secret' });
        return void res.end();
      }
      // /hooks/slow: never answers.
    });
  });
  other = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: `other:${req.url}`, type: '', body: null });
    res.end('ok');
  });
  base = await listen(server);
  otherBase = await listen(other);
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
  await new Promise<void>((r) => other.close(() => r()));
});

const n: DesktopNotification = {
  id: 'x',
  kind: 'gate-halted',
  title: 'Plan "Patch Tuesday" halted at the gate after Pilot',
  body: 'web01 failed its health check: HTTP 503, expected 200 <see log> & retry',
  at: Date.UTC(2026, 1, 13, 21, 0, 5),
  planId: 3,
};

describe('webhook bodies', () => {
  it('gives Slack-compatible tools text and a section block, escaping their markup', () => {
    expect(webhookBody(n, 'slack')).toEqual({
      text: `${n.title}\n${n.body}`,
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: '*Plan "Patch Tuesday" halted at the gate after Pilot*\nweb01 failed its health check: HTTP 503, expected 200 &lt;see log&gt; &amp; retry',
          },
        },
        {
          type: 'context',
          elements: [{ type: 'mrkdwn', text: 'Patchbay · gate-halted · 2026-02-13T21:00:05Z' }],
        },
      ],
    });
  });
  it('gives Teams Workflows a message with one Adaptive Card', () => {
    const b = webhookBody(n, 'teams') as {
      type: string;
      text: string;
      attachments: {
        contentType: string;
        content: { type: string; version: string; body: { text: string }[] };
      }[];
    };
    expect(b.type).toBe('message');
    expect(b.text).toBe(`${n.title}: ${n.body}`);
    expect(b.attachments).toHaveLength(1);
    expect(b.attachments[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(b.attachments[0]?.content.type).toBe('AdaptiveCard');
    expect(b.attachments[0]?.content.body.map((x) => x.text)).toEqual([
      n.title,
      n.body,
      'Patchbay · gate-halted · 2026-02-13T21:00:05Z',
    ]);
  });
  it('picks the format by host for auto', () => {
    expect(effectiveFormat('https://hooks.slack.com/services/T/B/x', 'auto')).toBe('slack');
    expect(effectiveFormat('https://prod-12.westeurope.logic.azure.com/workflows/abc', 'auto')).toBe('teams');
    expect(effectiveFormat('https://x.environment.api.powerplatform.com/powerautomate/a', 'auto')).toBe(
      'teams',
    );
    expect(effectiveFormat('https://chat.example.org/hooks/abc', 'teams')).toBe('teams');
  });
  it('accepts https and loopback http only, without credentials in the URL', () => {
    expect(webhookUrlProblem('https://hooks.slack.com/services/T/B/x')).toBeNull();
    expect(webhookUrlProblem('http://127.0.0.1:8080/hook')).toBeNull();
    expect(webhookUrlProblem('http://hooks.example.org/x')).toMatch(/https/);
    expect(webhookUrlProblem('https://user:pw@hooks.example.org/x')).toMatch(/user name or password/);
    expect(webhookUrlProblem('file:///etc/passwd')).toMatch(/https/);
    expect(webhookUrlProblem('not a url')).toBe('is not a URL');
  });
});

describe('posting', () => {
  it('POSTs the JSON and reports acceptance by origin only', async () => {
    seen.length = 0;
    const r = await postWebhook(`${base}/hooks/ok/T123/B456/secret`, webhookBody(n, 'slack'));
    expect(r).toEqual({ ok: true, message: `${base} accepted the message (HTTP 200)` });
    expect(seen).toEqual([
      {
        method: 'POST',
        url: '/hooks/ok/T123/B456/secret',
        type: 'application/json; charset=utf-8',
        body: webhookBody(n, 'slack'),
      },
    ]);
  });
  it('reports an error answer with its first words, never the secret path', async () => {
    const r = await postWebhook(`${base}/hooks/gone/T123/B456/secret`, { text: 'x' });
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(new RegExp(`^${base} answered HTTP 404: no_service x+…$`));
    expect(r.message.length).toBeLessThan(300);
    expect(r.message).not.toContain('secret');
  });
  it('follows a same-host 308 and refuses a redirect to another host', async () => {
    seen.length = 0;
    expect((await postWebhook(`${base}/hooks/moved-here`, { text: 'x' })).ok).toBe(true);
    expect(seen.map((s) => s.url)).toEqual(['/hooks/moved-here', '/hooks/ok/T123/B456/secret']);
    seen.length = 0;
    const away = await postWebhook(`${base}/hooks/moved-away/secret`, { text: 'x' });
    expect(away).toEqual({
      ok: false,
      message: `${base} redirected to ${otherBase} (HTTP 307); not followed`,
    });
    expect(seen.map((s) => s.url)).toEqual(['/hooks/moved-away/secret']);
  });
  it('gives up on a webhook that does not answer within the limit', async () => {
    const r = await postWebhook(`${base}/hooks/slow/secret`, { text: 'x' }, { timeoutMs: 300 });
    expect(r).toEqual({ ok: false, message: `no answer from ${base} within 0.3 s` });
  });
  it('says a refused connection in words', async () => {
    const closed = new URL(base);
    const s = http.createServer();
    const port = await new Promise<number>((r) =>
      s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)),
    );
    await new Promise<void>((r) => s.close(() => r()));
    closed.port = String(port);
    const r = await postWebhook(`${closed.origin}/hooks/secret`, { text: 'x' });
    expect(r).toEqual({ ok: false, message: `${closed.origin} refused the connection` });
  });
});
