import type { RequestHandlers } from '../../shared/ipc';
import type { AuditLog } from '../audit/audit-log';
import type { NotificationSettingsStore } from './notification-settings';
import type { PlanNotifier } from './notifier';

type NotificationChannels = 'notifications.get' | 'notifications.set' | 'notifications.test';

/**
 * Requests for notification settings and "Send test". A change is an audit entry that names the webhook's
 * origin only: the URL's path is its secret.
 */
export function notificationHandlers(deps: {
  settings: NotificationSettingsStore;
  notifier: Pick<PlanNotifier, 'test'>;
  audit: Pick<AuditLog, 'append'>;
}): Pick<RequestHandlers, NotificationChannels> {
  const { settings, notifier, audit } = deps;
  return {
    'notifications.get': async () => settings.view(),
    'notifications.set': async (req) => {
      const before = settings.view();
      const after = settings.update(req);
      const changed: string[] = [];
      if (before.desktop !== after.desktop) changed.push(`desktop ${after.desktop ? 'on' : 'off'}`);
      if (req.webhookUrl === null && before.webhook.origin) changed.push('webhook removed');
      else if (req.webhookUrl) changed.push(`webhook set to ${after.webhook.origin ?? ''}`);
      if (before.webhook.enabled !== after.webhook.enabled) {
        changed.push(`webhook ${after.webhook.enabled ? 'on' : 'off'}`);
      }
      if (before.webhook.format !== after.webhook.format)
        changed.push(`webhook format ${after.webhook.format}`);
      if (changed.length > 0) {
        audit.append({
          action: 'settings.notifications',
          subject: `notifications: ${changed.join(', ')}`,
          detail: {
            desktop: after.desktop,
            webhookEnabled: after.webhook.enabled,
            webhookOrigin: after.webhook.origin,
            webhookFormat: after.webhook.format,
          },
        });
      }
      return after;
    },
    'notifications.test': async () => notifier.test(),
  };
}
