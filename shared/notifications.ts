/**
 * Notifications (issue 9): what a plan tells the user on the desktop and through a webhook, and the
 * settings for both. The webhook URL is a secret (Slack's and Teams' URLs carry their token in the path),
 * so it never crosses back to the UI: only its origin and whether one is set.
 */
import { z } from 'zod';

/** The kinds of events a plan notifies about (same as the runner's PlanNotificationKind). */
export const NOTIFICATION_KINDS = [
  'plan-started',
  'gate-halted',
  'host-failed',
  'plan-done',
  'window-missed',
  'test',
] as const;
/** One of NOTIFICATION_KINDS. */
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** A notification on its way to the desktop (core → renderer / Electron main). */
export interface DesktopNotification {
  /** Unique per notification, so a window shows each once. */
  id: string;
  kind: NotificationKind;
  title: string;
  body: string;
  /** Epoch ms. */
  at: number;
  /** The plan it is about, or null (a test). */
  planId: number | null;
}

/**
 * The body a webhook gets. `slack`: `{ text, blocks }` as Slack incoming webhooks (and Mattermost,
 * Rocket.Chat, Discord's /slack endpoint) take it. `teams`: a Microsoft Teams Workflows ("Send webhook alerts
 * to a channel", Power Automate) message with one Adaptive Card, plus `text`; the older Office 365
 * connector webhooks were retired in 2026. `auto` picks teams for Microsoft's workflow hosts, else slack.
 */
export const WEBHOOK_FORMATS = ['auto', 'slack', 'teams'] as const;
/** One of WEBHOOK_FORMATS. */
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** The notification settings as the UI sees them (never the webhook URL itself). */
export interface NotificationSettings {
  desktop: boolean;
  webhook: {
    enabled: boolean;
    /** `https://hooks.slack.com` — the origin only, so the UI can say where messages go. */
    origin: string | null;
    format: WebhookFormat;
    /** The format `auto` resolves to for the stored URL. */
    effectiveFormat: 'slack' | 'teams' | null;
    /** Set when the stored URL cannot be opened (sealed by another key): enter it again. */
    problem: string | null;
  };
}

/** What "Send test" did. */
export interface NotificationTestResult {
  /** Whether a desktop notification was sent to the windows (false when desktop notifications are off). */
  desktop: boolean;
  /** The webhook's answer in words, or null when no webhook is enabled. */
  webhook: { ok: boolean; message: string } | null;
}

const LOOPBACK_HOST = /^(127(\.\d{1,3}){3}|\[::1\]|localhost)$/i;

/**
 * Why a webhook URL is refused, or null. HTTPS only — the URL is a secret and the body says which hosts
 * failed — except plain HTTP to a loopback address (a local relay, the tests).
 */
export function webhookUrlProblem(raw: string): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'is not a URL';
  }
  if (u.username || u.password) return 'must not carry a user name or password';
  if (u.protocol === 'https:') return null;
  if (u.protocol === 'http:' && LOOPBACK_HOST.test(u.hostname)) return null;
  return 'must be an https:// URL (plain http:// only to this computer)';
}

/** A webhook URL: bounded, https (or loopback http). */
export const webhookUrlSchema = z
  .string()
  .max(2000, { error: 'a webhook URL is at most 2000 characters', abort: true })
  .superRefine((v, ctx) => {
    const problem = webhookUrlProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: `The webhook URL ${problem}.` });
  });

/** The request of `notifications.set`: fields left out stay as they are; `webhookUrl: null` forgets it. */
export const notificationsSetSchema = z.strictObject({
  desktop: z.boolean().optional(),
  webhookEnabled: z.boolean().optional(),
  webhookUrl: webhookUrlSchema.nullable().optional(),
  webhookFormat: z.enum(WEBHOOK_FORMATS).optional(),
});
