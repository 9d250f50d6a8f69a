import type { DecisionScope, PatchRef, PatchSelection } from '../../shared/decisions';
import type { Core } from '../core/create-core';
import { call, UsageError } from './call';
import { resolveMachines } from './resolve';

/** Options `patchbay approve|decline|unapprove` read. */
export interface DecisionOptions {
  all?: boolean;
  client?: string[];
  group?: string;
  machine?: string[];
  security?: boolean;
  package?: string[];
  advisory?: string[];
  pm?: string;
  note?: string;
  reason?: string;
  json?: boolean;
}

/** The scope flag given (exactly one), and the machines it selects for finding pending patches. */
async function scopeOf(
  core: Core,
  o: DecisionOptions,
): Promise<{ scope: DecisionScope; select: PatchSelection; words: string }> {
  const given = [o.all, o.client, o.group, o.machine].filter((x) => x !== undefined).length;
  if (given !== 1 || (o.client && o.client.length !== 1) || (o.machine && o.machine.length !== 1)) {
    throw new UsageError('Give exactly one scope: --all, --client C, --group G or --machine M.');
  }
  if (o.all) return { scope: { kind: 'all' }, select: {}, words: 'everywhere' };
  const client = o.client?.[0];
  if (client !== undefined) {
    return {
      scope: { kind: 'client', client },
      select: { filter: { clients: [client] } },
      words: `for client ${client}`,
    };
  }
  if (o.group !== undefined) {
    const groups = await call(core, 'groups.list', {});
    const g = groups.find((x) => x.name.toLowerCase() === o.group?.toLowerCase());
    if (!g) {
      throw new UsageError(
        `No group named "${o.group}". Groups: ${groups.map((x) => x.name).join(', ') || 'none'}`,
      );
    }
    return {
      scope: { kind: 'group', groupId: g.id },
      select: { filter: { groupId: g.id } },
      words: `for group ${g.name}`,
    };
  }
  const [m] = await resolveMachines(core, o.machine ?? []);
  if (!m) throw new UsageError('Name the machine.');
  return {
    scope: { kind: 'machine', machineId: m.id },
    select: { machineIds: [m.id] },
    words: `on ${m.displayName}`,
  };
}

/** One selection per --package NAME=VERSION (a version belongs to its name), one for the rest. */
function selections(base: PatchSelection, o: DecisionOptions): PatchSelection[] {
  const common: PatchSelection = {
    ...base,
    ...(o.pm ? { packageManager: o.pm } : {}),
    ...(o.security ? { securityOnly: true } : {}),
  };
  if (o.advisory?.length) {
    if (o.package?.length) throw new UsageError('Give --package or --advisory, not both.');
    return [{ ...common, advisories: o.advisory }];
  }
  if (!o.package?.length) return [common];
  const plain: string[] = [];
  const out: PatchSelection[] = [];
  for (const p of o.package) {
    const eq = p.indexOf('=');
    if (eq === 0 || eq === p.length - 1) throw new UsageError(`--package ${p}: write NAME or NAME=VERSION.`);
    if (eq < 0) plain.push(p);
    else out.push({ ...common, names: [p.slice(0, eq)], version: p.slice(eq + 1) });
  }
  if (plain.length) out.push({ ...common, names: plain });
  return out;
}

const refLine = (r: PatchRef) =>
  `  ${r.packageManager.padEnd(7)} ${r.kind === 'advisory' ? `advisory ${r.name}` : `${r.name} ${r.version}`}`;

/** `patchbay approve|decline|unapprove`: through core.dispatch like the UI; prints what it decided. */
export async function runDecision(
  core: Core,
  verb: 'approve' | 'decline' | 'unapprove',
  o: DecisionOptions,
  out: (s: string) => void,
): Promise<void> {
  if (verb === 'decline' && !o.reason?.trim()) {
    throw new UsageError('decline needs --reason "why" (it is shown wherever the patch appears).');
  }
  if (verb !== 'decline' && o.reason !== undefined) throw new UsageError('--reason is for decline only.');
  const { scope, select, words } = await scopeOf(core, o);
  const refs: PatchRef[] = [];
  for (const sel of selections(select, o)) {
    if (verb === 'unapprove') {
      refs.push(...(await call(core, 'decisions.unapprove', { select: sel, scope })).refs);
    } else {
      const r = await call(core, 'decisions.decide', {
        select: sel,
        scope,
        decision: verb === 'approve' ? 'approved' : 'declined',
        ...(o.note ? { note: o.note } : {}),
        ...(o.reason ? { reason: o.reason } : {}),
      });
      refs.push(...r.refs);
    }
  }
  if (o.json) return out(JSON.stringify({ scope, count: refs.length, refs }, null, 2) + '\n');
  const did = { approve: 'Approved', decline: 'Declined', unapprove: 'Removed the decision on' }[verb];
  if (refs.length === 0) return out(`No decision ${words} matched; nothing changed.\n`);
  out(
    `${did} ${refs.length} patch${refs.length === 1 ? '' : 'es'} ${words}:\n${refs.map(refLine).join('\n')}\n`,
  );
}
