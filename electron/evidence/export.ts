/**
 * Builds a rollout's evidence pack from the database: the approvals that applied, each host's scan before
 * the review, the reviewed plan, pre-flight, log, outcome and verification scan, and the audit span that
 * covers the rollout's and its approvals' entries with the hash before it, so the chain can be recomputed.
 */
import type { Rollout } from '../../shared/domain';
import { FINAL_HOST_STATES } from '../../shared/rollout';
import { ApiError } from '../../shared/wire';
import type { Clock } from '../core/clock';
import type { DecisionsRepo } from '../db/repos/decisions';
import type { EvidenceRepo, ScanResultRow } from '../db/repos/evidence';
import type { GroupsRepo } from '../db/repos/groups';
import type { MachinesRepo } from '../db/repos/machines';
import type { MetaRepo } from '../db/repos/meta';
import type { RolloutEvent, RolloutsRepo, StoredHost } from '../db/repos/rollouts';
import { appliedApprovals, identitiesOf, type MachineNow } from './approvals';
import { assemblePack, AUDIT_FILE, auditLines, type Manifest, sha256 } from './pack-format';
import { README } from './readme';
import type { ZipEntry } from './zip';

/** What the exporter reads. */
export interface EvidenceDeps {
  rollouts: RolloutsRepo;
  evidence: EvidenceRepo;
  decisions: DecisionsRepo;
  groups: GroupsRepo;
  machines: MachinesRepo;
  meta: MetaRepo;
  clock: Clock;
  version: string;
}

/** A built pack and what the caller shows about it. */
export interface EvidencePack {
  fileName: string;
  bytes: Buffer;
  sha256: string;
}

const iso = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString();
const json = (v: unknown) => Buffer.from(JSON.stringify(v, null, 2) + '\n');
// Host folder names: the id keeps them unique, the name (reduced to safe characters) keeps them readable.
const folderOf = (machineId: number, name: string) =>
  `hosts/${machineId}-${
    name
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^[._]+/, '')
      .slice(0, 60) || 'host'
  }`;

function scanRecord(row: ScanResultRow | null, deps: EvidenceDeps) {
  if (!row) return null;
  const { details_json, host_key_json, ...rest } = row;
  return {
    ...rest,
    scannedAt: iso(row.scanned_at),
    details: typeof details_json === 'string' ? (JSON.parse(details_json) as unknown) : null,
    patchEvents: deps.evidence.patchEventsOf(row.id).map((e) => ({ ...e, at: iso(e.at) })),
    ...(host_key_json ? { hostKey: host_key_json } : {}),
  };
}

/** One host's files: its record and transitions, plan, pre-flight, scans before and after, and log. */
function hostFiles(
  deps: EvidenceDeps,
  r: Rollout,
  h: StoredHost,
  events: RolloutEvent[],
  reviewedAt: string | null,
  now: number,
): ZipEntry[] {
  const dir = folderOf(h.machineId, h.machineName);
  const cutoff = reviewedAt ? Date.parse(reviewedAt) : r.createdAt;
  const verifyScans =
    h.startedAt === null ? [] : deps.evidence.scansBetween(h.machineId, h.startedAt, h.finishedAt ?? now);
  // Plan and pre-flight get files of their own.
  const { logOffset, plan, preflight, ...host } = h;
  return [
    {
      path: `${dir}/host.json`,
      data: json({
        ...host,
        final: FINAL_HOST_STATES.has(h.state),
        // How much of the remote operation's log Patchbay read (output.log keeps the newest 256 KiB of it).
        logBytesRead: logOffset,
        updatedAt: iso(h.updatedAt),
        startedAt: iso(h.startedAt),
        finishedAt: iso(h.finishedAt),
        events: events.filter((e) => e.machineId === h.machineId).map((e) => ({ ...e, at: iso(e.at) })),
      }),
    },
    { path: `${dir}/reviewed-plan.json`, data: json({ reviewedAt, plan }) },
    {
      path: `${dir}/preflight.json`,
      data: json(preflight),
    },
    {
      path: `${dir}/pre-rollout-scan.json`,
      data: json({
        before: reviewedAt,
        scan: scanRecord(deps.evidence.scanAtOrBefore(h.machineId, cutoff), deps),
      }),
    },
    {
      path: `${dir}/verification-scan.json`,
      data: json({ result: h.result, scans: verifyScans.map((s) => scanRecord(s, deps)) }),
    },
    { path: `${dir}/output.log`, data: Buffer.from(deps.rollouts.outputText(r.id, h.machineId)) },
  ];
}

/** The exporter of one core. */
export function evidenceService(deps: EvidenceDeps) {
  function machineNow(machineId: number): MachineNow | null {
    const m = deps.machines.get(machineId);
    if (!m) return null;
    return {
      client: m.client,
      inGroup: (gid) => {
        const g = deps.groups.get(gid);
        return g !== null && deps.decisions.inGroup(machineId, g.filter);
      },
    };
  }

  async function build(id: number): Promise<EvidencePack> {
    const r: Rollout | null = deps.rollouts.get(id);
    if (!r) throw new ApiError({ code: 'not-found', message: `No rollout ${id}.` });
    const now = deps.clock.now();
    const hosts = deps.rollouts.hosts(id);
    const events = deps.rollouts.events(id);
    const decisionEntries = deps.evidence.decisionEntriesUntil(r.finishedAt ?? now);
    const files: ZipEntry[] = [];
    const approvalSeqs = new Set<number>();
    const approvals = hosts.map((h) => {
      // Items were fixed when the host was reviewed: the decisions in force then are the ones that applied.
      const reviewed = events.filter((e) => e.machineId === h.machineId && e.to === 'reviewed').at(-1);
      const reviewedAt = reviewed?.at ?? r.startedAt ?? r.createdAt;
      const applied = appliedApprovals(h, machineNow(h.machineId), decisionEntries, reviewedAt);
      for (const a of applied) if (a.auditSeq !== null) approvalSeqs.add(a.auditSeq);
      return { machineId: h.machineId, machineName: h.machineName, reviewedAt: iso(reviewedAt), applied };
    });
    const identities = new Set(hosts.flatMap((h) => identitiesOf(h).map((i) => JSON.stringify(i))));
    const current = [...new Set(hosts.map((h) => h.packageManager))]
      .flatMap((pm) => deps.decisions.list({ packageManager: pm }))
      .filter((d) =>
        identities.has(
          JSON.stringify({
            packageManager: d.packageManager,
            kind: d.kind,
            name: d.name,
            version: d.version,
          }),
        ),
      );
    files.push({
      path: 'rollout.json',
      data: json({
        ...r,
        createdAt: iso(r.createdAt),
        startedAt: iso(r.startedAt),
        finishedAt: iso(r.finishedAt),
        events: events.filter((e) => e.machineId === null).map((e) => ({ ...e, at: iso(e.at) })),
      }),
    });
    files.push({
      path: 'approvals.json',
      data: json({
        rule: 'narrowest scope wins (machine > group > client > everywhere); at the same scope, declined wins',
        autoApprovalRules: null,
        hosts: approvals,
        decisionsAtExport: current.map((d) => ({ ...d, at: iso(d.at) })),
      }),
    });
    for (const h of hosts) {
      const reviewedAt = approvals.find((a) => a.machineId === h.machineId)?.reviewedAt ?? null;
      files.push(...hostFiles(deps, r, h, events, reviewedAt, now));
    }
    const rolloutSeqs = deps.evidence.rolloutAuditSeqs(id);
    const named = [...rolloutSeqs, ...approvalSeqs];
    let audit: Manifest['audit'] = null;
    if (named.length > 0) {
      // A contiguous span, so every hash in it can be recomputed from the one before the first.
      const lo = named.reduce((a, b) => Math.min(a, b));
      const hi = named.reduce((a, b) => Math.max(a, b));
      const span = deps.evidence.auditSpan(lo, hi);
      const first = span[0];
      const last = span.at(-1);
      if (first && last) {
        files.push({ path: AUDIT_FILE, data: Buffer.from(auditLines(span)) });
        audit = {
          path: AUDIT_FILE,
          firstSeq: first.seq,
          lastSeq: last.seq,
          prevHash: first.prevHash,
          lastHash: last.hash,
          rolloutSeqs,
          approvalSeqs: [...approvalSeqs].sort((a, b) => a - b),
        };
      }
    }
    files.push({ path: 'README.txt', data: Buffer.from(README) });
    const notes = [
      'Patchbay keeps every scan result (facts, counts, what appeared and was fixed) but only the newest list of ' +
        'pending patches: pre-rollout-scan.json is the newest scan result at or before the review, and ' +
        'reviewed-plan.json is the dry run the review recorded.',
      'output.log holds the newest 256 KiB of each host’s output, as Patchbay keeps it.',
      'Group membership for group-scoped approvals is evaluated as it is at export time.',
      'Approvals are only made by people: Patchbay has no automatic approval rules yet.',
      ...(FINAL_STATES.has(r.state)
        ? []
        : [`The rollout was ${r.state} when this pack was made: it is partial.`]),
    ];
    const bytes = await assemblePack(
      files,
      {
        patchbayVersion: deps.version,
        createdAt: new Date(now).toISOString(),
        rollout: { id: r.id, name: r.name, state: r.state },
        dataFolder: {
          auditGenesisHash: deps.evidence.auditGenesisHash(),
          // The key electron/audit/audit-log.ts keeps the newest `seq:hash` under.
          auditHeadAtExport: deps.meta.get('audit.head'),
        },
        audit,
        notes,
      },
      now,
    );
    const stamp = new Date(now).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
    return { fileName: `patchbay-evidence-rollout-${r.id}-${stamp}.zip`, bytes, sha256: sha256(bytes) };
  }

  return { build };
}

const FINAL_STATES = new Set(['finished', 'cancelled']);

/** The exporter's type. */
export type EvidenceService = ReturnType<typeof evidenceService>;
