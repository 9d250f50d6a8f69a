import type { ComplianceMttr, ComplianceScope, ComplianceTrend } from '../../shared/compliance';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { Db } from '../db/open';
import { utcDay } from '../vuln/sla';
import { complianceMttr } from './mttr';
import { takeSnapshot } from './snapshot';
import { complianceTrend } from './trend';

/** What the compliance service needs from the core. */
export interface ComplianceDeps {
  db: Db;
  /** Brings the risk rows up to date (the snapshot counts them). */
  refreshRisk: () => Promise<unknown>;
  clock: Clock;
  logger: Logger;
}

/** A compliance read: a scope and how many days back, today included. */
export interface ComplianceRequest {
  scope: ComplianceScope;
  name?: string | undefined;
  days: number;
}

/**
 * Compliance over time. Today's snapshot is retaken after every risk refresh that follows a scan and
 * before every trend read, so the stored day always ends with the last state of that day; no timer.
 */
export function complianceService(deps: ComplianceDeps) {
  const { db, clock } = deps;
  let closed = false;

  /** Refreshes the risk rows, then retakes today's snapshot. */
  async function snapshot(): Promise<void> {
    await deps.refreshRisk();
    if (closed || !db.open) return;
    takeSnapshot(db, clock.now());
  }

  return {
    snapshot,

    /** The snapshot after a finished scan; a failure is logged, never thrown at the event's sender. */
    afterScan(): void {
      snapshot().catch((e: unknown) =>
        deps.logger.error('compliance.snapshot-failed', { error: String(e).slice(0, 300) }),
      );
    },

    async trend(req: ComplianceRequest): Promise<ComplianceTrend> {
      await snapshot();
      return complianceTrend(db, { ...req, today: utcDay(clock.now()) });
    },

    async mttr(req: ComplianceRequest): Promise<ComplianceMttr> {
      return Promise.resolve(complianceMttr(db, { ...req, today: utcDay(clock.now()) }));
    },

    close(): void {
      closed = true;
    },
  };
}

/** The compliance service of one core. */
export type ComplianceService = ReturnType<typeof complianceService>;
