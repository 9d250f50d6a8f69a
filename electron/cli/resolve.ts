import type { Machine } from '../../shared/domain';
import type { Core } from '../core/create-core';
import { call, UsageError } from './call';

/** Finds machines by display name (case-insensitive) or id, as the user typed them. */
export async function resolveMachines(core: Core, wanted: string[]): Promise<Machine[]> {
  const all = (
    await call(core, 'machines.list', { filter: {}, sort: { key: 'displayName', direction: 'asc' } })
  ).items;
  return wanted.map((want) => {
    const m = all.find((x) => String(x.id) === want || x.displayName.toLowerCase() === want.toLowerCase());
    if (!m)
      throw new UsageError(`No machine named or numbered "${want}". \`patchbay machines list\` shows them.`);
    return m;
  });
}
