/** Approvals, declines and the audit log: the shapes that cross the IPC boundary. Plain data only. */
import type { MachineFilter } from './domain';

/** What a technician decided about a patch; "not-reviewed" is the absence of a decision. */
export type DecisionState = 'approved' | 'declined' | 'not-reviewed';

/** Where a decision applies. Narrower wins: all < client < group < machine. */
export type DecisionScope =
  | { kind: 'all' }
  | { kind: 'client'; client: string }
  | { kind: 'group'; groupId: number }
  | { kind: 'machine'; machineId: number };

/** Scope levels in order of narrowness (index = rank). */
export const SCOPE_ORDER = ['all', 'client', 'group', 'machine'] as const;

/**
 * A patch's identity: (package manager, name, version) for a package, or (package manager, advisory id)
 * for a dnf/zypper advisory (version is then '').
 */
export interface PatchRef {
  packageManager: string;
  kind: 'package' | 'advisory';
  name: string;
  version: string;
}

/** One recorded decision. */
export interface PatchDecision extends PatchRef {
  id: number;
  scope: DecisionScope;
  /** The scope in words: "everywhere", the client, the group's or the machine's name. */
  scopeLabel: string;
  decision: 'approved' | 'declined';
  actor: string;
  at: number;
  note: string;
  /** Why it was declined (required for a decline). */
  reason: string;
  /** Set when an auto-approval rule made it (issue 9): any person's decline then wins, at any scope. */
  ruleId?: number;
}

/** A pending patch's resolved state on one machine, with the decision that settled it. */
export interface ResolvedDecision {
  state: DecisionState;
  /** The deciding entry; null when not reviewed. */
  by: PatchDecision | null;
  /** For approved: the version approved for installing (candidate, or the security version). */
  version: string | null;
}

/**
 * Which pending patches a bulk decision is about: the stored pending patches of the selected machines,
 * narrowed by the other fields. `refs` instead names identities directly.
 */
export interface PatchSelection {
  machineIds?: number[];
  /** Machines by filter (a group, a client…); absent with no machineIds: the whole fleet. */
  filter?: MachineFilter;
  packageManager?: string;
  names?: string[];
  /** With names: only this version (else: the versions pending on the selected machines). */
  version?: string;
  /** Only security fixes; their security version is chosen when one is behind a newer candidate. */
  securityOnly?: boolean;
  /** dnf/zypper advisory ids: decide the advisory itself. */
  advisories?: string[];
  refs?: PatchRef[];
}

/** One audit log entry. */
export interface AuditEntry {
  seq: number;
  at: number;
  actor: string;
  action: string;
  subject: string;
  detail: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/** The result of checking the hash chain. */
export interface AuditVerifyReport {
  ok: boolean;
  entries: number;
  /** The first entry that does not hold (edited, deleted, reordered…), or null. */
  broken: { seq: number; problem: string } | null;
}

/** Who decisions are recorded as. */
export interface OperatorInfo {
  /** The operator name set in Settings, or '' when none is set. */
  name: string;
  /** The OS user name, used when no operator name is set. */
  osUser: string;
  /** What entries are recorded as now. */
  actor: string;
}
