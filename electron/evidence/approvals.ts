/**
 * The approvals that applied to each host of a rollout when it was reviewed, rebuilt from the audit log's
 * decision entries (the decisions table only holds the newest decision per scope; a later change would
 * otherwise rewrite the evidence). Resolution is the engine's own (approvals/resolve.ts): narrowest scope
 * wins, declined wins a tie.
 */
import type { DecisionScope, PatchDecision, PatchRef } from '../../shared/decisions';
import type { RolloutHost } from '../../shared/domain';
import { ADVISORY_PMS, applicable, decidingEntry } from '../approvals/resolve';

/** What evidence needs to know about a host's machine now (null when it was deleted). */
export interface MachineNow {
  client: string;
  inGroup: (groupId: number) => boolean;
}

/** One item of a host and the decision that let it in (or null when none is on record). */
export interface AppliedApproval {
  identity: PatchRef;
  decision: 'approved' | 'declined' | null;
  scope: DecisionScope | null;
  actor: string;
  at: string | null;
  note: string;
  reason: string;
  auditSeq: number | null;
}

interface Decided {
  ref: PatchRef;
  scope: DecisionScope;
}

const refKey = (r: PatchRef) => `${r.packageManager}\u0000${r.kind}\u0000${r.name}\u0000${r.version}`;
const scopeKey = (s: DecisionScope) =>
  s.kind === 'all'
    ? 'all'
    : s.kind === 'client'
      ? `client:${s.client.trim().toLowerCase()}`
      : s.kind === 'group'
        ? `group:${s.groupId}`
        : `machine:${s.machineId}`;

/** The identities a host's reviewed items are approved under (a package version, its advisories on dnf/zypper). */
export function identitiesOf(h: Pick<RolloutHost, 'packageManager' | 'items' | 'advisories'>): PatchRef[] {
  const pm = h.packageManager;
  const refs = new Map<string, PatchRef>();
  const add = (r: PatchRef) => refs.set(refKey(r), r);
  for (const i of h.items) {
    add({ packageManager: pm, kind: 'package', name: i.name, version: i.version });
    if (ADVISORY_PMS.has(pm))
      for (const a of i.advisories) add({ packageManager: pm, kind: 'advisory', name: a, version: '' });
  }
  for (const a of h.advisories) add({ packageManager: pm, kind: 'advisory', name: a, version: '' });
  return [...refs.values()];
}

/** Decision entries replayed up to a time: the decisions in force then, keyed by identity. */
function decisionsAt(
  entries: { seq: number; at: number; actor: string; action: string; detail: Record<string, unknown> }[],
  until: number,
  wanted: Set<string>,
): Map<string, PatchDecision[]> {
  const live = new Map<string, PatchDecision>();
  for (const e of entries) {
    if (e.at > until) break;
    const d = e.detail as Partial<Decided> & { note?: string; reason?: string };
    if (!d.ref || !d.scope || !wanted.has(refKey(d.ref))) continue;
    const k = `${refKey(d.ref)}\u0000${scopeKey(d.scope)}`;
    if (e.action === 'decision.removed') live.delete(k);
    else if (e.action === 'decision.approved' || e.action === 'decision.declined') {
      live.set(k, {
        ...d.ref,
        id: e.seq,
        scope: d.scope,
        scopeLabel: scopeKey(d.scope),
        decision: e.action === 'decision.approved' ? 'approved' : 'declined',
        actor: e.actor,
        at: e.at,
        note: d.note ?? '',
        reason: d.reason ?? '',
      });
    }
  }
  const byRef = new Map<string, PatchDecision[]>();
  for (const d of live.values()) {
    const k = refKey(d);
    byRef.set(k, [...(byRef.get(k) ?? []), d]);
  }
  return byRef;
}

/**
 * For each identity of a host: the deciding decision among those in force at `reviewedAt` that apply to
 * the machine (everywhere, its client, its groups — membership as it is now — and itself). On dnf/zypper a
 * package's advisory decision counts for it, as at install time.
 */
export function appliedApprovals(
  h: Pick<RolloutHost, 'machineId' | 'packageManager' | 'items' | 'advisories'>,
  machine: MachineNow | null,
  entries: Parameters<typeof decisionsAt>[0],
  reviewedAt: number,
): AppliedApproval[] {
  const refs = identitiesOf(h);
  const byRef = decisionsAt(entries, reviewedAt, new Set(refs.map(refKey)));
  const applies = (d: PatchDecision) =>
    d.scope.kind === 'all' ||
    (d.scope.kind === 'client' &&
      machine !== null &&
      d.scope.client.trim().toLowerCase() === machine.client.trim().toLowerCase()) ||
    d.scope.kind === 'group' ||
    (d.scope.kind === 'machine' && d.scope.machineId === h.machineId);
  const inGroup = (gid: number) => machine?.inGroup(gid) ?? false;
  const forRef = (r: PatchRef) => applicable((byRef.get(refKey(r)) ?? []).filter(applies), inGroup);
  return refs
    .filter(
      (r) => r.kind === 'package' || !ADVISORY_PMS.has(r.packageManager) || h.advisories.includes(r.name),
    )
    .map((r) => {
      const advisories =
        r.kind === 'package' && ADVISORY_PMS.has(r.packageManager)
          ? (h.items.find((i) => i.name === r.name && i.version === r.version)?.advisories ?? []).flatMap(
              (a) => forRef({ packageManager: r.packageManager, kind: 'advisory', name: a, version: '' }),
            )
          : [];
      const d = decidingEntry([...forRef(r), ...advisories]);
      return {
        identity: r,
        decision: d?.decision ?? null,
        scope: d?.scope ?? null,
        actor: d?.actor ?? '',
        at: d ? new Date(d.at).toISOString() : null,
        note: d?.note ?? '',
        reason: d?.reason ?? '',
        auditSeq: d?.id ?? null,
      };
    });
}
