import type { AuditLog } from '../audit/audit-log';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { HostKeysRepo } from '../db/repos/host-keys';
import type { MachinesRepo } from '../db/repos/machines';
import type { CredentialService } from '../inventory/credential-service';
import type { HostChecks } from '../plans/runner-ports';
import { machineTarget } from '../ssh/machine-target';
import type { SshPool } from '../ssh/pool';
import type { SshAuth, SshSession } from '../ssh/types';
import { cleanLine } from './check-results';
import { runHealthChecksOn } from './health-checks';
import { runPlanScript, scriptSha256 } from './plan-script';

/** What the live HostChecks is built from: the core's shared pieces. */
export interface HostChecksDeps {
  pool: SshPool;
  hostKeys: HostKeysRepo;
  credentials: Pick<CredentialService, 'unlock'>;
  machinesRepo: Pick<MachinesRepo, 'get'>;
  audit: Pick<AuditLog, 'append'>;
  clock: Clock;
  logger: Logger;
  connectTimeoutMs?: number;
}

/** Lines of a script's output that go into `detail` for the rollout log (the head, as the host kept it). */
const DETAIL_OUTPUT_MAX = 16 * 1024;

/**
 * The runner's HostChecks over the core's SSH pool: pinned host keys only (a plan never trusts a new key
 * by itself), one session per call. Scripts are recorded in the audit log before they run (plan, host,
 * which script, its sha256) and again with the outcome, so a crash mid-script still leaves the first entry.
 */
export function liveHostChecks(deps: HostChecksDeps): HostChecks {
  const auths = new Map<number, SshAuth>();
  const withHost = async <T>(
    machineId: number,
    signal: AbortSignal | undefined,
    work: (s: SshSession, name: string) => Promise<T>,
  ): Promise<T> => {
    const machine = deps.machinesRepo.get(machineId);
    if (!machine) throw new Error(`machine ${machineId} no longer exists`);
    return deps.pool.withSession(
      machineTarget(machine, deps.credentials, auths),
      {
        hostKeys: deps.hostKeys,
        hostKeyPolicy: 'pinned-only',
        logger: deps.logger,
        now: deps.clock.now,
        ...(deps.connectTimeoutMs ? { connectTimeoutMs: deps.connectTimeoutMs } : {}),
        ...(signal ? { signal } : {}),
      },
      (s) => work(s, machine.displayName),
    );
  };
  const reason = (err: unknown) => cleanLine(err instanceof Error ? err.message : String(err));

  return {
    async runHealthChecks(machineId, checks, signal) {
      if (checks.length === 0) return { ok: true, results: [] };
      try {
        return await withHost(machineId, signal, (s) => runHealthChecksOn(s, checks, signal));
      } catch (err) {
        if (signal?.aborted) throw err;
        // Not reached: every check fails with why (a host that cannot be asked is not healthy).
        const detail = `could not run: ${reason(err)}`;
        return { ok: false, results: checks.map((check) => ({ check, ok: false, detail })) };
      }
    },

    async runScript(machineId, script, signal, session) {
      const sha256 = scriptSha256(script.text);
      const name = deps.machinesRepo.get(machineId)?.displayName ?? `machine ${machineId}`;
      const subject = `plan ${script.planId}: ${script.phase}-script on ${name}`;
      const base = { planId: script.planId, machineId, machine: name, phase: script.phase, sha256 };
      deps.audit.append({
        action: 'plan.script.started',
        subject,
        detail: { ...base, bytes: Buffer.byteLength(script.text), timeoutMs: script.timeoutMs },
      });
      let summary: string;
      let ok = false;
      let output = '';
      try {
        const r = session
          ? await runPlanScript(session, script.text, script.timeoutMs, signal)
          : await withHost(machineId, signal, (s) => runPlanScript(s, script.text, script.timeoutMs, signal));
        ok = r.outcome === 'ok';
        summary = r.summary;
        output = r.output;
        deps.audit.append({
          action: 'plan.script.finished',
          subject,
          detail: { ...base, outcome: r.outcome, exitCode: r.exitCode, summary: r.summary },
        });
      } catch (err) {
        if (signal?.aborted) throw err;
        summary = `could not run: ${reason(err)}`;
        deps.audit.append({
          action: 'plan.script.finished',
          subject,
          detail: { ...base, outcome: 'not-run', exitCode: null, summary },
        });
      }
      const tail = output.length > DETAIL_OUTPUT_MAX ? `${output.slice(0, DETAIL_OUTPUT_MAX)}\n…` : output;
      return { ok, detail: `${script.phase}-script: ${summary}${tail ? `\n${tail}` : ''}` };
    },
  };
}
