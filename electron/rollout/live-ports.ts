import type { ApprovalsService } from '../approvals/approvals-service';
import type { AuditLog } from '../audit/audit-log';
import type { Clock } from '../core/clock';
import type { HostLocks } from '../core/host-locks';
import type { Logger } from '../core/logger';
import type { HostKeysRepo } from '../db/repos/host-keys';
import type { MachinesRepo } from '../db/repos/machines';
import type { ScansRepo } from '../db/repos/scans';
import type { CredentialService } from '../inventory/credential-service';
import type { MachineService } from '../inventory/machine-service';
import { INSTALLERS } from '../platforms/installers';
import type { PackageManagerId } from '../platforms/types';
import type { ScanService } from '../scan/scan-service';
import { machineTarget } from '../ssh/machine-target';
import type { SshPool } from '../ssh/pool';
import type { SshAuth } from '../ssh/types';
import { windowsSshSession } from '../transport/windows-ssh';
import { winrmTargetOf } from '../winrm/winrm-session';
import type { OpStatus, RolloutPorts } from './ports';
import { readBootId, rebootHost, waitForReturn } from './reboot';
import { type OpStatus as RemoteStatus, opStatus, readLogText } from './remote-op';
import { parseRemoveOps, pruneThenStartOp, removeOps, removeOpsCommand } from './remote-op-cleanup';
import { followLogText, startFollowLogText } from './remote-op-follow';

/** remote-op's status as the engine's port reports it. */
const portStatus = (st: RemoteStatus): OpStatus =>
  st.state === 'finished' ? { state: 'finished', code: st.exitCode } : { state: st.state };

/** What the live ports are built from: the core's shared pieces. */
export interface LivePortsDeps {
  pool: SshPool;
  hostLocks: HostLocks;
  hostKeys: HostKeysRepo;
  credentials: CredentialService;
  machines: MachineService;
  machinesRepo: MachinesRepo;
  scans: ScansRepo;
  approvals: ApprovalsService;
  audit: AuditLog;
  actor: () => string;
  scanner: ScanService;
  clock: Clock;
  logger: Logger;
  connectTimeoutMs?: number;
}

/**
 * The rollout engine's ports wired to the real core: the shared SSH pool and host locks, pinned host keys
 * only, remote-op for detached installs, the installer registry, approvals, the audit log, scan-host for
 * the verify rescan and the reboot module. The one file to adapt when those pieces change.
 */
export function livePorts(deps: LivePortsDeps): RolloutPorts {
  // One auth object per credential: the transport prepares each key once per object.
  const auths = new Map<number, SshAuth>();
  const sessionOptions = () => ({
    hostKeys: deps.hostKeys,
    logger: deps.logger,
    now: deps.clock.now,
    ...(deps.connectTimeoutMs ? { connectTimeoutMs: deps.connectTimeoutMs } : {}),
  });
  const pruned = (opId: string, ids: string[]) => {
    if (ids.length > 0) deps.logger.info('rollout.ops-pruned', { opId, pruned: ids.slice(0, 50).join(' ') });
  };
  return {
    lockHost: (machineId, owner, signal) =>
      deps.hostLocks.acquire(machineId, { kind: 'rollout', id: owner }, signal),
    withSession: (machine, signal, work) =>
      deps.pool.withSession(
        machineTarget(machine, deps.credentials, auths),
        { ...sessionOptions(), hostKeyPolicy: 'pinned-only', signal },
        work,
      ),
    machine: (id) => deps.machinesRepo.get(id),
    machineExists: (id) => deps.machinesRepo.exists(id),
    packageManagerOf: (id) => deps.scans.packageManager(id),
    installer: (pm) => INSTALLERS[pm as PackageManagerId] ?? null,
    ops: {
      start: async (s, opId, command, timeoutMs) => {
        // The prune goes with the start (one round trip); a prune that fails never stops the install.
        pruned(opId, (await pruneThenStartOp(s, opId, command, timeoutMs)).pruned);
      },
      startFollow: async (s, op, offset, maxBytes, waitMs, onStarted, onText) => {
        const { id, command: script, timeoutMs } = op;
        const r = await startFollowLogText(
          s,
          { id, script, timeoutMs },
          offset,
          maxBytes,
          waitMs,
          onStarted,
          onText,
        );
        pruned(id, r.pruned);
        return { text: r.text, nextOffset: r.nextOffset, status: portStatus(r.status) };
      },
      status: async (s, opId) => portStatus(await opStatus(s, opId)),
      readLog: async (s, opId, offset, maxBytes) => {
        const { text, nextOffset, status } = await readLogText(s, opId, offset, maxBytes);
        return { text, nextOffset, status: portStatus(status) };
      },
      follow: async (s, opId, offset, maxBytes, waitMs, onText) => {
        const r = await followLogText(s, opId, offset, maxBytes, waitMs, onText);
        return { text: r.text, nextOffset: r.nextOffset, status: portStatus(r.status) };
      },
      remove: async (s, ops) => (await removeOps(s, ops)).removed,
      removal: (ops) => ({
        command: removeOpsCommand(ops),
        removed: (stdout) => parseRemoveOps(stdout).removed,
      }),
    },
    approved: (machineId, opts) => deps.approvals.approvedContent(machineId, opts),
    notApproved: (machineId) => deps.approvals.notApprovedContent(machineId),
    machinesOf: (t) =>
      deps.machines.list('groupId' in t ? { groupId: t.groupId } : { clients: [t.client] }).items,
    audit: (e) => void deps.audit.append(e),
    actor: deps.actor,
    rescan: async (session, machine, signal) => {
      const r = await deps.scanner.scanHostRun(session, machine, { signal });
      if (!r.ok) throw new Error(`The verify scan failed: ${r.failure.message}`);
    },
    bootId: (session, signal) => readBootId(session, signal),
    reboot: (session, _machine, signal) => rebootHost(session, signal),
    waitForReturn: async (machine, before, limitMs, signal) => {
      const outcome = await waitForReturn(
        machineTarget(machine, deps.credentials, auths),
        { ...sessionOptions(), pool: deps.pool },
        { previousBootId: before, timeoutMs: limitMs, signal, now: deps.clock.now },
      );
      return outcome.kind === 'returned'
        ? { ok: true, bootId: outcome.bootId }
        : { ok: false, kind: outcome.kind, message: outcome.message };
    },
    withRemote: (machine, signal, work) =>
      // A rollout never trusts a new key or certificate: the scan that found the updates pinned it, and a
      // changed one stops the host before anything is sent. The transport is the machine's own: Windows
      // over OpenSSH runs the same PowerShell scripts through the -EncodedCommand bootstrap.
      machine.transport === 'ssh'
        ? deps.pool.withSession(
            machineTarget(machine, deps.credentials, auths),
            { ...sessionOptions(), hostKeyPolicy: 'pinned-only', signal },
            (s) => work(windowsSshSession(s)),
          )
        : deps.pool.withWinrm(
            winrmTargetOf(machine, deps.credentials, {
              store: deps.hostKeys,
              policy: 'pinned-only',
              now: deps.clock.now,
            }),
            { signal },
            work,
          ),
    rescanRemote: async (session, machine, signal) => {
      const r = await deps.scanner.scanRemoteRun(session, machine, { signal });
      if (!r.ok) throw new Error(`The verify scan failed: ${r.failure.message}`);
      return r.findings;
    },
  };
}
