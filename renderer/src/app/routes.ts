/** The pages of the app and their `#/name` hash URLs. */

/** A page of the app. */
export type Route =
  'dashboard' | 'machines' | 'patches' | 'fix-first' | 'rollouts' | 'plans' | 'reports' | 'settings';

/** Pages in sidebar order, with their labels. */
export const ROUTES: readonly { route: Route; label: string }[] = [
  { route: 'dashboard', label: 'Dashboard' },
  { route: 'machines', label: 'Machines' },
  { route: 'patches', label: 'Patches' },
  { route: 'fix-first', label: 'Fix first' },
  { route: 'rollouts', label: 'Rollouts' },
  { route: 'plans', label: 'Plans' },
  { route: 'reports', label: 'Reports' },
  { route: 'settings', label: 'Settings' },
];

/** The page a hash points at; the dashboard for anything unknown. */
export function parseHash(hash: string): Route {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return ROUTES.find((r) => r.route === name)?.route ?? 'dashboard';
}

/** The machine of a `#/machines/<id>` hash, or null for the list (and anything else). */
export function parseMachineId(hash: string): number | null {
  const m = /^#\/?machines\/(\d{1,15})(?:[/?]|$)/.exec(hash);
  const id = m ? Number(m[1]) : NaN;
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

/** The rollout of a `#/rollouts/<id>` hash, or null for the list (and anything else). */
export function parseRolloutId(hash: string): number | null {
  const m = /^#\/?rollouts\/(\d{1,15})(?:[/?]|$)/.exec(hash);
  const id = m ? Number(m[1]) : NaN;
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

/** The hash URL of one rollout's page. */
export function rolloutHref(id: number): string {
  return `#/rollouts/${id}`;
}

/** The hash URL of a page. */
export function hrefOf(route: Route): string {
  return `#/${route}`;
}

/** The hash URL of one machine's page. */
export function machineHref(id: number): string {
  return `#/machines/${id}`;
}
