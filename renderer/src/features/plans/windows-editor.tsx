/** Maintenance windows: every stored window by scope, and a form to add a weekly one to a scope. */
import { useState } from 'react';

import type { MaintenanceWindow, Weekday, WindowScope } from '../../../../shared/plans';
import { WEEKDAYS } from '../../../../shared/plans';
import { Field } from '../../components/field';
import { errorMessage } from '../../stores/errors';
import { useAppStore, useStoreApi } from '../../stores/store';

type Level = 'client' | 'site' | 'group';

/** The windows list and the add form. */
export function WindowsEditor() {
  const store = useStoreApi();
  const windows = useAppStore((s) => s.windows);
  const groups = useAppStore((s) => s.groups);
  const [level, setLevel] = useState<Level>('client');
  const [client, setClient] = useState('');
  const [site, setSite] = useState('');
  const [groupId, setGroupId] = useState('');
  const [startDay, setStartDay] = useState<Weekday>(6);
  const [start, setStart] = useState('22:00');
  const [endDay, setEndDay] = useState<Weekday>(0);
  const [end, setEnd] = useState('04:00');
  const [zone, setZone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  const [error, setError] = useState<string | null>(null);

  const add = async () => {
    setError(null);
    const scope: WindowScope =
      level === 'client'
        ? { level, client: client.trim() }
        : level === 'site'
          ? { level, client: client.trim(), site: site.trim() }
          : { level, groupId: Number(groupId) };
    const win: MaintenanceWindow = { kind: 'weekly', zone: zone.trim(), startDay, start, endDay, end };
    try {
      const existing = await storeWindows(scope);
      await store.getState().setWindows(scope, [...existing, win]);
    } catch (e) {
      // The core names the field by its request path ("windows.1: …"); the form has only the new window.
      setError(errorMessage(e).replace(/^windows\.\d+(?:\.\w+)*: /, ''));
    }
  };
  // The scope's current windows, from what the store holds (the core replaces the scope's list).
  const storeWindows = async (scope: WindowScope): Promise<MaintenanceWindow[]> =>
    windows
      .filter((w) => JSON.stringify(w.scope).toLowerCase() === JSON.stringify(scope).toLowerCase())
      .flatMap((w) => (w.window ? [w.window] : []));

  const day = (v: Weekday, onChange: (d: Weekday) => void, label: string) => (
    <select
      className="input input-small"
      aria-label={label}
      value={v}
      onChange={(e) => onChange(Number(e.target.value) as Weekday)}
    >
      {WEEKDAYS.map((d, i) => (
        <option key={d} value={i}>
          {d}
        </option>
      ))}
    </select>
  );

  return (
    <div className="windows-editor">
      {windows.length ? (
        <table className="simple-table" aria-label="Maintenance windows" data-testid="windows-table">
          <thead>
            <tr>
              <th scope="col">Applies to</th>
              <th scope="col">Window</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {windows.map((w) => (
              <tr key={w.id} data-testid="window-row">
                <td>{w.scopeText}</td>
                <td className={w.problem ? 'field-error' : undefined}>{w.text}</td>
                <td>
                  <button
                    type="button"
                    className="button button-ghost button-small"
                    onClick={() => void store.getState().removeWindow(w.id)}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No maintenance windows: every machine may be patched at any time.</p>
      )}
      <div className="form-grid windows-form">
        <Field label="Applies to">
          <select className="input" value={level} onChange={(e) => setLevel(e.target.value as Level)}>
            <option value="client">A client</option>
            <option value="site">A site of a client</option>
            <option value="group">A group</option>
          </select>
        </Field>
        {level === 'group' ? (
          <Field label="Group">
            <select className="input" value={groupId} onChange={(e) => setGroupId(e.target.value)}>
              <option value="">Pick a group</option>
              {groups.map((g) => (
                <option key={g.id} value={String(g.id)}>
                  {g.name}
                </option>
              ))}
            </select>
          </Field>
        ) : (
          <Field label="Window client">
            <input className="input" value={client} onChange={(e) => setClient(e.target.value)} />
          </Field>
        )}
        {level === 'site' ? (
          <Field label="Site">
            <input className="input" value={site} onChange={(e) => setSite(e.target.value)} />
          </Field>
        ) : null}
        <Field label="Window time zone">
          <input className="input" value={zone} onChange={(e) => setZone(e.target.value)} />
        </Field>
        <div className="field span-4">
          <span className="field-label">Weekly, from – to (local time)</span>
          <div className="inline-form">
            {day(startDay, setStartDay, 'Window starts on')}
            <input
              className="input input-small"
              aria-label="Window starts at"
              value={start}
              onChange={(e) => setStart(e.target.value)}
            />
            <span>–</span>
            {day(endDay, setEndDay, 'Window ends on')}
            <input
              className="input input-small"
              aria-label="Window ends at"
              value={end}
              onChange={(e) => setEnd(e.target.value)}
            />
            <button type="button" className="button" onClick={() => void add()}>
              Add window
            </button>
          </div>
        </div>
      </div>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
