import { afterEach } from 'vitest';

import type { EventMap } from '../../shared/ipc';
import { silentLogger } from '../core/logger';
import { type Db, openDatabase } from '../db/open';
import { rolloutsRepo } from '../db/repos/rollouts';
import { fakeFleet } from './fake-ports.test-helper';
import { type RolloutService, rolloutService, type RolloutServiceDeps } from './rollout-service';

type Approved = Parameters<typeof fakeFleet>[1];

/**
 * The engine's unit-test bench: a real SQLite database in memory, a fake fleet and rollout services built
 * on them. Registers an afterEach in the calling describe that closes the services (first: their last
 * progress batch reads the database) and then the database.
 */
export function engineHarness(defaults: Partial<RolloutServiceDeps> = {}) {
  const services: RolloutService[] = [];
  let db: Db | null = null;
  const reset = async () => {
    await Promise.all(services.splice(0).map((s) => s.close()));
    db?.close();
    db = null;
  };
  afterEach(reset);

  /** A fresh database and fleet of `n` hosts; `make` builds another service (a "restarted" Patchbay). */
  const setup = (
    n: number,
    approved: Approved = [{ name: 'openssl', version: '3' }],
    deps: Partial<RolloutServiceDeps> = {},
  ) => {
    db = openDatabase({ path: ':memory:' });
    const repo = rolloutsRepo(db);
    const fleet = fakeFleet(n, approved);
    const events: EventMap['rollout.progress'][] = [];
    const make = (more: Partial<RolloutServiceDeps> = {}) => {
      const s = rolloutService({
        repo,
        ports: fleet.ports,
        clock: { now: () => Date.now() },
        logger: silentLogger,
        events: (ch, p) => {
          if (ch === 'rollout.progress') events.push(p as EventMap['rollout.progress']);
        },
        pollMs: 5,
        ...defaults,
        ...deps,
        ...more,
      });
      services.push(s);
      return s;
    };
    return { repo, fleet, events, service: make(), make };
  };
  return { setup, reset };
}

/** Targets naming machines 1..n. */
export const machines = (n: number) => ({
  kind: 'machines' as const,
  machineIds: Array.from({ length: n }, (_, i) => i + 1),
});
