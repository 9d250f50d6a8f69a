import type { ComplianceScope } from '../../shared/compliance';
import type { Core } from '../core/create-core';
import { call, UsageError } from './call';

/** Options `patchbay compliance` reads. */
export interface ComplianceOptions {
  client?: string[] | undefined;
  site?: string[] | undefined;
  days?: string | undefined;
  json?: boolean | undefined;
}

type Io = { stdout: (s: string) => void; stderr: (s: string) => void };

const pad = (v: string | number, n: number) => String(v).padStart(n);

function scopeOf(o: ComplianceOptions): { scope: ComplianceScope; name?: string } {
  if ((o.client?.length ?? 0) + (o.site?.length ?? 0) > 1)
    throw new UsageError('pass at most one --client or --site');
  if (o.client?.[0] !== undefined) return { scope: 'client', name: o.client[0] };
  if (o.site?.[0] !== undefined) return { scope: 'site', name: o.site[0] };
  return { scope: 'fleet' };
}

/**
 * `patchbay compliance [--client C | --site S] [--days N] [--json]`: one line per UTC day (machines
 * patched, missing fixes, overdue; fixes by severity), then the mean time to remediate by severity.
 */
export async function runCompliance(core: Core, o: ComplianceOptions, io: Io): Promise<number> {
  const days = o.days === undefined ? 30 : Number(o.days);
  if (!/^\d+$/.test(o.days ?? '30') || days < 1 || days > 365) throw new UsageError('--days must be 1–365');
  const scope = scopeOf(o);
  const trend = await call(core, 'compliance.trend', { ...scope, days });
  const mttr = await call(core, 'compliance.mttr', { ...scope, days });
  if (o.json) {
    io.stdout(JSON.stringify({ trend, mttr }, null, 2) + '\n');
    return 0;
  }
  const who = scope.scope === 'fleet' ? 'all machines' : `${scope.scope} ${scope.name ?? ''}`;
  io.stdout(`Compliance of ${who}, ${trend.from} to ${trend.to} (UTC days)\n`);
  if (trend.points.length === 0) io.stdout('No snapshot yet: scan the machines first.\n');
  else
    io.stdout(
      'Day         Machines  Patched  Missing  Overdue   Fixes  Critical  High  Medium   Low\n' +
        trend.points
          .map(
            (p) =>
              `${p.day}  ${pad(p.machines, 8)}  ${pad(p.patched, 7)}  ${pad(p.unpatched, 7)}  ` +
              `${pad(p.overdue, 7)}  ${pad(p.fixes, 6)}  ${pad(p.bySeverity.critical, 8)}  ` +
              `${pad(p.bySeverity.high, 4)}  ${pad(p.bySeverity.medium, 6)}  ${pad(p.bySeverity.low, 4)}` +
              `${p.carried ? '  (no change that day)' : ''}\n`,
          )
          .join(''),
    );
  io.stdout('Patched: scanned, no missing security fix. Missing / Overdue: machines.\n\n');
  io.stdout(`Time to fix, first seen to the scan that no longer found it (${mttr.all.fixed} fixed):\n`);
  for (const r of mttr.bySeverity)
    io.stdout(
      `  ${r.severity.padEnd(9)} ${pad(r.fixed, 6)} fixed` +
        (r.meanDays === null ? '\n' : `   mean ${r.meanDays} days, longest ${r.maxDays} days\n`),
    );
  return 0;
}
