import type { createCore } from '../../electron/core/create-core';
import { rolloutsRepo } from '../../electron/db/repos/rollouts';
import type { EolStatus } from '../../electron/platforms/eol';
import { pendingPatch, scanFindings, SUPPORTED_EOL } from './findings';
import { sshMachine } from './inventory';

type Core = ReturnType<typeof createCore>;

/** When the fleet's fixes were first seen: long enough ago that the high ones are overdue whatever today is. */
export const FIRST_SEEN = Date.parse('2026-01-10T09:00:00Z');
/** The report period the tests ask for, and the scan and rollout inside it. */
export const PERIOD = { from: '2026-11-01', to: '2026-11-30' };
export const IN_PERIOD_SCAN = Date.parse('2026-11-15T10:00:00Z');
export const ROLLOUT_START = Date.parse('2026-11-14T21:00:00Z');

const EOL_DEBIAN10: EolStatus = {
  state: 'eol',
  name: 'Debian 10',
  ends: '2022-09-10',
  extendedEnds: '2024-06-30',
  estimated: false,
  days: -1000,
  tableDate: '2026-01-01',
};

/**
 * A small fleet on a real SQLite file, written through the repositories a scan and a rollout use:
 * Acme has web01 (openssl and sudo missing since January; sudo installed by a rollout in November),
 * old01 (Debian 10, end of life) and new01 (never scanned); Globex has db01 (sudo missing; its rollout
 * host failed). Returns the machine ids.
 */
export function seedReportFleet(core: Core) {
  const m = core.repos.machines;
  const web = m.insert(
    sshMachine('web01', '192.0.2.10', { client: 'Acme', tags: ['internet-facing'] }),
    FIRST_SEEN,
  );
  const old = m.insert(sshMachine('old01', '192.0.2.12', { client: 'Acme', site: 'Basement' }), FIRST_SEEN);
  const fresh = m.insert(sshMachine('new01', '192.0.2.13', { client: 'Acme' }), FIRST_SEEN);
  const db = m.insert(sshMachine('db01', '192.0.2.11', { client: 'Globex' }), FIRST_SEEN);
  const ssl = pendingPatch('libssl3', '3.0.17-1~deb12u2', '3.0.17-1~deb12u3', {
    security: true,
    sourcePackage: 'openssl',
  });
  const sudo = pendingPatch('sudo', '1.9.13p3-1+deb12u1', '1.9.13p3-1+deb12u2', { security: true });
  const s = core.repos.scans;
  const run1 = s.startRun(3, FIRST_SEEN);
  s.recordSuccess(run1, web, scanFindings('apt', [ssl, sudo]), SUPPORTED_EOL, 10, FIRST_SEEN);
  s.recordSuccess(run1, db, scanFindings('apt', [sudo]), SUPPORTED_EOL, 10, FIRST_SEEN);
  s.recordSuccess(
    run1,
    old,
    scanFindings('apt', [], {
      prettyName: 'Debian GNU/Linux 10 (buster)',
      versionId: '10',
      codename: 'buster',
    }),
    EOL_DEBIAN10,
    10,
    FIRST_SEEN,
  );
  s.finishRun(run1, 'done', FIRST_SEEN);
  // The rollout of the period: sudo on web01 (succeeded) and db01 (failed).
  const repo = rolloutsRepo(core.db);
  const id = repo.create(
    {
      name: 'November patching',
      targets: { kind: 'machines', machineIds: [web, db] },
      content: { kind: 'all-approved' },
      options: {
        concurrency: 1,
        failureThreshold: null,
        reboot: 'never',
        rebootReturnMs: 60_000,
        hostTimeLimitMs: 60_000,
      },
      createdBy: 'alice',
      hosts: [
        { machineId: web, machineName: 'web01', packageManager: 'apt' },
        { machineId: db, machineName: 'db01', packageManager: 'apt' },
      ],
    },
    ROLLOUT_START - 3_600_000,
  );
  repo.setState(id, 'running', ROLLOUT_START, { startedAt: ROLLOUT_START });
  repo.transition(id, web, 'succeeded', {}, ROLLOUT_START + 600_000);
  repo.transition(id, db, 'failed', { reason: 'dpkg was interrupted' }, ROLLOUT_START + 600_000);
  repo.setState(id, 'finished', ROLLOUT_START + 700_000, { finishedAt: ROLLOUT_START + 700_000 });
  // The verification scan in the period: sudo is gone from web01.
  const run2 = s.startRun(1, IN_PERIOD_SCAN);
  s.recordSuccess(run2, web, scanFindings('apt', [ssl]), SUPPORTED_EOL, 10, IN_PERIOD_SCAN);
  s.finishRun(run2, 'done', IN_PERIOD_SCAN);
  return { web, old, fresh, db, rolloutId: id };
}
