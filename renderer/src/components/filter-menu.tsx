/** A toolbar button that opens a checklist of values to filter by (or a single choice). */
import { useEffect, useId, useRef, useState } from 'react';

import { Icon } from './icons';

/** One choice in a {@link FilterMenu}. */
export interface FilterOption {
  value: string;
  label: string;
}

/** Props of {@link FilterMenu}. */
export interface FilterMenuProps {
  /** Visible name of the button ("Tag"); the button reads "Tag: prod" or "Tag: 3" when set. */
  label: string;
  options: readonly FilterOption[];
  selected: readonly string[];
  onChange(values: string[]): void;
  /** Pick at most one value (radio semantics). */
  single?: boolean;
  /** Shown when there is nothing to choose from. */
  emptyText: string;
}

/** The menu closes on Escape (focus returns to the button) and on a click outside it. */
export function FilterMenu({ label, options, selected, onChange, single, emptyText }: FilterMenuProps) {
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState('');
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const panelId = useId();

  useEffect(() => {
    if (!open) return undefined;
    const onDown = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  useEffect(() => {
    if (open) root.current?.querySelector<HTMLElement>('.menu-panel input')?.focus();
    else setQuery('');
  }, [open]);

  const chosen = new Set(selected);
  const firstLabel = options.find((o) => o.value === selected[0])?.label ?? selected[0];
  const summary =
    selected.length === 0 ? '' : selected.length === 1 ? `: ${firstLabel}` : `: ${selected.length}`;
  const q = query.trim().toLowerCase();
  const shown = q ? options.filter((o) => o.label.toLowerCase().includes(q)) : options;
  const limit = 300; // A long tag list stays responsive; the search box narrows it.

  const pick = (value: string) => {
    if (single) {
      onChange(chosen.has(value) ? [] : [value]);
      setOpen(false);
      button.current?.focus();
      return;
    }
    onChange(chosen.has(value) ? selected.filter((v) => v !== value) : [...selected, value]);
  };

  return (
    <div
      className="menu"
      ref={root}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.stopPropagation();
          e.preventDefault();
          setOpen(false);
          button.current?.focus();
        }
      }}
    >
      <button
        ref={button}
        type="button"
        className={selected.length ? 'button button-filter is-active' : 'button button-filter'}
        aria-haspopup="true"
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        onClick={() => setOpen(!open)}
      >
        {label}
        {summary}
        <Icon name="chevron" />
      </button>
      {open ? (
        <div className="menu-panel" id={panelId} role="group" aria-label={`${label} filter`}>
          {options.length > 8 ? (
            <input
              type="search"
              className="input input-small"
              placeholder={`Find ${label.toLowerCase()}…`}
              aria-label={`Find ${label.toLowerCase()}`}
              value={query}
              onChange={(e) => setQuery(e.target.value)}
            />
          ) : null}
          {options.length === 0 ? <p className="menu-empty">{emptyText}</p> : null}
          <ul className="menu-list">
            {shown.slice(0, limit).map((o) => (
              <li key={o.value}>
                <label className="menu-item">
                  <input
                    type={single ? 'radio' : 'checkbox'}
                    name={single ? panelId : undefined}
                    checked={chosen.has(o.value)}
                    onChange={() => pick(o.value)}
                    onClick={single && chosen.has(o.value) ? () => pick(o.value) : undefined}
                  />
                  <span className="truncate">{o.label}</span>
                </label>
              </li>
            ))}
          </ul>
          {shown.length > limit ? (
            <p className="menu-empty">{shown.length - limit} more — type to narrow the list</p>
          ) : null}
          {selected.length ? (
            <button type="button" className="button button-link menu-clear" onClick={() => onChange([])}>
              Clear {label.toLowerCase()} filter
            </button>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
