/** The wizard's pickers: machines by search, named patches from the fleet's missing patches, advisories. */
import { useEffect, useMemo, useState } from 'react';

import type { FleetPatch, Machine, RolloutRef } from '../../../../shared/domain';
import { Field } from '../../components/field';
import { Icon } from '../../components/icons';
import { errorMessage } from '../../stores/errors';
import { useAppStore } from '../../stores/store';
import { packageManagerLabel } from '../machines/platform-words';
import { addAdvisory, ADVISORY_PMS, type AdvisoryPm, refKey, type WizardForm } from './wizard-form';

/** Rows a picker lists at once; the search narrows the rest. */
const SHOWN = 100;

/** Picks machines: a search over the inventory, with the picked ones kept at the top. */
export function MachinePicker({
  picked,
  onChange,
  error,
}: {
  picked: readonly number[];
  onChange(ids: number[]): void;
  error?: string | undefined;
}) {
  const api = useAppStore((s) => s.api);
  const [text, setText] = useState('');
  const [found, setFound] = useState<Machine[]>([]);
  const [names, setNames] = useState<Map<number, string>>(new Map());
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const t = setTimeout(() => {
      api['machines.list']({
        filter: text.trim() ? { text: text.trim() } : {},
        sort: { key: 'displayName', direction: 'asc' },
        page: { offset: 0, limit: SHOWN },
      })
        .then(({ items }) => {
          if (!live) return;
          setFound(items);
          setNames((n) => new Map([...n, ...items.map((m) => [m.id, m.displayName] as const)]));
          setProblem(null);
        })
        .catch((e: unknown) => live && setProblem(errorMessage(e)));
    }, 150);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [api, text]);
  // Machines picked elsewhere (the Machines page selection) get their names once.
  useEffect(() => {
    const unknown = picked.filter((id) => !names.has(id)).slice(0, 50);
    if (unknown.length === 0) return;
    void Promise.allSettled(unknown.map((id) => api['machines.get']({ id }))).then((rs) => {
      const got = rs.flatMap((r) =>
        r.status === 'fulfilled' ? [[r.value.id, r.value.displayName] as const] : [],
      );
      if (got.length) setNames((n) => new Map([...n, ...got]));
    });
  }, [api, picked, names]);
  const set = new Set(picked);
  const rows = [
    ...picked.map((id) => ({ id, name: names.get(id) ?? `Machine ${id}` })),
    ...found.filter((m) => !set.has(m.id)).map((m) => ({ id: m.id, name: m.displayName })),
  ];
  const toggle = (id: number) => onChange(set.has(id) ? picked.filter((x) => x !== id) : [...picked, id]);
  return (
    <div className="picker" data-testid="machine-picker">
      <div className="search">
        <Icon name="search" className="search-icon" />
        <input
          type="search"
          className="input search-input"
          placeholder="Find machines by name, address, tag…"
          aria-label="Find machines"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </div>
      <ul className="picker-list" aria-label="Machines">
        {rows.map((r) => (
          <li key={r.id}>
            <label className="check-inline">
              <input type="checkbox" checked={set.has(r.id)} onChange={() => toggle(r.id)} />
              <span className="truncate">{r.name}</span>
            </label>
          </li>
        ))}
        {rows.length === 0 ? <li className="muted">No machine matches.</li> : null}
      </ul>
      <p className={error ? 'field-error' : 'field-hint'} role={error ? 'alert' : undefined}>
        {error ?? problem ?? `${picked.length} picked`}
      </p>
    </div>
  );
}

/** Picks named patches among those the last scans found missing; each installs at its approved version. */
export function PatchPicker({
  picked,
  onChange,
  error,
}: {
  picked: readonly RolloutRef[];
  onChange(refs: RolloutRef[]): void;
  error?: string | undefined;
}) {
  const api = useAppStore((s) => s.api);
  const [fleet, setFleet] = useState<FleetPatch[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [text, setText] = useState('');
  useEffect(() => {
    let live = true;
    api['patches.fleet']({ filter: {} })
      .then((f) => live && setFleet(f))
      .catch((e: unknown) => live && setProblem(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [api]);
  const keys = useMemo(() => new Set(picked.map(refKey)), [picked]);
  const q = text.trim().toLowerCase();
  const shown = (fleet ?? []).filter((p) => !q || p.name.toLowerCase().includes(q)).slice(0, SHOWN);
  const toggle = (p: FleetPatch) =>
    onChange(
      keys.has(refKey(p))
        ? picked.filter((r) => refKey(r) !== refKey(p))
        : [...picked, { packageManager: p.packageManager, kind: 'package', name: p.name, version: '' }],
    );
  return (
    <div className="picker" data-testid="patch-picker">
      <div className="search">
        <Icon name="search" className="search-icon" />
        <input
          type="search"
          className="input search-input"
          placeholder="Find a package…"
          aria-label="Find a package"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </div>
      <ul className="picker-list" aria-label="Missing patches">
        {shown.map((p) => (
          <li key={refKey(p)}>
            <label className="check-inline">
              <input type="checkbox" checked={keys.has(refKey(p))} onChange={() => toggle(p)} />
              <span className="truncate">{p.name}</span>
              <span className="muted">{packageManagerLabel(p.packageManager)}</span>
              {p.security ? <span className="badge badge-danger">Security</span> : null}
            </label>
          </li>
        ))}
        {fleet && shown.length === 0 ? <li className="muted">No missing patch matches.</li> : null}
        {!fleet && !problem ? <li className="muted">Loading patches…</li> : null}
      </ul>
      <p className={error || problem ? 'field-error' : 'field-hint'} role={error ? 'alert' : undefined}>
        {error ??
          problem ??
          `${picked.length} picked; each installs at the version approved for the machine (unapproved ones are left out).`}
      </p>
    </div>
  );
}

/**
 * Names dnf/yum/zypper advisories: a package manager, an id and Add; the named advisories are listed with
 * a Remove each. The fleet view lists packages only, so advisories are typed (as in `patchbay rollout
 * create --advisory`); an advisory installs on a machine only as far as its packages are approved there.
 */
export function AdvisoryAdder({
  form,
  onChange,
  error,
}: {
  form: WizardForm;
  onChange(patch: Partial<WizardForm>): void;
  error?: string | undefined;
}) {
  const [problem, setProblem] = useState<string | null>(null);
  const named = form.refs.filter((r) => r.kind === 'advisory');
  const add = () => {
    const r = addAdvisory(form);
    if ('problem' in r) return setProblem(r.problem);
    setProblem(null);
    onChange({ refs: r.form.refs, advisoryId: r.form.advisoryId });
  };
  return (
    <div className="advisory-adder" data-testid="advisory-adder">
      <div className="form-grid wizard-advisory">
        <Field label="Advisory for">
          <select
            className="input"
            value={form.advisoryPm}
            onChange={(e) => onChange({ advisoryPm: e.target.value as AdvisoryPm })}
          >
            {ADVISORY_PMS.map((pm) => (
              <option key={pm} value={pm}>
                {pm}
              </option>
            ))}
          </select>
        </Field>
        <Field
          label="Advisory id"
          error={problem ?? error}
          hint="e.g. RHSA-2024:2447 or SUSE-2024-1234; installs only what is approved of it."
        >
          <input
            className="input"
            value={form.advisoryId}
            maxLength={256}
            onChange={(e) => onChange({ advisoryId: e.target.value })}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                add();
              }
            }}
          />
        </Field>
        <button type="button" className="button wizard-advisory-add" onClick={add}>
          Add
        </button>
      </div>
      {named.length > 0 ? (
        <ul className="advisory-list" aria-label="Named advisories">
          {named.map((r) => (
            <li key={refKey(r)}>
              <span className="truncate">{r.name}</span>
              <span className="muted">{packageManagerLabel(r.packageManager)}</span>
              <button
                type="button"
                className="button button-small button-ghost"
                aria-label={`Remove advisory ${r.name}`}
                onClick={() => onChange({ refs: form.refs.filter((x) => refKey(x) !== refKey(r)) })}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
