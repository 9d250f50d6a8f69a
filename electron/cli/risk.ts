import type { SlaDays, SlaPolicyView } from '../../shared/risk';
import { SLA_SEVERITIES } from '../../shared/risk';
import type { Core } from '../core/create-core';
import { call, UsageError } from './call';

/** Options `patchbay fix-first`, `sla` and `vuln` read. */
export interface RiskOptions {
  client?: string[] | undefined;
  overdue?: boolean | undefined;
  limit?: string | undefined;
  json?: boolean | undefined;
  critical?: string | undefined;
  high?: string | undefined;
  medium?: string | undefined;
  low?: string | undefined;
  remove?: boolean | undefined;
}

type Io = { stdout: (s: string) => void; stderr: (s: string) => void };

const oneClient = (o: RiskOptions): string | undefined => {
  if ((o.client?.length ?? 0) > 1) throw new UsageError('pass at most one --client');
  return o.client?.[0];
};

/** `patchbay fix-first [--client C] [--overdue] [--limit N] [--json]`: the list, riskiest first. */
export async function runFixFirst(core: Core, o: RiskOptions, io: Io): Promise<number> {
  const limit = o.limit === undefined ? 50 : Number(o.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('--limit must be 1–1000');
  const client = oneClient(o);
  const page = await call(core, 'risk.fixFirst', {
    limit,
    ...(client !== undefined ? { client } : {}),
    ...(o.overdue ? { overdue: true } : {}),
  });
  const status = await call(core, 'vuln.status', {});
  if (o.json) {
    io.stdout(JSON.stringify({ ...page, data: status.feeds.map((f) => f.text) }, null, 2) + '\n');
    return 0;
  }
  for (const i of page.items) {
    const due = i.due ? `${i.overdue ? 'OVERDUE ' : ''}due ${i.due}` : 'no deadline';
    io.stdout(
      `${String(i.score).padStart(3)}  ${i.machineName}  ${i.name} ${i.candidateVersion}  ${due}\n` +
        `     ${i.reasons.map((r) => r.text).join('; ') || 'security fix, no CVE known'}\n` +
        `     ${i.cves.join(', ') || 'no CVE ids'} · ${i.dueReason}\n`,
    );
  }
  io.stdout(
    `${page.items.length} of ${page.total} fixes${client !== undefined ? ` for ${client || '(no client)'}` : ''}; ` +
      `${page.overdue} overdue (today is ${page.today}, UTC).\n`,
  );
  for (const f of status.feeds) io.stdout(`${f.text}\n`);
  return 0;
}

const daysText = (d: SlaDays) =>
  SLA_SEVERITIES.map((s) => `${s} ${d[s] === null ? 'none' : `${d[s]}d`}`).join(', ');
const line = (p: SlaPolicyView) => `${(p.client || '(default)').padEnd(24)} ${daysText(p.days)}\n`;

function parseDays(v: string | undefined, name: string, current: number | null): number | null {
  if (v === undefined) return current;
  if (v === 'none') return null;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 3650) throw new UsageError(`--${name} must be 0–3650 days or "none"`);
  return n;
}

/** `patchbay sla show|set`: SLA days by severity, the default and per client (KEV: CISA's due date). */
export async function runSla(core: Core, command: string, o: RiskOptions, io: Io): Promise<number> {
  if (command === 'set') {
    const client = oneClient(o) ?? '';
    const now = await call(core, 'sla.get', {});
    const current =
      now.clients.find((p) => p.client.toLowerCase() === client.toLowerCase())?.days ?? now.default.days;
    const days: SlaDays | null = o.remove
      ? null
      : {
          critical: parseDays(o.critical, 'critical', current.critical),
          high: parseDays(o.high, 'high', current.high),
          medium: parseDays(o.medium, 'medium', current.medium),
          low: parseDays(o.low, 'low', current.low),
        };
    const r = await call(core, 'sla.set', { client, days });
    const mine = r.clients.find((p) => p.client.toLowerCase() === client.toLowerCase());
    if (o.json) io.stdout(JSON.stringify(r, null, 2) + '\n');
    else if (days === null) io.stdout(`${client} follows the default again: ${daysText(r.default.days)}\n`);
    else io.stdout(line(client && mine ? mine : r.default));
    return 0;
  }
  const r = await call(core, 'sla.get', {});
  if (o.json) {
    io.stdout(JSON.stringify(r, null, 2) + '\n');
    return 0;
  }
  io.stdout(line(r.default));
  for (const p of r.clients) io.stdout(line(p));
  io.stdout("Fixes on CISA's KEV list are due on CISA's date, or earlier if the severity says so.\n");
  return 0;
}

/** `patchbay vuln status|update`: how old the data is; download the feeds (keeps a bad one's old copy). */
export async function runVuln(core: Core, command: string, o: RiskOptions, io: Io): Promise<number> {
  if (command === 'update') {
    const r = await call(core, 'vuln.update', {});
    if (o.json) io.stdout(JSON.stringify(r, null, 2) + '\n');
    else for (const x of r.results) io.stdout(`${x.ok ? 'updated' : 'FAILED '}  ${x.text}\n`);
    return r.results.every((x) => x.ok) ? 0 : 1;
  }
  const s = await call(core, 'vuln.status', {});
  if (o.json) io.stdout(JSON.stringify(s, null, 2) + '\n');
  else for (const f of [...s.feeds.map((x) => x.text), ...s.problems]) io.stdout(`${f}\n`);
  return 0;
}
