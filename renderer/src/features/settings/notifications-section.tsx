/** Settings → Notifications: desktop notifications, the webhook (its URL is a secret) and "Send test". */
import { useEffect, useState } from 'react';

import type { WebhookFormat } from '../../../../shared/notifications';
import { Field } from '../../components/field';
import { errorMessage } from '../../stores/errors';
import { useAppStore, useStoreApi } from '../../stores/store';

const FORMATS: { value: WebhookFormat; label: string }[] = [
  { value: 'auto', label: 'Automatic (by the URL’s host)' },
  { value: 'slack', label: 'Slack-compatible (Slack, Mattermost, Rocket.Chat)' },
  { value: 'teams', label: 'Microsoft Teams (Workflows)' },
];
const FORMAT_NAME = { slack: 'Slack-compatible', teams: 'Teams Workflows' } as const;

/** Settings section. */
export function NotificationsSection() {
  const store = useStoreApi();
  const settings = useAppStore((s) => s.notifications);
  const [url, setUrl] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    store
      .getState()
      .loadNotifications()
      .catch((e: unknown) => setError(errorMessage(e)));
  }, [store]);

  const save = async (change: Parameters<ReturnType<typeof store.getState>['saveNotifications']>[0]) => {
    try {
      await store.getState().saveNotifications(change);
      setError(null);
      return true;
    } catch (e) {
      setError(errorMessage(e));
      return false;
    }
  };
  const sendTest = async () => {
    setBusy(true);
    setResult(null);
    try {
      const r = await store.getState().testNotifications();
      const parts = [
        r.desktop ? 'Desktop notification sent.' : 'Desktop notifications are off.',
        r.webhook ? `Webhook: ${r.webhook.message}.` : 'No webhook is set.',
      ];
      setResult(parts.join(' '));
      store.getState().toast(r.webhook && !r.webhook.ok ? 'error' : 'success', parts.join(' '));
    } catch (e) {
      setResult(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const hook = settings?.webhook;

  return (
    <section
      className="card settings-section"
      aria-labelledby="notifications-heading"
      data-testid="notifications"
    >
      <h2 id="notifications-heading">Notifications</h2>
      <p className="muted">
        Plans tell you when they start, when a gate halts them, when hosts fail and when they are done.
      </p>
      <label className="check-inline">
        <input
          type="checkbox"
          data-testid="notify-desktop"
          checked={settings?.desktop ?? true}
          disabled={!settings}
          onChange={(e) => void save({ desktop: e.target.checked })}
        />
        Desktop notifications
      </label>
      <p className="muted" data-testid="webhook-status">
        {hook?.origin
          ? `Webhook: ${hook.enabled ? 'sends' : 'off; would send'} to ${hook.origin} as ${FORMAT_NAME[hook.effectiveFormat ?? 'slack']}.`
          : 'No webhook is set.'}
      </p>
      {hook?.problem ? <p className="form-error">{hook.problem}</p> : null}
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save({ webhookUrl: url.trim() }).then((ok) => ok && setUrl(''));
        }}
      >
        <Field
          label={hook?.origin ? 'Replace the webhook URL' : 'Webhook URL'}
          error={error}
          hint="A Slack incoming webhook or a Teams Workflows URL. It is stored sealed like a password and never shown again."
        >
          <input
            className="input"
            type="password"
            autoComplete="off"
            spellCheck={false}
            data-testid="webhook-url"
            placeholder="https://hooks.slack.com/services/…"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
          />
        </Field>
        <button type="submit" className="button" disabled={url.trim() === ''}>
          Save
        </button>
      </form>
      {hook?.origin ? (
        <div className="button-row">
          <label className="check-inline">
            <input
              type="checkbox"
              data-testid="webhook-enabled"
              checked={hook.enabled}
              onChange={(e) => void save({ webhookEnabled: e.target.checked })}
            />
            Send to the webhook
          </label>
          <label className="check-inline">
            Format
            <select
              className="input"
              value={hook.format}
              data-testid="webhook-format"
              onChange={(e) => void save({ webhookFormat: e.target.value as WebhookFormat })}
            >
              {FORMATS.map((f) => (
                <option key={f.value} value={f.value}>
                  {f.label}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="button" onClick={() => void save({ webhookUrl: null })}>
            Remove webhook
          </button>
        </div>
      ) : null}
      <div className="button-row">
        <button
          type="button"
          className="button"
          data-testid="notify-test"
          disabled={busy || !settings}
          onClick={() => void sendTest()}
        >
          {busy ? 'Sending…' : 'Send test'}
        </button>
        <span role="status" className="muted" data-testid="notify-test-result">
          {result ?? ''}
        </span>
      </div>
    </section>
  );
}
