/** What the page shows when it cannot talk to the core: a lost connection, or a missing token. */
import { LOST_MESSAGE, TOKEN_MESSAGE } from '../api/ws-client';

/** A bar across the top after the connection dropped; the rest of the page stays readable. */
export function ConnectionBanner() {
  return (
    <div className="banner banner-error" role="alert" data-testid="connection-banner">
      <span>{LOST_MESSAGE}</span>
      <button type="button" className="button button-small" onClick={() => window.location.reload()}>
        Reload
      </button>
    </div>
  );
}

/** The whole page when the browser host refused it. */
export function TokenRequired() {
  return (
    <main className="token-page" data-testid="token-required">
      <div className="token-card">
        <h1>Open Patchbay from its link</h1>
        <p>{TOKEN_MESSAGE}</p>
        <p className="muted">
          Copy the full address from the terminal where Patchbay is running, including the part after{' '}
          <code>?token=</code>. If Patchbay was restarted, it printed a new link.
        </p>
      </div>
    </main>
  );
}
