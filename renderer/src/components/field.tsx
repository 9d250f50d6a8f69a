/** A labelled form field with a hint and an inline error, wired for assistive technology. */
import type { ReactElement } from 'react';
import { cloneElement, useId } from 'react';

/** Props of {@link Field}. */
export interface FieldProps {
  label: string;
  /** The control: an <input>, <select> or <textarea>; it receives id, aria-invalid and aria-describedby. */
  children: ReactElement<Record<string, unknown>>;
  error?: string | null;
  hint?: string;
  /** Extra class on the wrapper, e.g. for grid placement. */
  className?: string;
}

/** Wraps a control with its label, hint and error message (a whole sentence, see problem-text.ts). */
export function Field({ label, children, error, hint, className }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = error ? errorId : hint ? hintId : undefined;
  return (
    <div className={className ? `field ${className}` : 'field'}>
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      {cloneElement(children, {
        id,
        'aria-invalid': error ? true : undefined,
        'aria-describedby': describedBy,
      })}
      {hint && !error ? (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
