import type { FleetPatch, MachinePatch } from '../../shared/domain';
import type { RequestHandlers } from '../../shared/ipc';
import { ApiError } from '../../shared/wire';
import type { AuditLog } from '../audit/audit-log';
import type { Clock } from '../core/clock';
import type { HostKeysRepo } from '../db/repos/host-keys';
import { filterSql, type MachinesRepo } from '../db/repos/machines';
import type { ScansRepo } from '../db/repos/scans';
import type { MachineService } from '../inventory/machine-service';
import { normalizeHostAddress } from '../ssh/host-keys';
import { importKnownHosts } from '../ssh/known-hosts';
import type { ScanService } from './scan-service';

type ScanChannels =
  | 'scan.start'
  | 'scan.cancel'
  | 'scan.trustHostKey'
  | 'machines.scanDetails'
  | 'hostKeys.list'
  | 'hostKeys.forget'
  | 'hostKeys.importKnownHosts'
  | 'patches.fleet';

/** Scanning's requests: jobs, results per machine and across the fleet, and the pinned host keys. */
export function scanHandlers(deps: {
  machines: MachineService;
  machinesRepo: MachinesRepo;
  scans: ScansRepo;
  hostKeys: HostKeysRepo;
  scanner: ScanService;
  /** Host-key trust changes are security decisions: each is recorded with the change, in its transaction. */
  audit: Pick<AuditLog, 'append'>;
  clock: Clock;
  /** Adds approval state to patches (the approvals feature provides it). */
  decisions?: {
    resolveDecisions(machineId: number, patches: MachinePatch[]): MachinePatch[];
    withFleetDecisions(rows: FleetPatch[]): FleetPatch[];
  };
}): Pick<RequestHandlers, ScanChannels> {
  const { machines, machinesRepo, scans, hostKeys, scanner, audit, clock, decisions } = deps;
  const keysOf = (address: string, port: number) =>
    hostKeys.list(address, port).map((k) => ({ keyType: k.keyType, fingerprint: k.fingerprint }));
  return {
    'scan.start': async ({ machineIds, filter, trustNewHostKeys, refreshLists }) => {
      const chosen = machineIds
        ? machineIds.map((id) => machinesRepo.get(id)).filter((m) => m !== null)
        : machines.list(filter ?? {}).items;
      return scanner.start({
        machines: chosen,
        trustNewHostKeys: trustNewHostKeys ?? false,
        refreshLists: refreshLists ?? false,
      });
    },
    'scan.cancel': async ({ jobId }) => scanner.cancel(jobId),
    'scan.trustHostKey': async ({ resultId }) => {
      const seen = scans.hostKeyOfResult(resultId);
      if (!seen)
        throw new ApiError({ code: 'not-found', message: 'That scan result has no host key to trust.' });
      return hostKeys.transaction(() => {
        const before = keysOf(seen.address, seen.port);
        const pinned = scanner.trustHostKey(seen);
        // Replacing a pinned key (the host was reinstalled, or someone is in the middle) is the decision
        // an auditor asks about first: it names the fingerprints it replaced.
        const replaced = seen.changed || before.some((k) => k.keyType === pinned.keyType);
        audit.append({
          action: replaced ? 'hostkey.replaced' : 'hostkey.trusted',
          subject: `host key of ${pinned.address}:${pinned.port}`,
          detail: {
            address: pinned.address,
            port: pinned.port,
            keyType: pinned.keyType,
            fingerprint: pinned.fingerprint,
            ...(replaced ? { replaced: before } : {}),
          },
        });
        return { address: pinned.address, port: pinned.port, fingerprint: pinned.fingerprint };
      });
    },
    'machines.scanDetails': async ({ id }) => {
      machines.get(id);
      const details = scans.details(id);
      return decisions ? { ...details, patches: decisions.resolveDecisions(id, details.patches) } : details;
    },
    'hostKeys.list': async () => hostKeys.all().map(({ key: _key, ...info }) => info),
    'hostKeys.forget': async ({ address, port }) =>
      hostKeys.transaction(() => {
        const keys = keysOf(address, port);
        const removed = hostKeys.remove(address, port);
        if (removed > 0) {
          audit.append({
            action: 'hostkey.forgotten',
            subject: `host key of ${normalizeHostAddress(address)}:${port}`,
            detail: { address: normalizeHostAddress(address), port, keys },
          });
        }
        return { removed };
      }),
    'hostKeys.importKnownHosts': async ({ text }) => {
      const endpoints = machines.list({}).items.filter((m) => m.transport === 'ssh');
      const r = hostKeys.transaction(() => {
        const report = importKnownHosts(hostKeys, text, endpoints, clock.now());
        // One entry per import that pinned keys, naming them (bounded: a known_hosts file can be long).
        if (report.imported.length > 0) {
          audit.append({
            action: 'hostkey.imported',
            subject: `${report.imported.length} host keys from known_hosts`,
            detail: {
              imported: report.imported.length,
              keys: report.imported.slice(0, 200),
              conflicts: report.conflicts.length,
            },
          });
        }
        return report;
      });
      return {
        imported: r.imported.length,
        unchanged: r.unchanged.length,
        conflicts: r.conflicts,
        notFound: r.notFound.length,
        revoked: r.revoked,
        skipped: r.skipped.slice(0, 200),
      };
    },
    'patches.fleet': async ({ filter }) => {
      const resolved = machines.resolveFilter(filter);
      if (!resolved) return [];
      const { where, params } = filterSql(resolved);
      const rows = scans.fleet(where, params);
      return decisions ? decisions.withFleetDecisions(rows) : rows;
    },
  };
}
