/** What an approve/decline dialog is about, as the page that opened it describes it. */
import type { DecisionScope, PatchSelection } from '../../../shared/decisions';

/** The patches, the decision and the scopes the dialog offers. */
export interface DecideTarget {
  decision: 'approved' | 'declined';
  /** One selection per package manager (a name means different packages under apt and dnf). */
  selections: PatchSelection[];
  /** The patches in words: "openssl", "3 packages", "all security fixes on web01". */
  what: string;
  /** The scope chosen when the dialog opens. */
  defaultScope: DecisionScope;
  /** The machine page's machine: its own scope and its client are offered. */
  machine?: { id: number; name: string; client: string };
}
