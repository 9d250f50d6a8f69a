/**
 * The one IPC contract. Request channels map to `(req) => Promise<res>`; event channels map to payloads.
 * Electron's preload, the browser host's WebSocket client and the core's handlers are all typed from it.
 */
import type { z } from 'zod';

import type { ComplianceMttr, ComplianceTrend } from './compliance';
import type { AuditEntry, AuditVerifyReport, OperatorInfo, PatchDecision, PatchRef } from './decisions';
import type {
  AppInfo,
  CredentialSummary,
  Facets,
  FleetPatch,
  Group,
  ImportPreview,
  ImportResult,
  InventorySummary,
  JobProgress,
  KnownHostsImportReport,
  Machine,
  MachineScanDetails,
  PinnedHostKeyInfo,
  Rollout,
  RolloutDetail,
  RolloutHostProgress,
  RolloutOutputChunk,
  RolloutState,
  ScanHostProgress,
  ScanTotals,
} from './domain';
import type { DesktopNotification, NotificationSettings, NotificationTestResult } from './notifications';
import type { PlanCalendar, PlanPreview, PlanRecord, WindowRecord } from './plan-api';
import type { PlanRun, PlanRunDetail, PlanRunEvent } from './plan-runs';
import type { ReportModel } from './reports';
import type {
  FixFirstPage,
  OverdueContent,
  RiskSummary,
  SlaPolicies,
  VulnStatus,
  VulnUpdateReport,
} from './risk';
import { RULE_CHANNELS, type RuleResponses } from './rules';
import type { requestSchemas } from './schemas';

type Req<C extends keyof typeof requestSchemas> = z.infer<(typeof requestSchemas)[C]>;

/** Responses by channel. */
export interface ResponseMap extends RuleResponses {
  'app.info': AppInfo;
  /** `ids`: every match's id in list order, when the request asked `withIds`. */
  'machines.list': { items: Machine[]; total: number; ids?: number[] };
  'machines.get': Machine;
  'machines.create': Machine;
  'machines.update': Machine;
  'machines.delete': { deleted: number };
  'machines.editTags': { updated: number };
  'machines.facets': Facets;
  'machines.summary': InventorySummary;
  'machines.exportCsv': { csv: string; count: number };
  'groups.list': Group[];
  'groups.save': Group;
  'groups.delete': { deleted: number };
  'credentials.list': CredentialSummary[];
  'credentials.create': CredentialSummary;
  'credentials.delete': { deleted: number };
  'import.preview': ImportPreview;
  'import.commit': ImportResult;
  'scan.start': { jobId: string; runId: number; total: number };
  'scan.cancel': { cancelled: boolean };
  /** Running scan jobs, each with every host's latest state (same shape as a progress batch). */
  'scan.trustHostKey': { address: string; port: number; fingerprint: string };
  'machines.scanDetails': MachineScanDetails;
  'hostKeys.list': PinnedHostKeyInfo[];
  'hostKeys.forget': { removed: number };
  'hostKeys.importKnownHosts': KnownHostsImportReport;
  'patches.fleet': FleetPatch[];
  /** Every running job of the core (scans, rollouts), each with every host's latest state. */
  'jobs.active': JobProgress[];
  'decisions.list': PatchDecision[];
  /** `refs`: the patch identities the selection resolved to. */
  'decisions.decide': { decided: number; refs: PatchRef[] };
  'decisions.unapprove': { removed: number; refs: PatchRef[] };
  'audit.list': { items: AuditEntry[]; total: number };
  'audit.exportCsv': { csv: string; count: number };
  'audit.verify': AuditVerifyReport;
  'settings.operator': OperatorInfo;
  'settings.setOperator': OperatorInfo;
  'rollouts.create': RolloutDetail;
  /** Runs every host's dry run (over SSH, pinned keys only) and resolves with the reviewed rollout. */
  'rollouts.review': RolloutDetail;
  /** Starts the rollout; hosts run in the background, progress arrives as `rollout.progress`. */
  'rollouts.start': Rollout;
  'rollouts.cancel': { cancelled: boolean };
  /** No new host starts; hosts already working finish their current host. Stays paused until resumed. */
  'rollouts.pause': Rollout;
  /** Continues a paused rollout with the hosts still waiting. */
  'rollouts.resume': Rollout;
  /** A new rollout of a finished one's failed hosts (linked by `retryOf`), created and waiting for review. */
  'rollouts.retry': RolloutDetail;
  'rollouts.get': RolloutDetail;
  'rollouts.list': Rollout[];
  /** A host's stored output after a chunk id. */
  'rollouts.output': { chunks: RolloutOutputChunk[] };
  /** A rollout's evidence pack (zip, base64: the browser host's wire is JSON); the UI downloads it. */
  'rollouts.evidence': { fileName: string; size: number; sha256: string; base64: string };
  // Issue 9 (HEALTH): notifications.
  'notifications.get': NotificationSettings;
  'notifications.set': NotificationSettings;
  /** Sends a test notification through every enabled channel and says how each went. */
  'notifications.test': NotificationTestResult;
  // Plans and maintenance windows (issue 9).
  'plans.list': PlanRecord[];
  'plans.get': PlanRecord;
  'plans.create': PlanRecord;
  'plans.update': PlanRecord;
  'plans.delete': { deleted: number };
  'plans.enable': PlanRecord;
  /** A draft checked without saving: problems, next runs, each ring's machines and windows, warnings. */
  'plans.preview': PlanPreview;
  'windows.list': WindowRecord[];
  /** Replaces one scope's windows; answers that scope's windows. */
  'windows.set': WindowRecord[];
  /** Removes one window; answers the rest of its scope. */
  'windows.remove': WindowRecord[];
  'windows.calendar': PlanCalendar;
  /** Plan runs, newest first (of one plan with `planId`). */
  'plans.runs': PlanRun[];
  /** One run with its hosts and transitions. */
  'plans.run': PlanRunDetail;
  /** Asks the runner driving the run to start the next ring now (at a gate, or after a gate halted it). */
  'plans.promote': PlanRun;
  /** Asks the runner to halt the run: nothing new starts; running package operations finish. */
  'plans.halt': PlanRun;
  /** Issue 11: missing fixes by risk (fleet, client or machine), overdue judged today. */
  'risk.fixFirst': FixFirstPage;
  'risk.summary': RiskSummary;
  'risk.overdueByMachine': { counts: { machineId: number; overdue: number }[] };
  /** A client's overdue fixes as named rollout content, for "one click to a draft rollout". */
  'risk.overdueContent': OverdueContent;
  'sla.get': SlaPolicies;
  'sla.set': SlaPolicies;
  'vuln.status': VulnStatus;
  /** Downloads the feeds; a bad download keeps the previous copy (see `results`). */
  'vuln.update': VulnUpdateReport;
  /** A client's or the fleet's report for a period, as the Reports page shows it. */
  'reports.get': ReportModel;
  /** The same report as one CSV table. */
  'reports.csv': { fileName: string; csv: string };
  /** The printed report (PDF through Chromium, base64 like the evidence pack). */
  'reports.pdf': { fileName: string; size: number; base64: string };
  /** Issue 11: daily compliance of the fleet, a client or a site over the last `days` days. */
  'compliance.trend': ComplianceTrend;
  /** Mean time to remediate by severity, for fixes verified in the last `days` days. */
  'compliance.mttr': ComplianceMttr;
}

/** One rollout's part of a progress message. */
export interface RolloutProgressBatch {
  rolloutId: number;
  state: RolloutState;
  stopReason: string;
  counts: Rollout['counts'];
  hosts: RolloutHostProgress[];
}

/** Every request channel. */
export type RequestChannel = keyof ResponseMap & keyof typeof requestSchemas;

/** The request payload of a channel, as its schema accepts it. */
export type RequestOf<C extends RequestChannel> = Req<C>;

/** Handlers the core provides, one per request channel. */
export type RequestHandlers = {
  [C in RequestChannel]: (req: RequestOf<C>) => Promise<ResponseMap[C]>;
};

/** Event channels and their payloads (core → UI). */
export interface EventMap {
  /** The inventory changed; windows refresh what they show. */
  'machines.changed': { reason: 'created' | 'updated' | 'deleted' | 'imported' | 'tags'; count: number };
  'groups.changed': { count: number };
  'credentials.changed': { count: number };
  /** A batch of host updates of one scan job (latest state per host since the previous batch). */
  'scan.progress': { jobId: string; runId: number; hosts: ScanHostProgress[]; totals: ScanTotals };
  'scan.finished': { jobId: string; runId: number; state: 'done' | 'cancelled'; totals: ScanTotals };
  /** Approvals or declines changed; pages showing decision badges refetch. */
  'decisions.changed': { count: number };
  /**
   * Rollout progress for every running rollout together, coalesced (≤ 5 messages a second whatever the
   * number of hosts): each host's latest state and the output it printed since the previous message.
   */
  'rollout.progress': { rollouts: RolloutProgressBatch[] };
  /** Desktop notifications to show (merged while waiting, never dropped by coalescing; the newest 10 kept). */
  'notification.show': { items: DesktopNotification[] };
  /** Plans or maintenance windows changed (the Plans page and the calendar refetch). */
  'plans.changed': { what: 'plans' | 'windows' };
  /** A plan run moved (issue 9): one message per transition, so a few per run and ring at most. */
  'plans.run': PlanRunEvent;
  /** A plan run's hosts changed without a transition: a batch started, or its hosts' outcomes were taken. */
  'plans.runHosts': { runId: number; ring: number; batch: number };
  /** Auto-approval rules were added, removed, enabled or disabled (issue 9). */
  'rules.changed': { count: number };
}

export type EventChannel = keyof EventMap;

/** Receives core events; the Electron main process and the browser host each provide one. */
export type EventSink = <E extends EventChannel>(channel: E, payload: EventMap[E]) => void;

/** An error that crossed the boundary: a code a program can branch on, and a message for a person. */
export interface ApiErrorShape {
  code: 'invalid' | 'not-found' | 'conflict' | 'locked' | 'internal';
  message: string;
  /** Per-field problems for `invalid`. */
  fields?: { path: string; message: string }[];
}

/**
 * The API the renderer talks to, whether through the preload or the WebSocket: one named function per
 * request channel (no generic send), plus a subscription per event channel that returns an unsubscribe.
 */
export type PatchbayApi = RequestHandlers & {
  on<E extends EventChannel>(channel: E, listener: (payload: EventMap[E]) => void): () => void;
};

/** All request channels, for registration loops (kept in sync with ResponseMap by the type below). */
export const REQUEST_CHANNELS = [
  'app.info',
  'machines.list',
  'machines.get',
  'machines.create',
  'machines.update',
  'machines.delete',
  'machines.editTags',
  'machines.facets',
  'machines.summary',
  'machines.exportCsv',
  'groups.list',
  'groups.save',
  'groups.delete',
  'credentials.list',
  'credentials.create',
  'credentials.delete',
  'import.preview',
  'import.commit',
  'scan.start',
  'scan.cancel',
  'scan.trustHostKey',
  'machines.scanDetails',
  'hostKeys.list',
  'hostKeys.forget',
  'hostKeys.importKnownHosts',
  'patches.fleet',
  'jobs.active',
  'decisions.list',
  'decisions.decide',
  'decisions.unapprove',
  'audit.list',
  'audit.exportCsv',
  'audit.verify',
  'settings.operator',
  'settings.setOperator',
  'rollouts.create',
  'rollouts.review',
  'rollouts.start',
  'rollouts.cancel',
  'rollouts.pause',
  'rollouts.resume',
  'rollouts.retry',
  'rollouts.get',
  'rollouts.list',
  'rollouts.output',
  'rollouts.evidence',
  'notifications.get',
  'notifications.set',
  'notifications.test',
  'plans.list',
  'plans.get',
  'plans.create',
  'plans.update',
  'plans.delete',
  'plans.enable',
  'plans.preview',
  'windows.list',
  'windows.set',
  'windows.remove',
  'windows.calendar',
  'plans.runs',
  'plans.run',
  'plans.promote',
  'plans.halt',
  'risk.fixFirst',
  'risk.summary',
  'risk.overdueByMachine',
  'risk.overdueContent',
  'sla.get',
  'sla.set',
  'vuln.status',
  'vuln.update',
  'reports.get',
  'reports.csv',
  'reports.pdf',
  // Issue 9: auto-approval rules.
  ...RULE_CHANNELS,
  'compliance.trend',
  'compliance.mttr',
] as const satisfies readonly RequestChannel[];

export const EVENT_CHANNELS = [
  'machines.changed',
  'groups.changed',
  'credentials.changed',
  'scan.progress',
  'scan.finished',
  'decisions.changed',
  'rollout.progress',
  'notification.show',
  'plans.changed',
  'plans.run',
  'plans.runHosts',
  'rules.changed',
] as const satisfies readonly EventChannel[];

// Compile-time check that REQUEST_CHANNELS lists every channel.
type Missing = Exclude<RequestChannel, (typeof REQUEST_CHANNELS)[number]>;
const allListed: Missing extends never ? true : Missing = true;
void allListed;

/** Key under which events are coalesced: one per channel, and per job (or plan run) for their events. */
export function eventKey(channel: EventChannel, payload: EventMap[EventChannel]): string {
  if ('jobId' in payload) return `${channel}\u0000${payload.jobId}`;
  // Two runs moving within one interval each keep their own newest message.
  return 'runId' in payload ? `${channel}\u0000run${payload.runId}` : channel;
}

/**
 * Merges two events of the same key waiting to be sent: scan progress keeps every host's latest state
 * and the newest totals; other events keep the newest payload.
 */
export function mergeEvents<E extends EventChannel>(
  channel: E,
  older: EventMap[E],
  newer: EventMap[E],
): EventMap[E] {
  if (channel === 'rollout.progress') {
    return mergeRolloutProgress(
      older as EventMap['rollout.progress'],
      newer as EventMap['rollout.progress'],
    ) as EventMap[E];
  }
  if (channel === 'notification.show') {
    const items = [
      ...(older as EventMap['notification.show']).items,
      ...(newer as EventMap['notification.show']).items,
    ];
    return { items: items.slice(-10) } as EventMap[E];
  }
  if (channel !== 'scan.progress') return newer;
  const a = older as EventMap['scan.progress'];
  const b = newer as EventMap['scan.progress'];
  const hosts = new Map(a.hosts.map((h) => [h.machineId, h]));
  for (const h of b.hosts) hosts.set(h.machineId, { ...hosts.get(h.machineId), ...h });
  return { ...b, hosts: [...hosts.values()] } as EventMap[E];
}

/** Prefix of Electron IPC channel names, so they can't collide with Electron's own. */
export const IPC_PREFIX = 'patchbay:';

const ROLLOUT_OUTPUT_TAIL = 8 * 1024;

/** Merges two waiting rollout progress messages: latest state per host, output joined (its tail kept). */
function mergeRolloutProgress(
  older: EventMap['rollout.progress'],
  newer: EventMap['rollout.progress'],
): EventMap['rollout.progress'] {
  const byId = new Map(older.rollouts.map((r) => [r.rolloutId, r]));
  for (const r of newer.rollouts) {
    const a = byId.get(r.rolloutId);
    if (!a) {
      byId.set(r.rolloutId, r);
      continue;
    }
    const hosts = new Map(a.hosts.map((h) => [h.machineId, h]));
    for (const h of r.hosts) {
      const prev = hosts.get(h.machineId);
      const joined = (prev?.output ?? '') + (h.output ?? '');
      const output = joined.length > ROLLOUT_OUTPUT_TAIL ? joined.slice(-ROLLOUT_OUTPUT_TAIL) : joined;
      hosts.set(h.machineId, { ...prev, ...h, ...(output ? { output } : {}) });
    }
    byId.set(r.rolloutId, { ...r, hosts: [...hosts.values()] });
  }
  return { rollouts: [...byId.values()] };
}
