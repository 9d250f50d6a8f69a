import type { NotificationSettings, WebhookFormat } from '../../shared/notifications';
import { WEBHOOK_FORMATS } from '../../shared/notifications';
import type { Core } from '../core/create-core';
import { call, UsageError } from './call';
import { secretSource } from './secret-input';

/** Options `patchbay notifications` reads. */
export interface NotificationsOptions {
  desktop?: string | undefined;
  webhook?: string | undefined;
  'webhook-url'?: boolean | undefined;
  format?: string | undefined;
  'password-stdin'?: boolean | undefined;
  json?: boolean | undefined;
}

const FORMAT_NAME = { slack: 'Slack-compatible', teams: 'Teams Workflows' } as const;

function describe(s: NotificationSettings): string {
  const w = s.webhook;
  const hook = w.origin
    ? `${w.enabled ? 'sends' : 'off; would send'} to ${w.origin} as ${FORMAT_NAME[w.effectiveFormat ?? 'slack']} (format ${w.format})`
    : 'none';
  return [
    `Desktop notifications: ${s.desktop ? 'on' : 'off'}`,
    `Webhook: ${hook}`,
    ...(w.problem ? [w.problem] : []),
  ].join('\n');
}

function onOff(flag: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'on' || value === 'off') return value === 'on';
  throw new UsageError(`${flag} takes on or off`);
}

/**
 * `patchbay notifications show|set|test`; returns the exit code. The webhook URL is a secret (its path is
 * the token): `--webhook-url` asks for it at a prompt, or reads one line from stdin with --password-stdin,
 * never from argv.
 */
export async function runNotifications(
  core: Core,
  command: string,
  o: NotificationsOptions,
  io: { stdout: (s: string) => void; stderr: (s: string) => void },
): Promise<number> {
  if (command === 'test') {
    const r = await call(core, 'notifications.test', {});
    if (o.json) io.stdout(JSON.stringify(r, null, 2) + '\n');
    else {
      io.stdout(`Desktop: ${r.desktop ? 'sent to the open windows' : 'off'}\n`);
      io.stdout(`Webhook: ${r.webhook ? r.webhook.message : 'none set'}\n`);
    }
    return r.webhook && !r.webhook.ok ? 1 : 0;
  }
  if (command === 'set') {
    if (o.format !== undefined && !(WEBHOOK_FORMATS as readonly string[]).includes(o.format)) {
      throw new UsageError(`--format takes ${WEBHOOK_FORMATS.join(', ')}`);
    }
    if (o.webhook !== undefined && !['on', 'off', 'remove'].includes(o.webhook)) {
      throw new UsageError('--webhook takes on, off or remove');
    }
    const desktop = onOff('--desktop', o.desktop);
    const url = o['webhook-url']
      ? await secretSource(o['password-stdin'] ?? false).next('webhook URL')
      : undefined;
    const change = {
      ...(desktop !== undefined ? { desktop } : {}),
      ...(o.webhook === 'remove' ? { webhookUrl: null } : {}),
      ...(o.webhook === 'on' || o.webhook === 'off' ? { webhookEnabled: o.webhook === 'on' } : {}),
      ...(url !== undefined ? { webhookUrl: url.trim() } : {}),
      ...(o.format !== undefined ? { webhookFormat: o.format as WebhookFormat } : {}),
    };
    if (Object.keys(change).length === 0) {
      throw new UsageError('notifications set needs --desktop, --webhook, --webhook-url or --format');
    }
    const after = await call(core, 'notifications.set', change);
    io.stdout((o.json ? JSON.stringify(after, null, 2) : describe(after)) + '\n');
    return 0;
  }
  const s = await call(core, 'notifications.get', {});
  io.stdout((o.json ? JSON.stringify(s, null, 2) : describe(s)) + '\n');
  return 0;
}
