/** Approvals and declines, the operator name they are recorded as, and the audit log's view. */
import type { StateCreator } from 'zustand';

import type {
  AuditEntry,
  AuditVerifyReport,
  DecisionScope,
  OperatorInfo,
  PatchSelection,
} from '../../../shared/decisions';
import type { PatchbayApi } from '../../../shared/ipc';
import { errorMessage } from './errors';
import type { Store } from './store';

/** One decision request from a dialog: several selections (one per package manager) under one scope. */
export interface DecideRequest {
  selections: PatchSelection[];
  scope: DecisionScope;
  decision: 'approved' | 'declined';
  note: string;
  reason: string;
}

/** Decisions state and actions. */
export interface DecisionsSlice {
  operator: OperatorInfo | null;
  loadOperator(): Promise<void>;
  setOperator(name: string): Promise<void>;
  /** Records a decision; resolves to how many patch identities it covered. */
  decide(req: DecideRequest): Promise<number>;
  /** Re-fetches what shows decision badges (the Patches page, an open machine page). */
  refreshDecisions(): void;
  audit: { items: AuditEntry[]; total: number } | null;
  auditError: string | null;
  auditCheck: AuditVerifyReport | null;
  loadAudit(): Promise<void>;
  verifyAudit(): Promise<void>;
  /** The whole log as CSV text. */
  exportAudit(): Promise<string>;
}

/** Creates the decisions slice for one API. */
export const createDecisionsSlice =
  (api: PatchbayApi): StateCreator<Store, [], [], DecisionsSlice> =>
  (set, get) => ({
    operator: null,
    loadOperator: async () => {
      try {
        set({ operator: await api['settings.operator']({}) });
      } catch {
        // The Settings field shows the OS user as a placeholder until this answers.
      }
    },
    setOperator: async (name) => {
      set({ operator: await api['settings.setOperator']({ name }) });
      // A change of name is itself an audit entry.
      if (get().audit) void get().loadAudit();
    },
    decide: async ({ selections, scope, decision, note, reason }) => {
      let count = 0;
      for (const select of selections) {
        const r = await api['decisions.decide']({
          select,
          scope,
          decision,
          ...(note.trim() ? { note: note.trim() } : {}),
          ...(reason.trim() ? { reason: reason.trim() } : {}),
        });
        count += r.decided;
      }
      get().refreshDecisions();
      return count;
    },
    refreshDecisions: () => {
      const s = get();
      if (s.fleetLoaded) void s.loadFleet();
      if (s.machinePage) void s.loadMachinePage(s.machinePage.id);
      if (s.audit) void s.loadAudit();
    },
    audit: null,
    auditError: null,
    auditCheck: null,
    loadAudit: async () => {
      try {
        // A shown check result would be stale once the list has grown.
        set({ audit: await api['audit.list']({ limit: 50 }), auditError: null, auditCheck: null });
      } catch (e) {
        set({ auditError: errorMessage(e) });
      }
    },
    exportAudit: async () => (await api['audit.exportCsv']({})).csv,
    verifyAudit: async () => {
      try {
        set({ auditCheck: await api['audit.verify']({}), auditError: null });
      } catch (e) {
        set({ auditError: errorMessage(e) });
      }
    },
  });
