import { type PatchDecision, type ResolvedDecision, SCOPE_ORDER } from '../../shared/decisions';
import type { MachinePatch } from '../../shared/domain';

/** Package managers whose advisories are patch identities of their own (they can install by advisory). */
export const ADVISORY_PMS: ReadonlySet<string> = new Set(['dnf', 'yum', 'zypper']);

const NOT_REVIEWED: ResolvedDecision = { state: 'not-reviewed', by: null, version: null };

const key = (pm: string, kind: string, name: string, version: string) =>
  `${pm}\u0000${kind}\u0000${name}\u0000${version}`;

/** Decisions indexed by identity, for resolving many patches of one machine. */
export function indexDecisions(decisions: PatchDecision[]): Map<string, PatchDecision[]> {
  const byKey = new Map<string, PatchDecision[]>();
  for (const d of decisions) {
    const k = key(d.packageManager, d.kind, d.name, d.version);
    const list = byKey.get(k);
    if (list) list.push(d);
    else byKey.set(k, [d]);
  }
  return byKey;
}

/**
 * The deciding entry among some: the narrowest scope; at the same scope declined wins; then the newest.
 * An approval made by an auto-approval rule never outranks a decline, whatever their scopes.
 */
export function decidingEntry(matching: PatchDecision[]): PatchDecision | null {
  let best: PatchDecision | null = null;
  const rank = (d: PatchDecision) => SCOPE_ORDER.indexOf(d.scope.kind);
  const declined = matching.some((d) => d.decision === 'declined');
  for (const d of matching) {
    if (declined && d.ruleId !== undefined && d.decision === 'approved') continue;
    if (!best) {
      best = d;
      continue;
    }
    const byScope = rank(d) - rank(best);
    const byDecision = (d.decision === 'declined' ? 1 : 0) - (best.decision === 'declined' ? 1 : 0);
    if (byScope > 0 || (byScope === 0 && (byDecision > 0 || (byDecision === 0 && d.at > best.at)))) best = d;
  }
  return best;
}

/**
 * Resolves one pending patch against the decisions that apply to its machine (already narrowed to the
 * machine's client, groups and itself). The candidate and the security version are separate identities:
 * an approved candidate is installed; else an approved security version; a decline of either (with
 * nothing approved) declines the patch. A dnf/zypper advisory decision counts for both versions.
 */
export function resolvePatch(patch: MachinePatch, index: Map<string, PatchDecision[]>): ResolvedDecision {
  const advisory = ADVISORY_PMS.has(patch.packageManager)
    ? patch.advisories.flatMap((a) => index.get(key(patch.packageManager, 'advisory', a, '')) ?? [])
    : [];
  const versions = [patch.candidateVersion];
  if (patch.securityVersion && patch.securityVersion !== patch.candidateVersion) {
    versions.push(patch.securityVersion);
  }
  let declined: PatchDecision | null = null;
  for (const v of versions) {
    const own = index.get(key(patch.packageManager, 'package', patch.name, v)) ?? [];
    const entry = decidingEntry([...own, ...advisory]);
    if (entry?.decision === 'approved') return { state: 'approved', by: entry, version: v };
    if (entry?.decision === 'declined' && !declined) declined = entry;
  }
  return declined ? { state: 'declined', by: declined, version: null } : NOT_REVIEWED;
}

/** Keeps the decisions that apply to a machine: everything but groups it is not a member of. */
export function applicable(
  decisions: PatchDecision[],
  inGroup: (groupId: number) => boolean,
): PatchDecision[] {
  const memo = new Map<number, boolean>();
  return decisions.filter((d) => {
    if (d.scope.kind !== 'group') return true;
    const id = d.scope.groupId;
    if (!memo.has(id)) memo.set(id, inGroup(id));
    return memo.get(id) === true;
  });
}
