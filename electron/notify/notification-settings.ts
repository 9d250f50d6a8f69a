import type { NotificationSettings, WebhookFormat } from '../../shared/notifications';
import { WEBHOOK_FORMATS } from '../../shared/notifications';
import type { MetaRepo } from '../db/repos/meta';
import type { SecretBox } from '../secrets/secret-box';
import { effectiveFormat, webhookOrigin } from './webhook';

const KEY = {
  desktop: 'notify.desktop',
  enabled: 'notify.webhook.enabled',
  format: 'notify.webhook.format',
  url: 'notify.webhook.url',
} as const;

/** The stored webhook URL: sealed by the secret box like a credential, with the box's id to tell keys apart. */
interface SealedUrl {
  box: string;
  sealed: string;
}

/** A change to the settings (fields left out stay; `webhookUrl: null` forgets the URL). */
export interface NotificationSettingsChange {
  desktop?: boolean | undefined;
  webhookEnabled?: boolean | undefined;
  webhookUrl?: string | null | undefined;
  webhookFormat?: WebhookFormat | undefined;
}

/**
 * Notification settings kept in the meta table. Desktop notifications are on until turned off; the
 * webhook is off until a URL is given. The URL is sealed with the same secret box as credentials, so the
 * database file alone does not give it away.
 */
export function notificationSettings(meta: MetaRepo, secrets: SecretBox) {
  const readUrl = (): { url: string | null; problem: string | null } => {
    const raw = meta.get(KEY.url);
    if (!raw) return { url: null, problem: null };
    try {
      const s = JSON.parse(raw) as SealedUrl;
      if (s.box !== secrets.id) {
        return { url: null, problem: 'The webhook URL was sealed with another key: enter it again.' };
      }
      return { url: secrets.open(Buffer.from(s.sealed, 'base64')), problem: null };
    } catch {
      return { url: null, problem: 'The stored webhook URL cannot be read: enter it again.' };
    }
  };
  const format = (): WebhookFormat => {
    const f = meta.get(KEY.format);
    return (WEBHOOK_FORMATS as readonly string[]).includes(f ?? '') ? (f as WebhookFormat) : 'auto';
  };
  const view = (): NotificationSettings => {
    const { url, problem } = readUrl();
    return {
      desktop: meta.get(KEY.desktop) !== '0',
      webhook: {
        enabled: meta.get(KEY.enabled) === '1' && url !== null,
        origin: url ? webhookOrigin(url) : null,
        format: format(),
        effectiveFormat: url ? effectiveFormat(url, format()) : null,
        problem,
      },
    };
  };
  return {
    view,
    desktopEnabled: (): boolean => meta.get(KEY.desktop) !== '0',
    /** The webhook to post to, or null when it is off, unset or unreadable. */
    webhook(): { url: string; format: 'slack' | 'teams' } | null {
      if (meta.get(KEY.enabled) !== '1') return null;
      const { url } = readUrl();
      return url ? { url, format: effectiveFormat(url, format()) } : null;
    },
    update(change: NotificationSettingsChange): NotificationSettings {
      if (change.desktop !== undefined) meta.set(KEY.desktop, change.desktop ? '1' : '0');
      if (change.webhookFormat !== undefined) meta.set(KEY.format, change.webhookFormat);
      if (change.webhookUrl === null) {
        meta.set(KEY.url, '');
        meta.set(KEY.enabled, '0');
      } else if (change.webhookUrl !== undefined) {
        const sealed: SealedUrl = {
          box: secrets.id,
          sealed: secrets.seal(change.webhookUrl).toString('base64'),
        };
        meta.set(KEY.url, JSON.stringify(sealed));
        // A new URL is meant to be used unless the same request says otherwise.
        if (change.webhookEnabled === undefined) meta.set(KEY.enabled, '1');
      }
      if (change.webhookEnabled !== undefined) meta.set(KEY.enabled, change.webhookEnabled ? '1' : '0');
      return view();
    },
  };
}

/** One database's notification settings. */
export type NotificationSettingsStore = ReturnType<typeof notificationSettings>;
