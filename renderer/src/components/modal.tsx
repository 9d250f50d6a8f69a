/** A modal dialog on the native <dialog>: the page behind is inert, Escape closes, focus comes back. */
import type { ReactNode } from 'react';
import { useId, useLayoutEffect, useRef } from 'react';

import { Icon } from './icons';

/** Props of {@link Modal}. */
export interface ModalProps {
  title: ReactNode;
  /** `data-testid` of the dialog root. */
  testId: string;
  onClose(): void;
  children: ReactNode;
  footer?: ReactNode;
  size?: 'small' | 'medium' | 'large';
  /** Optional line under the title. */
  description?: ReactNode;
  /** Extra class on the dialog, for dialogs with a layout of their own. */
  className?: string;
}

/** Opens on mount and closes on unmount; the first field (or `[data-autofocus]`) gets focus. */
export function Modal({
  title,
  testId,
  onClose,
  children,
  footer,
  size = 'medium',
  description,
  className,
}: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descId = useId();
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useLayoutEffect(() => {
    const dialog = ref.current;
    if (!dialog) return undefined;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    const target =
      dialog.querySelector<HTMLElement>('[data-autofocus]') ??
      dialog.querySelector<HTMLElement>(
        '.modal-body input:not([type=hidden]):not(:disabled), .modal-body select, .modal-body textarea',
      ) ??
      dialog.querySelector<HTMLElement>('.modal-footer button:not(:disabled)');
    target?.focus();
    // Chrome may close a dialog on a repeated Escape without a cancel event; follow it.
    const onNativeClose = () => onCloseRef.current();
    dialog.addEventListener('close', onNativeClose);
    return () => {
      dialog.removeEventListener('close', onNativeClose);
      if (dialog.open) dialog.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      className={className ? `modal modal-${size} ${className}` : `modal modal-${size}`}
      data-testid={testId}
      aria-labelledby={titleId}
      aria-describedby={description ? descId : undefined}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <header className="modal-header">
        <div>
          <h2 id={titleId}>{title}</h2>
          {description ? (
            <p id={descId} className="modal-description">
              {description}
            </p>
          ) : null}
        </div>
        <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
          <Icon name="close" />
        </button>
      </header>
      <div className="modal-body">{children}</div>
      {footer ? <footer className="modal-footer">{footer}</footer> : null}
    </dialog>
  );
}
