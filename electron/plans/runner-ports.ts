/**
 * What the plan runner (electron/plans/plan-runner*.ts) needs from the rest of Patchbay, as interfaces: the
 * plan store (PLANS implements PlanSource over the DB in plan-source.ts), the health-check and script
 * executor and the notifier (HEALTH implements HostChecks over an SSH session and Notifier as desktop +
 * webhook). The runner's tests pass in-memory versions, so the runner is tested without either.
 */
import type { HealthCheck, MaintenanceWindow, PlanDefinition } from '../../shared/plans';
import type { SshSession } from '../ssh/types';

/** A stored plan as the runner sees it. */
export interface StoredPlan {
  id: number;
  enabled: boolean;
  definition: PlanDefinition;
}

/** What the runner needs to know about plans and windows (PLANS implements it over the DB). */
export interface PlanSource {
  /** The plan, or null when it was deleted. */
  getPlan(id: number): StoredPlan | null;
  /** Enabled plans only; `updatedAt` (epoch ms) is when the definition last changed (schedules restart then). */
  listEnabledPlans(): { id: number; definition: PlanDefinition; updatedAt: number }[];
  /** The maintenance windows that apply to a machine (narrowest level wins), or null = unrestricted. */
  windowsFor(machineId: number): MaintenanceWindow[] | null;
}

/** One health check's outcome on one host; `detail` is short plain words (bounded, from untrusted output). */
export interface HealthCheckResult {
  check: HealthCheck;
  ok: boolean;
  detail: string;
}

/** Runs health checks and scripts on a host (HEALTH implements it over an SSH session). */
export interface HostChecks {
  /** Runs every check (never throws for the host's behaviour: an unreachable host is a failed check). */
  runHealthChecks(
    machineId: number,
    checks: HealthCheck[],
    signal?: AbortSignal,
  ): Promise<{ ok: boolean; results: HealthCheckResult[] }>;
  /**
   * Runs a plan's pre- or post-script on the host as root under `timeoutMs` (bounded output, an audit entry
   * with the script's sha256). Never throws for the host's behaviour: a non-zero exit is `ok: false`.
   * `session`, when given, is the engine's open session to the host (under its host lock): used instead of
   * opening one.
   */
  runScript(
    machineId: number,
    script: { planId: number; phase: 'pre' | 'post'; text: string; timeoutMs: number },
    signal?: AbortSignal,
    session?: SshSession,
  ): Promise<{ ok: boolean; detail: string }>;
}

/** The kinds of things the runner tells the user about. */
export type PlanNotificationKind =
  'plan-started' | 'gate-halted' | 'host-failed' | 'plan-done' | 'window-missed';

/** One notification; `title` and `body` are plain words ready to show (no markup). */
export interface PlanNotification {
  kind: PlanNotificationKind;
  planId: number;
  planName: string;
  title: string;
  body: string;
  /** Epoch ms, from the runner's clock. */
  at: number;
}

/** Tells the user (HEALTH implements desktop + webhook). Must not throw or block: the runner does not wait. */
export interface Notifier {
  notify(n: PlanNotification): void;
}

/** A Notifier that tells nobody (the default until HEALTH's is wired). */
export const silentNotifier: Notifier = { notify: () => undefined };
