/** A core on a real SQLite file with a settable clock, a small fleet, and plan drafts, for the plan tests. */
import type { AuditEntry } from '../../shared/decisions';
import type { PlanDefinitionInput } from '../../shared/plans';
import { sshMachine } from '../../test/helpers/inventory';
import { tempDir } from '../../test/helpers/temp';
import { createCore } from '../core/create-core';
import type { Envelope } from '../core/dispatch';
import { dataFiles } from '../core/paths';
import { nodeSecretBox } from '../secrets/node-secrets';

/** Wed 5 Feb 2025 12:00 UTC: Patch Tuesday + 2 days at 22:00 Berlin is Thu 13 Feb. */
export const WED_5_FEB_2025 = Date.UTC(2025, 1, 5, 12, 0);

/** A plan draft with one ring per entry (`[name, targets]`), Patch Tuesday + 2 at 22:00 Berlin. */
export function draft(name: string, rings: [string, PlanDefinitionInput['rings'][number]['targets']][]) {
  return {
    name,
    content: { kind: 'security-approved' },
    schedule: { kind: 'patch-tuesday', zone: 'Europe/Berlin', offsetDays: 2, time: '22:00' },
    rings: rings.map(([ringName, targets]) => ({
      name: ringName,
      targets,
      batch: { kind: 'count', value: 10 },
      gate: {},
    })),
  } satisfies PlanDefinitionInput;
}

/** A core on the data folder's SQLite file with the given clock (a second open reads what the first wrote). */
export function openCore(dataDir: string, now: () => number = () => WED_5_FEB_2025) {
  const files = dataFiles(dataDir);
  return createCore({
    dbPath: files.db,
    secrets: nodeSecretBox(files.keyFile, {}),
    host: 'browser',
    dataDir,
    version: '0.0.0-test',
    clock: { now },
  });
}

/** A core (clock at WED_5_FEB_2025 until `setNow`) with Acme (web01, web02 tagged web; db01 in Berlin) and Globex (gx01). */
export async function planCore(dataDir = tempDir()) {
  let now = WED_5_FEB_2025;
  const core = openCore(dataDir, () => now);
  const files = dataFiles(dataDir);
  const add = async (name: string, over: Parameters<typeof sshMachine>[2]) =>
    (await core.handlers['machines.create']({ machine: sshMachine(name, `${name}.example.test`, over) })).id;
  const web01 = await add('web01', { client: 'Acme', tags: ['web'] });
  const web02 = await add('web02', { client: 'Acme', tags: ['web'] });
  const db01 = await add('db01', { client: 'Acme', site: 'Berlin' });
  const gx01 = await add('gx01', { client: 'Globex' });
  const web = (await core.handlers['groups.save']({ name: 'web', filter: { tags: ['web'] } })).id;
  /** Dispatches like the UI and the CLI do (schema first), answering the envelope. */
  const call = (channel: string, payload: unknown) => core.dispatch(channel, payload);
  /** Audit entries of one action, oldest first. */
  const audited = (action: string): AuditEntry[] =>
    core.services.audit.list({ action, limit: 1000 }).items.reverse();
  return {
    core,
    dataDir,
    files,
    ids: { web01, web02, db01, gx01, web },
    call,
    audited,
    setNow: (t: number) => void (now = t),
  };
}

/** The response of a request that must succeed (else the test fails with the core's error). */
export const ok = <T>(e: Envelope): T => {
  if (!e.ok) throw new Error(`request failed: ${JSON.stringify(e.error)}`);
  return e.res as T;
};

/** The error of a request that must be refused. */
export const refused = (e: Envelope) => {
  if (e.ok) throw new Error('the request was expected to be refused');
  return e.error;
};

/** Sat 22:00 – Sun 04:00 Berlin: closed on the tests' Wednesday noon (WED_5_FEB_2025). */
export const satNight = {
  kind: 'weekly',
  zone: 'Europe/Berlin',
  startDay: 6,
  start: '22:00',
  endDay: 0,
  end: '04:00',
};
