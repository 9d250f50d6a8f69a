/** The banners of a machine's page: end of life, reboot, warnings such as stale lists, and the last error. */
import type { MachineScanDetails } from '../../../../shared/domain';
import { Icon } from '../../components/icons';
import { useStoreApi } from '../../stores/store';
import { dateTime, isCertificateKey, keyErrorLabel, relativeTime } from '../scan/labels';

type LastOk = NonNullable<MachineScanDetails['lastOk']>;
type LastError = NonNullable<MachineScanDetails['lastError']>;

/** Red once the release is past its end of life, amber for extended support only or an end that nears. */
export function EolBanner({ eol }: { eol: LastOk['eol'] }) {
  if (eol.state === 'supported' || eol.state === 'unknown') return null;
  const est = eol.estimated ? ' (estimated)' : '';
  let text: string;
  if (eol.state === 'eol') {
    const ended = eol.extendedEnds ?? eol.ends;
    text = `${eol.name} reached its end of life${ended ? ` on ${ended}${est}` : ''}. It gets no security updates any more: plan an upgrade to a supported release.`;
  } else if (eol.state === 'extended') {
    text = `${eol.name} is on extended support only: standard security support ended ${eol.ends ?? 'already'}${est}${eol.extendedEnds ? `, the extension ends ${eol.extendedEnds}` : ''}. Only some packages still get fixes.`;
  } else {
    text = `Standard security support for ${eol.name} ends ${eol.ends ?? 'soon'}${est}${eol.extendedEnds ? ` (an extension runs until ${eol.extendedEnds})` : ''}. Plan the upgrade.`;
  }
  return (
    <div
      className={eol.state === 'eol' ? 'banner banner-error' : 'banner banner-warn'}
      data-testid="eol-banner"
      data-state={eol.state}
    >
      <Icon name="alert" />
      <p className="banner-text">
        {text} <span className="muted">End-of-life table of {eol.tableDate}.</span>
      </p>
    </div>
  );
}

/** Why the machine needs a reboot. */
export function RebootBanner({
  reasons,
  title = 'A reboot is needed',
}: {
  reasons: string[];
  title?: string;
}) {
  return (
    <div className="banner banner-warn" data-testid="reboot-banner">
      <Icon name="reboot" />
      <div className="banner-text">
        <p>
          <strong>{title}</strong> to finish updates that are already installed.
        </p>
        {reasons.length ? (
          <ul className="banner-list">
            {reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        ) : null}
      </div>
    </div>
  );
}

/** Things the scan noticed that are not patches: stale package lists, ignored output. */
export function WarningsBanner({ warnings }: { warnings: string[] }) {
  if (!warnings.length) return null;
  return (
    <div className="banner banner-warn" data-testid="scan-warnings">
      <Icon name="alert" />
      {warnings.length === 1 ? (
        <p className="banner-text">{warnings[0]}</p>
      ) : (
        <ul className="banner-list banner-text">
          {warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * What the platform cannot tell or do (no security classification, installs that need someone at the
 * Mac…): facts about the machine, not problems of this scan, so blue rather than amber.
 */
export function NotesBanner({ notes }: { notes: string[] }) {
  if (!notes.length) return null;
  return (
    <div className="banner banner-info" data-testid="scan-notes" role="note" aria-label="Platform notes">
      <Icon name="info" />
      <div className="banner-text">
        <p>
          <strong>Good to know about this machine</strong>
        </p>
        {notes.length === 1 ? (
          <p>{notes[0]}</p>
        ) : (
          <ul className="banner-list">
            {notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

/** The last scan's failure, with its full message and, for a host key, the way to trust it. */
export function LastErrorBanner(props: {
  error: LastError;
  machineId: number;
  name: string;
  lastOkAt: number | null;
}) {
  const { error, machineId, name, lastOkAt } = props;
  const store = useStoreApi();
  const hostKey = error.hostKey;
  return (
    <div className="banner banner-error" data-testid="last-error" data-kind={error.kind}>
      <Icon name="fail" />
      <div className="banner-text">
        <p>
          <strong>
            The last scan failed {relativeTime(error.at, Date.now())}:{' '}
            {keyErrorLabel(error.kind, error.hostKey?.keyType)}.
          </strong>{' '}
          <span title={dateTime(error.at)}>{error.message}</span>
        </p>
        {lastOkAt !== null ? (
          <p className="muted">The results below are from the last successful scan, {dateTime(lastOkAt)}.</p>
        ) : null}
      </div>
      {hostKey ? (
        <button
          type="button"
          className="button"
          onClick={() =>
            store.getState().openDialog({
              kind: 'host-key',
              prompt: { machineId, name, resultId: error.resultId, hostKey, message: error.message },
            })
          }
        >
          <Icon name="key" />
          {isCertificateKey(hostKey.keyType) ? 'Review certificate' : 'Review host key'}
        </button>
      ) : null}
    </div>
  );
}
