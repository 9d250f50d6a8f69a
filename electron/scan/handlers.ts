import type { FleetPatch, MachinePatch } from '../../shared/domain';
import type { RequestHandlers } from '../../shared/ipc';
import { ApiError } from '../../shared/wire';
import type { Clock } from '../core/clock';
import type { HostKeysRepo } from '../db/repos/host-keys';
import { filterSql, type MachinesRepo } from '../db/repos/machines';
import type { ScansRepo } from '../db/repos/scans';
import type { MachineService } from '../inventory/machine-service';
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
  clock: Clock;
  /** Adds approval state to patches (the approvals feature provides it). */
  decisions?: {
    resolveDecisions(machineId: number, patches: MachinePatch[]): MachinePatch[];
    withFleetDecisions(rows: FleetPatch[]): FleetPatch[];
  };
}): Pick<RequestHandlers, ScanChannels> {
  const { machines, machinesRepo, scans, hostKeys, scanner, clock, decisions } = deps;
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
      const pinned = scanner.trustHostKey(seen);
      return { address: pinned.address, port: pinned.port, fingerprint: pinned.fingerprint };
    },
    'machines.scanDetails': async ({ id }) => {
      machines.get(id);
      const details = scans.details(id);
      return decisions ? { ...details, patches: decisions.resolveDecisions(id, details.patches) } : details;
    },
    'hostKeys.list': async () => hostKeys.all().map(({ key: _key, ...info }) => info),
    'hostKeys.forget': async ({ address, port }) => ({ removed: hostKeys.remove(address, port) }),
    'hostKeys.importKnownHosts': async ({ text }) => {
      const endpoints = machines.list({}).items.filter((m) => m.transport === 'ssh');
      const r = importKnownHosts(hostKeys, text, endpoints, clock.now());
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
