/** A "Scan" button that asks first, in a small popover, whether to trust first-seen host keys. */
import type { ReactNode } from 'react';
import { useEffect, useId, useRef, useState } from 'react';

import { Icon } from '../../components/icons';

/** What the user chose in the popover. */
export interface ScanOptions {
  trustNewHostKeys: boolean;
  refreshLists: boolean;
}

/** Props of {@link ScanButton}. */
export interface ScanButtonProps {
  /** Text of the button, e.g. "Scan 3 selected" or "Scan 120 machines". */
  label: string;
  /** Heading of the popover, e.g. "Scan all 120 machines?". */
  question: string;
  /** Extra line in the popover, e.g. which filter picks the machines. */
  detail?: ReactNode;
  disabled?: boolean;
  /** Why the button is disabled, as its tooltip. */
  disabledReason?: string;
  primary?: boolean;
  /** Starts the scan; resolves to whether it started (the popover stays open on failure). */
  onStart(options: ScanOptions): Promise<boolean>;
}

/** The button and its confirm popover; Escape or a click outside closes it, focus returns to the button. */
export function ScanButton(props: ScanButtonProps) {
  const { label, question, detail, disabled, disabledReason, primary, onStart } = props;
  const [open, setOpen] = useState(false);
  const [trust, setTrust] = useState(false);
  const [refresh, setRefresh] = useState(false);
  const [busy, setBusy] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const headingId = useId();
  const hintId = useId();
  const refreshHintId = useId();

  const close = (refocus = true) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };

  useEffect(() => {
    if (!open) return undefined;
    // Off every time: trusting unseen keys (and changing the hosts' lists) is a choice per scan.
    setTrust(false);
    setRefresh(false);
    root.current?.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    const onDown = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  const start = async () => {
    setBusy(true);
    try {
      if (await onStart({ trustNewHostKeys: trust, refreshLists: refresh })) close(false);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div
      className="menu"
      ref={root}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.stopPropagation();
          e.preventDefault();
          close();
        }
      }}
    >
      <button
        ref={button}
        type="button"
        className={primary ? 'button button-primary' : 'button'}
        disabled={disabled}
        title={disabled ? disabledReason : undefined}
        aria-haspopup="dialog"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        <Icon name="scan" />
        {label}
      </button>
      {open ? (
        <div className="popover" role="dialog" aria-labelledby={headingId} data-testid="scan-popover">
          <h2 id={headingId} className="popover-title">
            {question}
          </h2>
          <p className="muted">
            Patchbay logs in over SSH and asks the package manager what is missing. No package is installed or
            changed.
          </p>
          {detail ? <p className="muted">{detail}</p> : null}
          <label className="check-inline popover-check">
            <input
              type="checkbox"
              checked={trust}
              aria-describedby={hintId}
              onChange={(e) => setTrust(e.target.checked)}
            />
            Trust host keys of machines contacted for the first time
          </label>
          <p id={hintId} className="field-hint popover-hint">
            Saves their keys without asking; a key that changed is still refused.
          </p>
          <label className="check-inline popover-check">
            <input
              type="checkbox"
              checked={refresh}
              aria-describedby={refreshHintId}
              onChange={(e) => setRefresh(e.target.checked)}
            />
            Refresh package lists first
          </label>
          <p id={refreshHintId} className="field-hint popover-hint">
            Runs <code>apt-get update</code> with sudo first: slower, but sees the newest fixes.
          </p>
          <div className="popover-actions">
            <button type="button" className="button" onClick={() => close()}>
              Cancel
            </button>
            <button
              type="button"
              className="button button-primary"
              disabled={busy}
              data-autofocus
              onClick={() => void start()}
            >
              {busy ? 'Starting…' : 'Start scan'}
            </button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
