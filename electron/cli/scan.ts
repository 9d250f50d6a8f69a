import type { MachineFilter, ScanHostProgress } from '../../shared/domain';
import type { Core } from '../core/create-core';
import { call } from './call';

/** What `patchbay scan` prints per machine with --json. */
export interface CliScanRow {
  id: number;
  name: string;
  state: ScanHostProgress['state'];
  errorKind?: string;
  message?: string;
  missing?: number;
  security?: number;
  rebootRequired?: boolean;
  os?: string;
  eol?: string;
  hostKeyFingerprint?: string;
  hostKey?: ScanHostProgress['hostKey'];
  resultId?: number;
  /** What the host reported beside the result (unreachable repository, stale package lists…). */
  warnings?: string[];
}

export interface ScanCliOptions {
  filter: MachineFilter;
  machineIds?: number[];
  trustNewHostKeys: boolean;
  refreshLists: boolean;
  json: boolean;
}

/** Exit code of a scan where at least one machine could not be scanned. */
export const EXIT_SOME_FAILED = 3;

const LABEL: Record<string, string> = {
  'host-key-unknown': 'host key not trusted yet',
  'host-key-changed': 'HOST KEY CHANGED',
  'auth-failed': 'login failed',
  'no-credential': 'no credential',
  busy: 'skipped: a rollout is patching it',
};

/**
 * Runs a scan job to its end: progress on stderr (one line per finished host), a summary on stdout.
 * Ctrl+C cancels the job cleanly (queued hosts are dropped, running ones closed) instead of killing it.
 */
export async function runScan(
  core: Core,
  opts: ScanCliOptions,
  io: { stdout: (s: string) => void; stderr: (s: string) => void },
): Promise<number> {
  const listed = await call(core, 'machines.list', {
    filter: opts.filter,
    sort: { key: 'displayName', direction: 'asc' },
  });
  const names = new Map(listed.items.map((m) => [m.id, m.displayName]));
  const rows = new Map<number, CliScanRow>();
  let jobId = '';
  let finished!: () => void;
  const done = new Promise<void>((r) => (finished = r));
  let count = 0;
  const unsubscribe = core.subscribe((channel, payload) => {
    if (channel === 'scan.progress' && 'hosts' in payload && payload.jobId === jobId) {
      for (const h of payload.hosts) {
        const row: CliScanRow = {
          ...rows.get(h.machineId),
          id: h.machineId,
          name: names.get(h.machineId) ?? `#${h.machineId}`,
          ...h,
        };
        rows.set(h.machineId, row);
        if (h.state === 'done' || h.state === 'failed' || h.state === 'cancelled') {
          count++;
          const what =
            h.state === 'done'
              ? `${h.missing} missing (${h.security} security)${h.rebootRequired ? ', reboot required' : ''}`
              : `${h.state}: ${LABEL[h.errorKind ?? ''] ?? h.errorKind} — ${h.message}`;
          io.stderr(`[${count}/${payload.totals.total}] ${row.name}: ${what}\n`);
        }
      }
    }
    if (channel === 'scan.finished' && 'jobId' in payload && payload.jobId === jobId) finished();
  });
  const onSigint = () => {
    io.stderr('Cancelling the scan…\n');
    void core.dispatch('scan.cancel', { jobId });
  };
  process.once('SIGINT', onSigint);
  try {
    const req = opts.machineIds ? { machineIds: opts.machineIds } : { filter: opts.filter };
    const result = await core.dispatch('scan.start', {
      ...req,
      trustNewHostKeys: opts.trustNewHostKeys,
      refreshLists: opts.refreshLists,
    });
    if (!result.ok) {
      io.stderr(`patchbay: ${result.error.message}\n`);
      return 1;
    }
    const started = result.res as { jobId: string; total: number };
    jobId = started.jobId;
    io.stderr(`Scanning ${started.total} machine${started.total === 1 ? '' : 's'}…\n`);
    await done;
  } finally {
    process.off('SIGINT', onSigint);
    unsubscribe();
  }
  for (const row of rows.values()) {
    const m = await call(core, 'machines.get', { id: row.id });
    if (m.os) row.os = m.os;
    const details = await call(core, 'machines.scanDetails', { id: row.id });
    const status = details.status;
    // Warnings of this scan only: a failed host's lastOk warnings are from an older run.
    if (row.state === 'done' && details.lastOk && details.lastOk.warnings.length > 0)
      row.warnings = details.lastOk.warnings;
    if (status && status.eolState !== 'unknown')
      row.eol = `${status.eolState}${status.eolEnds ? ` (${status.eolEnds})` : ''}`;
    if (row.hostKey) row.hostKeyFingerprint = row.hostKey.fingerprint;
    delete row.hostKey;
  }
  const list = [...rows.values()].sort((a, b) => a.name.localeCompare(b.name));
  if (opts.json) io.stdout(JSON.stringify(list, null, 2) + '\n');
  else io.stdout(summary(list));
  return list.every((r) => r.state === 'done') ? 0 : EXIT_SOME_FAILED;
}

function summary(list: CliScanRow[]): string {
  const ok = list.filter((r) => r.state === 'done');
  const lines = ok.flatMap((r) => [
    `${r.name.padEnd(24)} ${String(r.missing ?? 0).padStart(4)} missing ${String(r.security ?? 0).padStart(4)} security` +
      `${r.rebootRequired ? '  reboot' : ''}${r.eol && !r.eol.startsWith('supported') ? `  EOL: ${r.eol}` : ''}  ${r.os ?? ''}`,
    ...(r.warnings ?? []).map((w) => `${''.padEnd(24)} warning: ${w}`),
  ]);
  const failed = list.filter((r) => r.state !== 'done');
  for (const r of failed) lines.push(`${r.name.padEnd(24)} ${r.state.toUpperCase()}: ${r.message ?? ''}`);
  const unknownKeys = failed.filter((r) => r.errorKind === 'host-key-unknown');
  if (unknownKeys.length > 0) {
    lines.push(
      `${unknownKeys.length} machine(s) were contacted for the first time. Compare their fingerprints, then rescan with ` +
        '--trust-new-host-keys (or trust them in the app).',
    );
  }
  lines.push(`${ok.length} scanned, ${failed.length} failed.`);
  return lines.join('\n') + '\n';
}
