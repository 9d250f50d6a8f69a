/** One machine's page (`#/machines/<id>`): who it is, what its last scan found, and what to do about it. */
import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';

import type { PatchSelection } from '../../../../shared/decisions';
import type { Machine, MachinePatch, MachineScanDetails } from '../../../../shared/domain';
import { hrefOf } from '../../app/routes';
import { EmptyState } from '../../components/empty-state';
import { Icon } from '../../components/icons';
import { PageHeader } from '../../components/page-header';
import { isFinal } from '../../stores/scan-session';
import { useAppStore, useStoreApi } from '../../stores/store';
import { addressText, TRANSPORT_LABEL } from '../machines/format';
import { isWindowsMachine, platformWords } from '../machines/platform-words';
import { useMinuteClock } from '../machines/status-cells';
import { ageText, dateTime, errorLabel, relativeTime } from '../scan/labels';
import { ScanButton } from '../scan/scan-button';
import { EolBanner, LastErrorBanner, NotesBanner, RebootBanner, WarningsBanner } from './machine-banners';
import { HistoryTable, NameList, PatchesTable } from './machine-lists';

function Actions({ machine }: { machine: Machine }) {
  const store = useStoreApi();
  const live = useAppStore((s) => s.scan?.hosts.get(machine.id)?.state);
  const busy = live !== undefined && !isFinal(live);
  return (
    <>
      <button
        type="button"
        className="button"
        onClick={() => store.getState().openDialog({ kind: 'machine', id: machine.id })}
      >
        <Icon name="edit" />
        Edit
      </button>
      <ScanButton
        label={busy ? 'Scanning…' : 'Scan'}
        question={`Scan ${machine.displayName}?`}
        primary
        disabled={busy}
        disabledReason="This machine is being scanned"
        onStart={(options) =>
          store
            .getState()
            .startScan(
              { machineIds: [machine.id] },
              { ...options, names: new Map([[machine.id, machine.displayName]]) },
            )
        }
      />
    </>
  );
}

function Facts({ machine, details, now }: { machine: Machine; details: MachineScanDetails; now: number }) {
  const credential = useAppStore((s) => s.credentials.find((c) => c.id === machine.credentialId)?.name);
  const ok = details.lastOk;
  const status = details.status;
  const words = platformWords(isWindowsMachine(ok?.packageManager, machine.transport));
  return (
    <dl className="facts" data-testid="machine-facts">
      <dt>Address</dt>
      <dd className="mono">
        {machine.username}@{addressText(machine)}{' '}
        <span className="muted">({TRANSPORT_LABEL[machine.transport]})</span>
      </dd>
      <dt>Credential</dt>
      <dd>
        {machine.credentialId === null ? (
          <span className="muted">none (ssh-agent)</span>
        ) : (
          (credential ?? '…')
        )}
      </dd>
      <dt>OS</dt>
      <dd>{ok?.osName || machine.os || <span className="muted">not scanned</span>}</dd>
      {ok?.kernel ? (
        <>
          <dt>{words.kernelLabel}</dt>
          <dd className="mono">{ok.kernel}</dd>
        </>
      ) : null}
      <dt>Last scan</dt>
      <dd>
        {status ? (
          <span title={dateTime(status.lastScanAt)}>
            {relativeTime(status.lastScanAt, now)}
            {status.lastStatus === 'failed' ? (
              <span className="error-label"> · {errorLabel(status.lastErrorKind)}</span>
            ) : status.lastStatus === 'cancelled' ? (
              <span className="muted"> · cancelled</span>
            ) : null}
          </span>
        ) : (
          <span className="muted">never</span>
        )}
      </dd>
      {ok && words.windows ? (
        <>
          <dt>Updates from</dt>
          <dd>Windows Update, searched on the machine at each scan (no package lists to download)</dd>
        </>
      ) : ok ? (
        <>
          <dt>Package lists</dt>
          <dd>
            {ok.listsAgeSeconds === null
              ? 'never downloaded'
              : `updated ${ageText(ok.listsAgeSeconds)} before the scan`}
          </dd>
        </>
      ) : null}
      {machine.client || machine.site ? (
        <>
          <dt>Client · site</dt>
          <dd>{[machine.client, machine.site].filter(Boolean).join(' · ')}</dd>
        </>
      ) : null}
      {machine.tags.length ? (
        <>
          <dt>Tags</dt>
          <dd>
            {machine.tags.map((t) => (
              <span key={t} className="chip">
                {t}
              </span>
            ))}
          </dd>
        </>
      ) : null}
    </dl>
  );
}

function Results({ machine, details }: { machine: Machine; details: MachineScanDetails }) {
  const now = useMinuteClock();
  const store = useStoreApi();
  const decide = (decision: 'approved' | 'declined', select: PatchSelection, what: string) =>
    store.getState().openDialog({
      kind: 'decide',
      target: {
        decision,
        selections: [select],
        what,
        defaultScope: { kind: 'machine', machineId: machine.id },
        machine: { id: machine.id, name: machine.displayName, client: machine.client },
      },
    });
  const decideRow = (p: MachinePatch, decision: 'approved' | 'declined') =>
    decide(
      decision,
      { machineIds: [machine.id], packageManager: p.packageManager, names: [p.name] },
      `${p.name} ${p.candidateVersion} (as pending on ${machine.displayName})`,
    );
  const ok = details.lastOk;
  // Counted as the Machines table and the dashboard count: held updates apart from missing/security.
  const installable = details.patches.filter((p) => !p.held);
  const security = installable.filter((p) => p.security).length;
  const held = details.patches.filter((p) => p.held);
  const heldSecurity = held.filter((p) => p.security === true);
  const words = platformWords(isWindowsMachine(ok?.packageManager, machine.transport));
  return (
    <>
      <Facts machine={machine} details={details} now={now} />
      {ok ? <EolBanner eol={ok.eol} /> : null}
      {details.lastError ? (
        <LastErrorBanner
          error={details.lastError}
          machineId={machine.id}
          name={machine.displayName}
          lastOkAt={ok?.at ?? null}
        />
      ) : null}
      {ok && (details.status?.rebootRequired || ok.rebootReasons.length) ? (
        <RebootBanner reasons={ok.rebootReasons} title={words.rebootTitle} />
      ) : null}
      {heldSecurity.length ? (
        <p className="banner banner-error" role="alert" data-testid="held-security-banner">
          {heldSecurity.length === 1
            ? `A security fix is held back on this machine: ${heldSecurity[0]?.name ?? ''}.`
            : `${heldSecurity.length} security fixes are held back on this machine: ${heldSecurity.map((p) => p.name).join(', ')}.`}{' '}
          {heldSecurity.length === 1 ? 'It is' : 'They are'} not installed until the hold (apt-mark hold,
          versionlock, zypper lock) is lifted.
        </p>
      ) : null}
      {ok ? <WarningsBanner warnings={ok.warnings} /> : null}
      {/* Older results may lack notes. */}
      {ok ? <NotesBanner notes={ok.notes ?? []} /> : null}
      {ok ? (
        <>
          <section className="card" aria-labelledby="patches-heading">
            <h2 id="patches-heading">
              {words.missingHeading}{' '}
              <span className="muted heading-count" data-testid="missing-count">
                {installable.length}
                {security ? ` (${security} security)` : ''}
                {held.length
                  ? ` · ${held.length} held${heldSecurity.length ? ` (${heldSecurity.length} security)` : ''}`
                  : ''}
              </span>
            </h2>
            {security ? (
              <div className="toolbar">
                <button
                  type="button"
                  className="button"
                  onClick={() =>
                    decide(
                      'approved',
                      { machineIds: [machine.id], securityOnly: true },
                      `all security fixes pending on ${machine.displayName}`,
                    )
                  }
                >
                  <Icon name="check" />
                  Approve all security fixes
                </button>
              </div>
            ) : null}
            {details.patches.length ? (
              <PatchesTable patches={details.patches} now={now} onDecide={decideRow} words={words} />
            ) : (
              <p className="status status-ok">
                Up to date: nothing was missing at the scan of {dateTime(ok.at)}.
              </p>
            )}
          </section>
          {/* Windows Update has neither holds nor removals: the cards would only say apt's words. */}
          {words.windows ? null : (
            <div className="card-row">
              <section className="card" aria-labelledby="held-heading">
                <h2 id="held-heading">Held packages</h2>
                <NameList
                  names={ok.held}
                  label="Held packages"
                  empty="None: every package may be upgraded."
                />
              </section>
              <section className="card" aria-labelledby="removals-heading">
                <h2 id="removals-heading">Removed by a full upgrade</h2>
                <NameList
                  names={ok.removals}
                  label="Removals"
                  empty="None: a full upgrade removes nothing."
                />
              </section>
            </div>
          )}
        </>
      ) : !details.lastError ? (
        <EmptyState icon="scan" title="Not scanned yet">
          <p>
            Scan this machine to see its missing patches, whether it needs a reboot and how long its OS is
            supported.
          </p>
        </EmptyState>
      ) : null}
      <section className="card" aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        <HistoryTable history={details.history} />
      </section>
    </>
  );
}

/** The page. */
export function MachinePage({ id }: { id: number }) {
  const store = useStoreApi();
  const page = useAppStore(useShallow((s) => (s.machinePage?.id === id ? s.machinePage : null)));
  useEffect(() => {
    void store.getState().loadMachinePage(id);
  }, [store, id]);
  const machine = page?.machine ?? null;
  const back = (
    <a className="back-link" href={hrefOf('machines')}>
      <Icon name="back" />
      Machines
    </a>
  );
  if (!machine || !page?.details) {
    return (
      <div className="page">
        {back}
        <PageHeader title={page?.missing ? 'Machine not found' : 'Machine'} />
        {page?.error ? (
          <p className="banner banner-error" role="alert">
            {page.missing
              ? 'This machine is not in the inventory (it may have been deleted).'
              : `Could not load the machine: ${page.error}`}
          </p>
        ) : (
          <p className="muted">Loading…</p>
        )}
      </div>
    );
  }
  return (
    <div className="page machine-page">
      {back}
      <PageHeader
        title={machine.displayName}
        subtitle={
          <>
            <span className="mono">{addressText(machine)}</span>
            {machine.os ? ` · ${machine.os}` : ''}
          </>
        }
        actions={<Actions machine={machine} />}
      />
      {page.error ? (
        <p className="banner banner-error" role="alert">
          Could not refresh: {page.error}
        </p>
      ) : null}
      <Results machine={machine} details={page.details} />
    </div>
  );
}
