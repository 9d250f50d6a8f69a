/** What an empty area will show and how to get there — never a bare "nothing here". */
import type { ReactNode } from 'react';

import type { IconName } from './icons';
import { Icon } from './icons';

/** Props of {@link EmptyState}. */
export interface EmptyStateProps {
  icon: IconName;
  title: string;
  children: ReactNode;
  actions?: ReactNode;
}

/** A centred explanation with optional actions. */
export function EmptyState({ icon, title, children, actions }: EmptyStateProps) {
  return (
    <section className="empty-state" aria-label={title}>
      <div className="empty-icon">
        <Icon name={icon} />
      </div>
      <h2>{title}</h2>
      <div className="empty-text">{children}</div>
      {actions ? <div className="empty-actions">{actions}</div> : null}
    </section>
  );
}
