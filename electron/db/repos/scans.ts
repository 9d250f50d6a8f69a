import type {
  FleetPatch,
  MachinePatch,
  MachineScanDetails,
  MachineScanStatus,
  ScanErrorKind,
} from '../../../shared/domain';
import type { EolStatus } from '../../platforms/eol';
import type { ScanFindings } from '../../platforms/types';
import type { Db } from '../open';
import { fleetPatchesRepo } from './fleet-patches';
import { bool, machinePatchesRepo, type PatchRow, patchRow, type PatchWrite } from './machine-patches';
import { toStatus } from './machine-status';
import { remediationsRepo } from './remediations';

/** A host key seen by a failed scan, kept so the user can trust exactly that key afterwards. */
export interface SeenHostKeyRecord {
  address: string;
  port: number;
  keyType: string;
  fingerprint: string;
  key: string;
  changed: boolean;
  /** For a changed key: the fingerprint that was pinned before. */
  previousFingerprint?: string;
}

/** How a failed host is recorded. */
export interface ScanFailure {
  kind: ScanErrorKind;
  message: string;
  /** The key seen when the failure is about host keys (public data: it is what the server shows anyone). */
  hostKey?: SeenHostKeyRecord | undefined;
}

const toPatch = (r: PatchRow): MachinePatch => ({
  packageManager: r.package_manager,
  name: r.name,
  arch: r.arch,
  installedVersion: r.installed_version,
  candidateVersion: r.candidate_version,
  securityVersion: r.security_version,
  held: r.held === 1,
  origin: r.origin,
  security: r.security === null ? null : r.security === 1,
  severity: r.severity,
  advisories: JSON.parse(r.advisories_json) as string[],
  cves: JSON.parse(r.cves_json) as string[],
  isNew: r.is_new === 1,
  keptBack: r.kept_back === 1,
  firstSeenAt: r.first_seen_at,
});

/**
 * Named queries for scan runs, results, pending patches, their history and per-machine status.
 * `patchWrite`: how a scan writes the machine's patch rows ('replace' only as the tests' reference).
 */
export function scansRepo(db: Db, patchWrite: PatchWrite = 'diff') {
  const q = {
    startRun: db.prepare('INSERT INTO scan_runs (started_at, state, machine_count) VALUES (?, ?, ?)'),
    finishRun: db.prepare(`UPDATE scan_runs SET state = @state, finished_at = @now,
      ok_count = (SELECT count(*) FROM scan_results WHERE run_id = @id AND status = 'ok'),
      failed_count = (SELECT count(*) FROM scan_results WHERE run_id = @id AND status = 'failed') WHERE id = @id`),
    interrupt: db.prepare(
      "UPDATE scan_runs SET state = 'interrupted', finished_at = ? WHERE state = 'running'",
    ),
    insertResult: db.prepare(`INSERT INTO scan_results (run_id, machine_id, status, error_kind, error_message,
      host_key_json, os_name, os_id, os_version, kernel, boot_id, package_manager, lists_age_s, reboot_required,
      details_json, missing_count, security_count, new_count, fixed_count, duration_ms, scanned_at)
      VALUES (@runId, @machineId, @status, @errorKind, @errorMessage, @hostKey, @osName, @osId, @osVersion, @kernel,
      @bootId, @pm, @listsAge, @reboot, @details, @missing, @security, @newCount, @fixedCount, @duration, @now)`),
    patchesOf: db.prepare<[number], PatchRow>(
      'SELECT * FROM machine_patches WHERE machine_id = ? ORDER BY held DESC, security DESC, name, arch',
    ),
    insertEvent:
      db.prepare(`INSERT INTO patch_events (result_id, machine_id, kind, name, arch, version, security, at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
    upsertStatusOk:
      db.prepare(`INSERT INTO machine_status (machine_id, last_result_id, last_status, last_error_kind,
      last_scan_at, last_ok_at, missing_count, security_count, held_count, held_security_count, reboot_required,
      eol_state, eol_name, eol_ends) VALUES (@machineId, @resultId, 'ok', '', @now, @now, @missing, @security,
      @held, @heldSecurity, @reboot, @eolState, @eolName, @eolEnds)
      ON CONFLICT (machine_id) DO UPDATE SET last_result_id = excluded.last_result_id, last_status = 'ok',
      last_error_kind = '', last_scan_at = excluded.last_scan_at, last_ok_at = excluded.last_ok_at,
      missing_count = excluded.missing_count, security_count = excluded.security_count,
      held_count = excluded.held_count, held_security_count = excluded.held_security_count,
      reboot_required = excluded.reboot_required, eol_state = excluded.eol_state, eol_name = excluded.eol_name,
      eol_ends = excluded.eol_ends`),
    // A failure keeps the counts of the last good scan: the patches are still missing, as far as we know.
    upsertStatusFailed: db.prepare(`INSERT INTO machine_status (machine_id, last_result_id, last_status,
      last_error_kind, last_scan_at) VALUES (@machineId, @resultId, @status, @kind, @now)
      ON CONFLICT (machine_id) DO UPDATE SET last_result_id = excluded.last_result_id,
      last_status = excluded.last_status, last_error_kind = excluded.last_error_kind,
      last_scan_at = excluded.last_scan_at`),
    // Unchanged (the usual case) writes nothing: the machine's row stays clean.
    setOs: db.prepare('UPDATE machines SET os = @os WHERE id = @id AND os != @os'),
    lastOk: db.prepare<[number], Record<string, unknown>>(
      "SELECT * FROM scan_results WHERE machine_id = ? AND status = 'ok' ORDER BY id DESC LIMIT 1",
    ),
    last: db.prepare<[number], Record<string, unknown>>(
      'SELECT * FROM scan_results WHERE machine_id = ? ORDER BY id DESC LIMIT 1',
    ),
    history: db.prepare<[number, number], Record<string, unknown>>(
      'SELECT at, kind, name, version, security FROM patch_events WHERE machine_id = ? ORDER BY id DESC LIMIT ?',
    ),
    hostKeyOf: db.prepare<[number], { host_key_json: string }>(
      'SELECT host_key_json FROM scan_results WHERE id = ?',
    ),
    status: db.prepare<[number], Record<string, unknown>>(
      'SELECT * FROM machine_status WHERE machine_id = ?',
    ),
  };

  const fleetPatches = fleetPatchesRepo(db);
  const remediations = remediationsRepo(db);
  const machinePatches = machinePatchesRepo(db);

  return {
    startRun: (machineCount: number, now: number): number =>
      Number(q.startRun.run(now, 'running', machineCount).lastInsertRowid),
    finishRun: (id: number, state: 'done' | 'cancelled', now: number): void =>
      void q.finishRun.run({ id, state, now }),
    /** Marks runs left "running" by a previous process (it crashed or was killed) as interrupted. */
    markInterrupted: (now: number): number => q.interrupt.run(now).changes,
    patchesOf: (machineId: number): MachinePatch[] => q.patchesOf.all(machineId).map(toPatch),

    /** Stores a successful scan: result, current patches, what appeared and what got fixed, status. */
    recordSuccess(
      runId: number,
      machineId: number,
      f: ScanFindings,
      eol: EolStatus,
      durationMs: number,
      now: number,
    ) {
      return db.transaction(() => {
        const rows = q.patchesOf.all(machineId);
        const before = new Map(rows.map((p) => [`${p.name}\u0000${p.arch}`, p]));
        const after = new Map(f.patches.map((p) => [`${p.name}\u0000${p.arch}`, p]));
        const appeared = f.patches.filter((p) => !before.has(`${p.name}\u0000${p.arch}`));
        const fixed = [...before].filter(([k]) => !after.has(k)).map(([, p]) => p);
        // Held updates are counted apart: they are pending but cannot be installed until the hold is lifted.
        const installable = f.patches.filter((p) => p.held !== true);
        const heldPatches = f.patches.filter((p) => p.held === true);
        const security = installable.filter((p) => p.security === true).length;
        const heldSecurity = heldPatches.filter((p) => p.security === true).length;
        const resultId = Number(
          q.insertResult.run({
            runId,
            machineId,
            status: 'ok',
            errorKind: '',
            errorMessage: '',
            hostKey: '',
            osName: f.facts.prettyName,
            osId: f.facts.osId,
            osVersion: f.facts.versionId,
            kernel: f.facts.kernel,
            bootId: f.facts.bootId,
            pm: f.packageManager,
            listsAge: f.listsAgeSeconds,
            reboot: f.reboot.required ? 1 : 0,
            details: JSON.stringify({
              reboot: f.reboot,
              held: f.held,
              removals: f.removals,
              warnings: f.warnings,
              notes: f.notes ?? [],
              eol,
              codename: f.facts.codename,
              arch: f.facts.arch,
              uptimeSeconds: f.facts.uptimeSeconds,
            }),
            missing: installable.length,
            security,
            newCount: appeared.length,
            fixedCount: fixed.length,
            duration: durationMs,
            now,
          }).lastInsertRowid,
        );
        remediations.record(machineId, fixed, now); // before the risk rows go with the patches
        machinePatches.write(
          patchWrite,
          machineId,
          rows,
          f.patches.map((p) =>
            patchRow(
              machineId,
              f.packageManager,
              p,
              before.get(`${p.name}\u0000${p.arch}`)?.first_seen_at ?? now,
            ),
          ),
        );
        for (const p of appeared) {
          q.insertEvent.run(
            resultId,
            machineId,
            'appeared',
            p.name,
            p.arch,
            p.candidateVersion,
            bool(p.security),
            now,
          );
        }
        for (const p of fixed) {
          q.insertEvent.run(
            resultId,
            machineId,
            'fixed',
            p.name,
            p.arch,
            p.candidate_version,
            p.security,
            now,
          );
        }
        q.upsertStatusOk.run({
          machineId,
          resultId,
          now,
          missing: installable.length,
          security,
          held: heldPatches.length,
          heldSecurity,
          reboot: f.reboot.required ? 1 : 0,
          eolState: eol.state,
          eolName: eol.name,
          eolEnds: eol.ends ?? '',
        });
        q.setOs.run({ os: f.facts.prettyName.slice(0, 100), id: machineId });
        return { resultId, appeared: appeared.length, fixed: fixed.length };
      })();
    },

    recordFailure(
      runId: number,
      machineId: number,
      failure: ScanFailure,
      durationMs: number,
      now: number,
    ): number {
      const status = failure.kind === 'cancelled' ? 'cancelled' : 'failed';
      return db.transaction(() => {
        const resultId = Number(
          q.insertResult.run({
            runId,
            machineId,
            status,
            errorKind: failure.kind,
            errorMessage: failure.message.slice(0, 1000),
            hostKey: failure.hostKey ? JSON.stringify(failure.hostKey) : '',
            osName: '',
            osId: '',
            osVersion: '',
            kernel: '',
            bootId: '',
            pm: '',
            listsAge: null,
            reboot: 0,
            details: '{}',
            missing: 0,
            security: 0,
            newCount: 0,
            fixedCount: 0,
            duration: durationMs,
            now,
          }).lastInsertRowid,
        );
        q.upsertStatusFailed.run({ machineId, resultId, status, kind: failure.kind, now });
        return resultId;
      })();
    },

    /**
     * The package manager the machine's last successful scan found ('' when none): what a rollout asks of
     * every host, without the patches and history `details` reads.
     */
    packageManager(machineId: number): string {
      const ok = q.lastOk.get(machineId);
      return ok ? String(ok.package_manager) : '';
    },

    /** What a machine's page shows: current patches, the last good scan, the last failure, history. */
    details(machineId: number): MachineScanDetails {
      const ok = q.lastOk.get(machineId);
      const last = q.last.get(machineId);
      const d = ok ? (JSON.parse(String(ok.details_json)) as Record<string, unknown>) : {};
      const reboot = (d.reboot as { reasons?: string[] } | undefined)?.reasons ?? [];
      const failed = last && last.status !== 'ok' ? last : null;
      const hk = failed?.host_key_json
        ? (JSON.parse(String(failed.host_key_json)) as SeenHostKeyRecord)
        : null;
      return {
        machineId,
        status: this.status(machineId),
        patches: this.patchesOf(machineId),
        lastOk: ok
          ? {
              at: Number(ok.scanned_at),
              osName: String(ok.os_name),
              kernel: String(ok.kernel),
              packageManager: String(ok.package_manager),
              listsAgeSeconds: ok.lists_age_s === null ? null : Number(ok.lists_age_s),
              rebootReasons: ok.reboot_required === 1 ? reboot : [],
              held: (d.held as string[] | undefined) ?? [],
              removals: (d.removals as string[] | undefined) ?? [],
              warnings: (d.warnings as string[] | undefined) ?? [],
              notes: (d.notes as string[] | undefined) ?? [],
              eol: d.eol as NonNullable<MachineScanDetails['lastOk']>['eol'],
            }
          : null,
        lastError: failed
          ? {
              at: Number(failed.scanned_at),
              kind: failed.error_kind as ScanErrorKind,
              message: String(failed.error_message),
              resultId: Number(failed.id),
              hostKey: hk
                ? {
                    address: hk.address,
                    port: hk.port,
                    keyType: hk.keyType,
                    fingerprint: hk.fingerprint,
                    changed: hk.changed,
                    ...(hk.previousFingerprint ? { previousFingerprint: hk.previousFingerprint } : {}),
                  }
                : null,
            }
          : null,
        history: q.history.all(machineId, 200).map((h) => ({
          at: Number(h.at),
          kind: h.kind as 'appeared' | 'fixed',
          name: String(h.name),
          version: String(h.version),
          security: h.security === null ? null : h.security === 1,
        })),
      };
    },

    /**
     * Missing patches across the machines a filter selects, by (package manager, name). The whole fleet
     * reads the trigger-kept summary (rows per package, not per machine); a filter still groups.
     */
    fleet(where: string, params: Record<string, unknown>): FleetPatch[] {
      return fleetPatches.fleet(where, params);
    },

    /** The host key a failed result saw, or null. */
    hostKeyOfResult(resultId: number): SeenHostKeyRecord | null {
      const json = q.hostKeyOf.get(resultId)?.host_key_json;
      return json ? (JSON.parse(json) as SeenHostKeyRecord) : null;
    },

    status(machineId: number): MachineScanStatus | null {
      const r = q.status.get(machineId);
      return r ? toStatus(r) : null;
    },
  };
}

export type ScansRepo = ReturnType<typeof scansRepo>;
