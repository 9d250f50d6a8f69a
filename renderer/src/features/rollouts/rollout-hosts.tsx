/**
 * The hosts of a started rollout: counts by state (each a filter), each host's state, current step or last
 * output line, failure reason in plain words, result and verification; a host's output opens beside it.
 */
import { memo, useCallback, useState } from 'react';

import type { RolloutDetail, RolloutHost, RolloutHostState } from '../../../../shared/domain';
import { FINAL_HOST_STATES, ROLLOUT_HOST_STATES } from '../../../../shared/domain';
import { machineHref } from '../../app/routes';
import { isLive } from '../../stores/rollout-live';
import { useAppStore, useStoreApi } from '../../stores/store';
import { WINDOWS_UPDATE } from '../machines/platform-words';
import { HostOutputView } from './host-output';
import { failureLabel, HOST_STATE_LABEL, hostTone, stepText } from './labels';

/** Rows drawn at once; the state filter narrows a larger rollout. */
const ROWS = 500;

/** What verification found, in a few words. */
export function resultText(h: RolloutHost): string {
  const r = h.result;
  if (!r) return '';
  const parts: string[] = [];
  const total = r.installed.length + r.missing.length;
  // Windows: an update is named by its KB (its "version" is an UpdateID), and Windows restarts.
  const windows = h.packageManager === WINDOWS_UPDATE;
  if (total > 0) {
    // Name the verified versions when they are few; a long list is in the machine's scan history.
    const names = [...r.installed]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((i) => (windows ? i.name : `${i.name} ${i.version}`));
    parts.push(
      `${r.installed.length} of ${total} ${windows ? 'installed' : 'at the target version'}${names.length && names.length <= 4 ? ` (${names.join(', ')})` : ''}`,
    );
  }
  if (r.missing.length) {
    const names = r.missing
      .slice(0, 3)
      .map((m) => (m.version ? `${m.name} ${m.version}` : `${m.name} (not installed)`));
    parts.push(
      `still missing: ${names.join(', ')}${r.missing.length > 3 ? ` and ${r.missing.length - 3} more` : ''}`,
    );
  }
  if (h.bootIdAfter && h.bootIdAfter !== h.bootIdBefore)
    parts.push(windows ? 'restarted (new boot time)' : 'rebooted (new boot id)');
  if (r.rebootRequired) parts.push(windows ? 'restart pending' : 'reboot required');
  if (r.rescanProblem) parts.push(`rescan not recorded: ${r.rescanProblem}`);
  return parts.join('; ');
}

// Memoised: a progress message re-renders only the rows of hosts it changed (500 rows stay cheap).
const HostRow = memo(function HostRow({
  h,
  tail,
  open,
  onOutput,
}: {
  h: RolloutHost;
  tail: string | undefined;
  open: boolean;
  onOutput(machineId: number): void;
}) {
  const tone = hostTone(h.state);
  const step = stepText(h);
  const verified = resultText(h);
  return (
    <tr
      data-testid="rollout-host-row"
      data-id={h.machineId}
      data-state={h.state}
      data-failure-kind={h.failureKind}
      className={open ? 'selected' : undefined}
    >
      <td>
        <span className={`badge host-badge tone-${tone}`}>{HOST_STATE_LABEL[h.state]}</span>
      </td>
      <th scope="row">
        <a href={machineHref(h.machineId)}>{h.machineName}</a>
      </th>
      <td className="host-detail">
        {h.failureKind || (h.reason && tone !== 'busy') ? (
          <p className={tone === 'bad' ? 'host-reason bad' : 'host-reason'} data-testid="host-reason">
            {h.failureKind ? <strong>{failureLabel(h.failureKind)}: </strong> : null}
            {h.reason}
          </p>
        ) : null}
        {tone === 'busy' && (step || tail) ? (
          <p className="muted truncate" title={tail}>
            {step}
            {step && tail ? ' — ' : ''}
            {tail ? <span className="mono">{tail}</span> : null}
          </p>
        ) : null}
        {verified ? (
          <p className="host-verified" data-testid="host-verified">
            {verified}
          </p>
        ) : null}
      </td>
      <td className="actions-cell">
        <button
          type="button"
          className="button button-small"
          aria-pressed={open}
          aria-label={`Output of ${h.machineName}`}
          onClick={() => onOutput(h.machineId)}
        >
          Output
        </button>
      </td>
    </tr>
  );
});

/** The host table and the open host's output. */
export function RolloutHosts({ rollout }: { rollout: RolloutDetail }) {
  const store = useStoreApi();
  const tails = useAppStore((s) => s.rolloutTails);
  const watched = useAppStore((s) => s.rolloutOutput);
  const [only, setOnly] = useState<RolloutHostState | null>(null);
  const present = ROLLOUT_HOST_STATES.filter((s) => (rollout.counts[s] ?? 0) > 0);
  const hosts = only ? rollout.hosts.filter((h) => h.state === only) : rollout.hosts;
  const open = watched ? rollout.hosts.find((h) => h.machineId === watched.machineId) : undefined;
  const openId = open?.machineId ?? null;
  const onOutput = useCallback(
    (machineId: number) => void store.getState().watchHostOutput(openId === machineId ? null : machineId),
    [store, openId],
  );
  return (
    <div className={open ? 'rollout-hosts with-output' : 'rollout-hosts'}>
      <div className="state-filters" role="group" aria-label="Hosts by state">
        <button
          type="button"
          className="check-chip"
          aria-pressed={only === null}
          onClick={() => setOnly(null)}
        >
          All <strong>{rollout.hosts.length}</strong>
        </button>
        {present.map((s) => (
          <button
            key={s}
            type="button"
            className={`check-chip tone-chip tone-${hostTone(s)}`}
            aria-pressed={only === s}
            data-testid="state-count"
            data-state={s}
            data-count={rollout.counts[s]}
            onClick={() => setOnly(only === s ? null : s)}
          >
            {HOST_STATE_LABEL[s]} <strong>{rollout.counts[s]}</strong>
          </button>
        ))}
      </div>
      <div className="rollout-hosts-body">
        <table className="simple-table rollout-host-table" aria-label="Machines of this rollout">
          <thead>
            <tr>
              <th scope="col">State</th>
              <th scope="col">Machine</th>
              <th scope="col">Step, reason and result</th>
              <th scope="col">
                <span className="visually-hidden">Output</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {hosts.slice(0, ROWS).map((h) => (
              <HostRow
                key={h.machineId}
                h={h}
                tail={tails.get(h.machineId)}
                open={open?.machineId === h.machineId}
                onOutput={onOutput}
              />
            ))}
          </tbody>
        </table>
        {hosts.length > ROWS ? (
          <p className="muted">
            The first {ROWS} of {hosts.length} are shown: pick a state above to narrow the list.
          </p>
        ) : null}
        {open && watched ? (
          <HostOutputView
            name={open.machineName}
            output={watched.output}
            live={isLive(rollout.state) && !FINAL_HOST_STATES.has(open.state)}
          />
        ) : null}
      </div>
    </div>
  );
}
