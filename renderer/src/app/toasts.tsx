/** Short confirmations and errors in the corner; announced politely (errors assertively). */
import { Icon } from '../components/icons';
import { useAppStore } from '../stores/store';

/** The toast stack. */
export function Toasts() {
  const toasts = useAppStore((s) => s.toasts);
  const dismiss = useAppStore((s) => s.dismissToast);
  return (
    <div className="toasts" role="region" aria-label="Notifications">
      <div role="status" aria-live="polite" className="toast-live">
        {toasts.map((t) => (
          <div key={t.id} className={`toast toast-${t.kind}`} data-testid="toast" data-kind={t.kind}>
            <Icon name={t.kind === 'error' ? 'alert' : t.kind === 'success' ? 'check' : 'dashboard'} />
            <span className="toast-message">{t.message}</span>
            <button
              type="button"
              className="icon-button"
              aria-label="Dismiss notification"
              onClick={() => dismiss(t.id)}
            >
              <Icon name="close" />
            </button>
          </div>
        ))}
      </div>
    </div>
  );
}
