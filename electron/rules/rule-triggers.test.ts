import { describe, expect, it } from 'vitest';

import { pendingPatch, scanFindings, SUPPORTED_EOL } from '../../test/helpers/findings';
import { draft, ok, planCore, satNight } from '../plans/plans.test-helper';

const DAY = 86_400_000;

// Rules are evaluated when a plan run starts a ring: on a core built by create-core with an injected clock,
// its wired plan runner ticked by hand. The hosts wait for their window, so nothing is installed.
describe('rules evaluated when a plan run starts', () => {
  it('approves what the rules allow at the run start, and a pilot soak once the clock has passed it', async () => {
    const { core, ids, call, setNow } = await planCore();
    try {
      const now = core.services.audit.list({ limit: 1 }).items[0]?.at ?? 0;
      ok(await call('windows.set', { scope: { level: 'client', client: 'Acme' }, windows: [satNight] }));
      ok(
        await call('rules.add', {
          definition: {
            name: 'web first',
            match: { securityOnly: true },
            scope: { kind: 'group', groupId: ids.web },
            soak: null,
          },
        }),
      );
      ok(
        await call('rules.add', {
          definition: {
            name: 'Acme after 7 days on web',
            match: { securityOnly: true },
            scope: { kind: 'client', client: 'Acme' },
            soak: { groupId: ids.web, days: 7 },
          },
        }),
      );
      // Scanned after the rules were added, stored without a scan job: nothing has evaluated them yet.
      const run = core.repos.scans.startRun(3, now);
      for (const id of [ids.web01, ids.web02, ids.db01]) {
        core.repos.scans.recordSuccess(
          run,
          id,
          scanFindings('apt', [pendingPatch('openssl', '3.0.11-1', '3.0.15-1', { security: true })]),
          SUPPORTED_EOL,
          1,
          now,
        );
      }
      const state = (id: number) =>
        core.services.approvals.resolveDecisions(id).find((p) => p.name === 'openssl')?.decision.state;
      expect([state(ids.web01), state(ids.db01)]).toEqual(['not-reviewed', 'not-reviewed']);

      const startPlan = async (name: string) => {
        const def = draft(name, [['all', { kind: 'client', client: 'Acme' }]]);
        ok(
          await call('plans.create', {
            definition: { ...def, schedule: { kind: 'now', zone: 'UTC' } },
            enabled: true,
          }),
        );
        await core.services.planRunner.tick();
      };
      await startPlan('First');
      expect([state(ids.web01), state(ids.web02), state(ids.db01)]).toEqual([
        'approved',
        'approved',
        'not-reviewed',
      ]);

      // web01 installed it 3 days before now (as a rollout of the engine records it): the soak runs.
      const r = core.db
        .prepare(
          `INSERT INTO rollouts (state, targets_json, content_json, options_json, created_by, created_at)
           VALUES ('finished', '{}', '{}', '{}', 'test', ?)`,
        )
        .run(now);
      core.db
        .prepare(
          `INSERT INTO rollout_hosts (rollout_id, machine_id, machine_name, package_manager, state, items_json,
             updated_at, finished_at) VALUES (?, ?, 'web01', 'apt', 'succeeded', ?, ?, ?)`,
        )
        .run(
          r.lastInsertRowid,
          ids.web01,
          JSON.stringify([
            { name: 'openssl', arch: 'amd64', version: '3.0.15-1', advisories: [], security: true },
          ]),
          now - 3 * DAY,
          now - 3 * DAY,
        );
      await startPlan('Second');
      expect(state(ids.db01)).toBe('not-reviewed');
      setNow(now + 4 * DAY);
      await startPlan('Third');
      expect(state(ids.db01)).toBe('approved');
      const entry = core.services.audit.list({ action: 'decision.approved', limit: 10 }).items[0];
      expect(entry).toMatchObject({
        actor: 'rule "Acme after 7 days on web"',
        subject: 'apt openssl 3.0.15-1 (client Acme)',
        at: now + 4 * DAY,
      });
    } finally {
      await core.close();
    }
  });
});
