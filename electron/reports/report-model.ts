/**
 * Builds a client or fleet report from the database: status counts and machines (or clients), the overdue
 * fixes and the "Fix first" list from the risk service, the rollouts and installed fixes of the period,
 * and how old the scans and vulnerability data are. Sections come from providers: the trend is added only
 * when one is given (the daily snapshots), and is otherwise absent rather than empty.
 */
import type {
  ReportClientLine,
  ReportMachine,
  ReportModel,
  ReportRequest,
  ReportStatus,
  ReportTrend,
} from '../../shared/reports';
import { checkPeriod } from '../../shared/reports';
import type { FeedStatus } from '../../shared/risk';
import { ApiError } from '../../shared/wire';
import type { Clock } from '../core/clock';
import type { ReportMachineRow, ReportsRepo } from '../db/repos/reports';
import type { RiskService } from '../risk/risk-service';
import { utcDay } from '../vuln/sla';

/** Supplies the trend section for a scope and period (the compliance snapshots, once merged). */
export type TrendProvider = (
  scope: { client: string | null },
  from: string,
  to: string,
) => Promise<ReportTrend>;

/** What the report builder reads. */
export interface ReportDeps {
  repo: ReportsRepo;
  risk: Pick<RiskService, 'refresh' | 'fixFirst' | 'status'>;
  clock: Clock;
  trend?: TrendProvider | undefined;
}

/** Rows of the overdue list a report carries (the total is always given). */
export const OVERDUE_LIMIT = 200;
/** Rows of the "Fix first" list a report carries. */
export const FIX_FIRST_LIMIT = 25;
/** A machine whose newest successful scan is older than this is called out. */
export const STALE_DAYS = 7;

const DAY_MS = 86_400_000;

// The vulnerability feeds in words a client reads (the app's own screens use the short names).
const FEED_NAMES: Record<string, string> = {
  kev: 'Vulnerabilities known to be exploited (CISA list)',
  epss: 'Likelihood of exploitation (FIRST EPSS scores)',
  'debian-tracker': 'Debian security tracker',
};

function feedText(f: FeedStatus): string {
  const name = FEED_NAMES[f.feed] ?? f.label;
  const when = f.days <= 0 ? 'today' : f.days === 1 ? 'yesterday' : `${f.days} days ago`;
  const published = f.publishedAt ? `, published ${f.publishedAt.slice(0, 10)}` : '';
  const sample = f.seed
    ? ' (the sample built into Patchbay: update the vulnerability data for real figures)'
    : '';
  return `${name}: data from ${when}${published}${sample}.`;
}

function machineLine(r: ReportMachineRow, overdue: number): ReportMachine {
  const status: ReportMachine['status'] =
    r.lastStatus === null
      ? 'not-scanned'
      : r.lastStatus !== 'ok'
        ? 'failed'
        : r.missing > 0
          ? 'missing'
          : r.eolState === 'eol'
            ? 'unsupported'
            : 'up-to-date';
  return {
    name: r.name,
    client: r.client,
    site: r.site,
    os: r.os,
    status,
    missing: r.missing,
    security: r.security,
    overdue,
    rebootRequired: r.rebootRequired,
    eolState: r.eolState,
    eolEnds: r.eolEnds,
    lastScanAt: r.lastOkAt ?? r.lastScanAt,
  };
}

function clientLines(lines: ReportMachine[]): ReportClientLine[] {
  const by = new Map<string, ReportClientLine>();
  for (const m of lines) {
    const c = by.get(m.client) ?? {
      client: m.client,
      machines: 0,
      upToDate: 0,
      missing: 0,
      overdue: 0,
      endOfLife: 0,
    };
    c.machines++;
    if (m.status === 'up-to-date') c.upToDate++;
    if (m.missing > 0) c.missing++;
    c.overdue += m.overdue;
    if (m.eolState === 'eol') c.endOfLife++;
    by.set(m.client, c);
  }
  return [...by.values()].sort((a, b) => a.client.localeCompare(b.client));
}

/** The report builder of one core. */
export function reportService(deps: ReportDeps) {
  /** The client's name as stored (matched without regard to case); a clear error for an unknown one. */
  function resolveClient(given: string | null): string | null {
    if (given === null) return null;
    const wanted = given.trim();
    const clients = deps.repo.clients().filter((c) => c !== '');
    const found = clients.find((c) => c.toLowerCase() === wanted.toLowerCase());
    if (found !== undefined && wanted !== '') return found;
    const known = clients.slice(0, 20).join(', ') + (clients.length > 20 ? ', …' : '');
    throw new ApiError({
      code: 'not-found',
      message: `No client named "${given.slice(0, 100)}". ${clients.length ? `Clients: ${known}.` : 'No machine has a client yet.'}`,
    });
  }

  async function build(req: ReportRequest): Promise<ReportModel> {
    const problem = checkPeriod(req);
    if (problem) throw new ApiError({ code: 'invalid', message: `${problem}.` });
    const client = resolveClient(req.client);
    await deps.risk.refresh();
    const now = deps.clock.now();
    const today = utcDay(now);
    const from = Date.parse(`${req.from}T00:00:00Z`);
    const until = Date.parse(`${req.to}T00:00:00Z`) + DAY_MS;
    const overdueOf = deps.repo.overdueByMachine(client, today);
    const rows = deps.repo.machines(client);
    const lines = rows.map((r) => machineLine(r, overdueOf.get(r.id) ?? 0));
    const scope = client === null ? {} : { client };
    const overdue = await deps.risk.fixFirst({ ...scope, overdue: true, limit: OVERDUE_LIMIT });
    const fixFirst = await deps.risk.fixFirst({ ...scope, limit: FIX_FIRST_LIMIT });
    const fixed = deps.repo.fixedBetween(client, from, until);
    const status: ReportStatus = {
      machines: lines.length,
      upToDate: lines.filter((m) => m.status === 'up-to-date').length,
      missing: lines.filter((m) => m.status !== 'not-scanned' && m.missing > 0).length,
      failed: lines.filter((m) => m.status === 'failed').length,
      notScanned: lines.filter((m) => m.status === 'not-scanned').length,
      endOfLife: lines.filter((m) => m.eolState === 'eol').length,
      rebootRequired: lines.filter((m) => m.rebootRequired).length,
      overdueFixes: overdue.overdue,
      trackedFixes: fixFirst.total,
      fixedInPeriod: fixed.n,
      securityFixedInPeriod: fixed.security,
    };
    const scanned = rows.map((r) => r.lastOkAt).filter((t): t is number => t !== null);
    const staleMachines = scanned.filter((t) => now - t > STALE_DAYS * DAY_MS).length;
    const vuln = deps.risk.status();
    const rollouts = deps.repo.rolloutsBetween(client, from, until).map(({ createdBy, ...r }) => ({
      ...r,
      startedBy: createdBy,
    }));
    const generated = new Date(now).toISOString().slice(0, 16).replace('T', ' ');
    const notes = [
      `Machine status, overdue fixes and the risk list are as they stood when the report was generated ` +
        `(${generated} UTC); rollouts and installed fixes are those of the period.`,
      'A fix is overdue when it is still missing after its due date: the date CISA set for vulnerabilities ' +
        'known to be exploited, otherwise the days the service agreement gives its severity, counted from ' +
        'the first scan that found it missing.',
      ...(overdue.items.length < overdue.overdue
        ? [
            `The overdue list shows the ${overdue.items.length} most urgent of ${overdue.overdue} overdue fixes.`,
          ]
        : []),
      ...(staleMachines > 0
        ? [`${staleMachines} machine(s) have not been scanned successfully for over ${STALE_DAYS} days.`]
        : []),
    ];
    const model: ReportModel = {
      title: client === null ? 'Patch status report: all clients' : `Patch status report: ${client}`,
      client,
      period: { from: req.from, to: req.to },
      generatedAt: now,
      today,
      status,
      machines: client === null ? null : { items: lines, total: lines.length },
      clients: client === null ? clientLines(lines) : null,
      overdue: { items: overdue.items, total: overdue.overdue },
      fixFirst: { items: fixFirst.items, total: fixFirst.total },
      rollouts,
      dataAge: {
        oldestScanAt: scanned.length ? scanned.reduce((a, b) => Math.min(a, b)) : null,
        newestScanAt: scanned.length ? scanned.reduce((a, b) => Math.max(a, b)) : null,
        staleMachines,
        staleDays: STALE_DAYS,
        feeds: vuln.feeds.map((f) => ({
          label: FEED_NAMES[f.feed] ?? f.label,
          text: feedText(f),
          publishedAt: f.publishedAt,
          builtIn: f.seed,
        })),
      },
      notes,
    };
    if (deps.trend) model.trend = await deps.trend({ client }, req.from, req.to);
    return model;
  }

  return { build, resolveClient };
}

/** The report builder's type. */
export type ReportService = ReturnType<typeof reportService>;
