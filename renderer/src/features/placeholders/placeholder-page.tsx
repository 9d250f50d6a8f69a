/** Pages whose features arrive later: they say what will appear and how to get there. */
import type { ReactNode } from 'react';

import type { Route } from '../../app/routes';
import { hrefOf } from '../../app/routes';
import { EmptyState } from '../../components/empty-state';
import type { IconName } from '../../components/icons';
import { PageHeader } from '../../components/page-header';

interface Copy {
  title: string;
  icon: IconName;
  heading: string;
  body: ReactNode;
}

const COPY: Partial<Record<Route, Copy>> = {
  patches: {
    title: 'Patches',
    icon: 'patches',
    heading: 'No scan results yet',
    body: (
      <>
        Missing patches across your machines will be listed here after the first scan. Scanning arrives with
        the SSH scanner; first add machines on the <a href={hrefOf('machines')}>Machines</a> page.
      </>
    ),
  },
};

/** A page that explains what it will hold. */
export function PlaceholderPage({ route }: { route: Route }) {
  const copy = COPY[route];
  if (!copy) return null;
  return (
    <div className="page">
      <PageHeader title={copy.title} />
      <EmptyState icon={copy.icon} title={copy.heading}>
        <p>{copy.body}</p>
      </EmptyState>
    </div>
  );
}
