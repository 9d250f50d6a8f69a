import crypto from 'node:crypto';

import type { EventSink } from '../../shared/ipc';
import type { DesktopNotification, NotificationTestResult } from '../../shared/notifications';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { Notifier, PlanNotification } from '../plans/runner-ports';
import type { NotificationSettingsStore } from './notification-settings';
import { postWebhook, webhookBody, webhookOrigin } from './webhook';

/** Webhook posts waiting at most; past it the oldest is dropped (and logged) rather than memory growing. */
const QUEUE_MAX = 50;

/** What the notifier is built from. */
export interface NotifierDeps {
  settings: Pick<NotificationSettingsStore, 'desktopEnabled' | 'webhook'>;
  events: EventSink;
  clock: Clock;
  logger: Logger;
  /** Per-POST limit (tests shorten it). */
  webhookTimeoutMs?: number;
}

/**
 * The runner's Notifier: a desktop notification as the `notification.show` event (the Electron main
 * process shows it natively, the browser host's page as a Web Notification or a toast), and the webhook,
 * posted one at a time in the background. `notify` never throws and never waits: a slow or failing
 * webhook is logged by its origin only and never holds a plan up.
 */
export function createNotifier(deps: NotifierDeps) {
  const queue: DesktopNotification[] = [];
  let running: Promise<void> | null = null;

  const post = async (n: DesktopNotification) => {
    const hook = deps.settings.webhook();
    if (!hook) return null;
    const r = await postWebhook(hook.url, webhookBody(n, hook.format), {
      ...(deps.webhookTimeoutMs ? { timeoutMs: deps.webhookTimeoutMs } : {}),
    });
    if (!r.ok)
      deps.logger.error('notify.webhook-failed', { origin: webhookOrigin(hook.url), why: r.message });
    return r;
  };
  const drain = async () => {
    for (let n = queue.shift(); n; n = queue.shift()) await post(n);
    running = null;
  };
  const desktop = (n: DesktopNotification): boolean => {
    if (!deps.settings.desktopEnabled()) return false;
    deps.events('notification.show', { items: [n] });
    return true;
  };

  return {
    notify(p: PlanNotification): void {
      try {
        const n: DesktopNotification = {
          id: crypto.randomUUID(),
          kind: p.kind,
          title: p.title,
          body: p.body,
          at: p.at,
          planId: p.planId,
        };
        desktop(n);
        if (!deps.settings.webhook()) return;
        queue.push(n);
        if (queue.length > QUEUE_MAX) {
          const dropped = queue.shift();
          deps.logger.error('notify.webhook-dropped', {
            kind: dropped?.kind ?? '',
            planId: dropped?.planId ?? 0,
          });
        }
        running ??= drain();
      } catch (err) {
        // A notification is never worth stopping a plan for.
        deps.logger.error('notify.failed', { why: String(err).slice(0, 200) });
      }
    },
    /** "Send test": one notification through each enabled channel, waiting for the webhook's answer. */
    async test(): Promise<NotificationTestResult> {
      const n: DesktopNotification = {
        id: crypto.randomUUID(),
        kind: 'test',
        title: 'Patchbay test notification',
        body: 'Notifications from Patchbay arrive here: plans starting, gates halting, failed hosts, plans done.',
        at: deps.clock.now(),
        planId: null,
      };
      const shown = desktop(n);
      const r = await post(n);
      return { desktop: shown, webhook: r };
    },
    /** Resolves when every queued webhook post has been tried (close, tests). */
    idle: (): Promise<void> => running ?? Promise.resolve(),
  } satisfies Notifier & Record<string, unknown>;
}

/** The core's notifier. */
export type PlanNotifier = ReturnType<typeof createNotifier>;
