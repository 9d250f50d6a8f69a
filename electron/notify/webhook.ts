/**
 * The webhook: one JSON POST per notification, in the shape Slack-compatible chat tools or Microsoft Teams
 * Workflows accept (see WEBHOOK_FORMATS in shared/notifications.ts). The URL is a secret — Slack's and
 * Teams' carry their token in the path — so nothing here puts more than its origin into a message or log.
 */
import type { DesktopNotification, WebhookFormat } from '../../shared/notifications';
import { cleanLine } from '../health/check-results';

/** Default limit for one POST, connect to last byte. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** Bytes of an error answer kept for the message. */
const ANSWER_MAX = 1024;
/** Same-origin 307/308 redirects followed at most; anything else is refused. */
const MAX_REDIRECTS = 3;

const TEAMS_HOSTS =
  /(^|\.)(powerautomate\.com|powerplatform\.com|logic\.azure\.com|flow\.microsoft\.com|webhook\.office\.com)$/i;

/** The URL's origin only (`https://hooks.slack.com`): safe to show and to log. */
export function webhookOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(not a URL)';
  }
}

/** What `auto` means for a URL: Teams for Microsoft's workflow hosts, else Slack-compatible. */
export function effectiveFormat(url: string, format: WebhookFormat): 'slack' | 'teams' {
  if (format !== 'auto') return format;
  try {
    return TEAMS_HOSTS.test(new URL(url).hostname) ? 'teams' : 'slack';
  } catch {
    return 'slack';
  }
}

/** Slack's mrkdwn treats &, < and > as markup; plain words must escape them. */
const slackEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The JSON body for one notification: `text` for every tool, plus a simple card in the chosen format. */
export function webhookBody(n: DesktopNotification, format: 'slack' | 'teams'): Record<string, unknown> {
  const when = new Date(n.at).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const footer = `Patchbay · ${n.kind} · ${when}`;
  if (format === 'slack') {
    return {
      text: `${n.title}\n${n.body}`,
      blocks: [
        {
          type: 'section',
          text: { type: 'mrkdwn', text: `*${slackEscape(n.title)}*\n${slackEscape(n.body)}` },
        },
        { type: 'context', elements: [{ type: 'mrkdwn', text: slackEscape(footer) }] },
      ],
    };
  }
  return {
    type: 'message',
    text: `${n.title}: ${n.body}`,
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', text: n.title, weight: 'Bolder', size: 'Medium', wrap: true },
            { type: 'TextBlock', text: n.body, wrap: true },
            { type: 'TextBlock', text: footer, isSubtle: true, size: 'Small', wrap: true },
          ],
        },
      },
    ],
  };
}

/** The first bytes of an answer as one clean line. */
async function answerText(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  while (size < ANSWER_MAX) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    size += value.length;
  }
  void reader.cancel().catch(() => undefined);
  const text = Buffer.concat(parts).subarray(0, ANSWER_MAX).toString('utf8');
  return cleanLine(text).slice(0, 200);
}

/** A network failure in words, from Node's error codes (never the URL, which fetch errors may hold). */
function networkProblem(err: unknown, origin: string, timeoutMs: number, timedOut: boolean): string {
  if (timedOut) return `no answer from ${origin} within ${timeoutMs / 1000} s`;
  const cause = (err as { cause?: { code?: string } } | null)?.cause;
  const code = cause?.code ?? (err as { code?: string } | null)?.code ?? '';
  if (code === 'ECONNREFUSED') return `${origin} refused the connection`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot resolve the host of ${origin}`;
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return `${origin} closed the connection`;
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) {
    return `${origin}'s TLS certificate was not accepted (${code})`;
  }
  return `could not reach ${origin}${code ? ` (${code})` : ''}`;
}

/**
 * POSTs `body` as JSON. Follows a 307/308 only to the same origin (a webhook moved elsewhere could hand
 * the message — and the next ones — to another party), never any other redirect. Resolves with whether the
 * webhook took it and a message in words; never rejects.
 */
export async function postWebhook(
  url: string,
  body: unknown,
  opts: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<{ ok: boolean; message: string }> {
  const timeoutMs = opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  const origin = webhookOrigin(url);
  const timer = AbortSignal.timeout(timeoutMs);
  const signal = opts.signal ? AbortSignal.any([timer, opts.signal]) : timer;
  const json = JSON.stringify(body);
  let target = url;
  try {
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const res = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Patchbay' },
        body: json,
        redirect: 'manual',
        signal,
      });
      if (res.status >= 200 && res.status < 300) {
        void res.body?.cancel().catch(() => undefined);
        return { ok: true, message: `${origin} accepted the message (HTTP ${res.status})` };
      }
      if (res.status >= 300 && res.status < 400) {
        void res.body?.cancel().catch(() => undefined);
        const location = res.headers.get('location');
        const next = location ? new URL(location, target) : null;
        if ((res.status === 307 || res.status === 308) && next && next.origin === origin) {
          target = next.toString();
          continue;
        }
        const where = next
          ? next.origin === origin
            ? 'elsewhere on the same host'
            : next.origin
          : 'nowhere';
        return { ok: false, message: `${origin} redirected to ${where} (HTTP ${res.status}); not followed` };
      }
      const answer = await answerText(res);
      return { ok: false, message: `${origin} answered HTTP ${res.status}${answer ? `: ${answer}` : ''}` };
    }
    return { ok: false, message: `${origin} redirected more than ${MAX_REDIRECTS} times` };
  } catch (err) {
    return { ok: false, message: networkProblem(err, origin, timeoutMs, timer.aborted) };
  }
}
