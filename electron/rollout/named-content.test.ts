import { afterEach, describe, expect, it } from 'vitest';

import type { RolloutRef } from '../../shared/domain';
import { rolloutCreateSchema } from '../../shared/schemas';
import { contentFrom } from '../cli/rollout';
import { silentLogger } from '../core/logger';
import { type Db, openDatabase } from '../db/open';
import { rolloutsRepo } from '../db/repos/rollouts';
import { fakeFleet } from './fake-ports.test-helper';
import type { ApprovedForHost, RolloutPorts } from './ports';
import { itemsFor } from './review';
import { type RolloutService, rolloutService } from './rollout-service';

const dnf = (name: string, version: string, advisories: string[]): ApprovedForHost => ({
  packageManager: 'dnf',
  name,
  arch: 'x86_64',
  version,
  advisories,
  security: true,
});
const ref = (kind: RolloutRef['kind'], name: string, version = '', packageManager = 'dnf'): RolloutRef => ({
  packageManager,
  kind,
  name,
  version,
});

describe('named content: packages and advisories, never beyond what is approved', () => {
  const ports = (
    approved: ApprovedForHost[],
    notApproved: ReturnType<RolloutPorts['notApproved']> = [],
  ): Pick<RolloutPorts, 'approved' | 'notApproved'> => ({
    approved: () => approved,
    notApproved: () => notApproved,
  });
  const approved = [
    dnf('openssl-libs', '1:3.0.7-27.el9', ['RHSA-2024:2447']),
    dnf('openssl', '1:3.0.7-27.el9', ['RHSA-2024:2447']),
    dnf('curl', '7.76.1-29.el9', ['RHSA-2024:3000']),
  ];

  it('installs a named advisory as a whole when all its pending packages are approved', () => {
    const r = itemsFor(
      ports(approved),
      { kind: 'named', refs: [ref('advisory', 'RHSA-2024:2447')] },
      1,
      'dnf',
    );
    expect(r.items.map((i) => i.name)).toEqual(['openssl-libs', 'openssl']);
    expect(r.advisories).toEqual(['RHSA-2024:2447']);
    expect(r.notes).toEqual([]);
  });

  it('installs only the approved packages of a partly approved advisory, by version, and says so', () => {
    const blocked = [{ packageManager: 'dnf', name: 'openssl-devel', advisories: ['RHSA-2024:2447'] }];
    const r = itemsFor(
      ports(approved, blocked),
      { kind: 'named', refs: [ref('advisory', 'RHSA-2024:2447')] },
      1,
      'dnf',
    );
    expect(r.items.map((i) => `${i.name} ${i.version}`)).toEqual([
      'openssl-libs 1:3.0.7-27.el9',
      'openssl 1:3.0.7-27.el9',
    ]);
    // update-minimal --advisory would bring openssl-devel in too: the advisory is not passed.
    expect(r.advisories).toEqual([]);
    expect(r.notes).toEqual([
      'Advisory RHSA-2024:2447 is only partly approved on this host: openssl-libs, openssl install by version; openssl-devel is not approved and left out.',
    ]);
  });

  it('leaves out named packages and advisories with nothing approved here, and notes them', () => {
    const r = itemsFor(
      ports(approved),
      {
        kind: 'named',
        refs: [
          ref('package', 'curl'),
          ref('package', 'openssl', '1:3.0.7-99.el9'),
          ref('advisory', 'RHSA-2024:9999'),
          ref('package', 'bash', '', 'apt'),
        ],
      },
      1,
      'dnf',
    );
    expect(r.items.map((i) => i.name)).toEqual(['curl']);
    expect(r.advisories).toEqual([]);
    // The apt ref is for other hosts: not a note here.
    expect(r.notes).toEqual([
      'Named but not approved on this host, left out: openssl=1:3.0.7-99.el9, advisory RHSA-2024:9999.',
    ]);
  });

  it('the schema takes advisories for dnf, yum and zypper only, without a version', () => {
    const req = (refs: RolloutRef[]) =>
      rolloutCreateSchema.safeParse({
        targets: { kind: 'machines', machineIds: [1] },
        content: { kind: 'named', refs },
      }).success;
    expect(req([ref('advisory', 'RHSA-2024:2447')])).toBe(true);
    expect(req([ref('advisory', 'SUSE-2024-1234', '', 'zypper')])).toBe(true);
    expect(req([ref('advisory', 'DSA-5764-1', '', 'apt')])).toBe(false);
    expect(req([ref('advisory', 'RHSA-2024:2447', '1.0')])).toBe(false);
    expect(req([ref('package', 'openssl', '3', 'apt')])).toBe(true);
  });

  it('the CLI names advisories with --advisory and --pm dnf|yum|zypper', () => {
    expect(contentFrom({ pm: 'dnf', advisory: ['RHSA-2024:2447'], package: ['curl=7.76.1-29.el9'] })).toEqual(
      {
        kind: 'named',
        refs: [ref('package', 'curl', '7.76.1-29.el9'), ref('advisory', 'RHSA-2024:2447')],
      },
    );
    expect(() => contentFrom({ pm: 'apt', advisory: ['DSA-5764-1'] })).toThrow(/--pm dnf, yum or zypper/);
    expect(() => contentFrom({ advisory: ['RHSA-2024:2447'] })).toThrow(/need --pm/);
    expect(contentFrom({ security: true })).toEqual({ kind: 'security-approved' });
  });
});

describe('named content through review (fake hosts, real SQLite)', () => {
  let db: Db | null = null;
  const services: RolloutService[] = [];
  afterEach(async () => {
    await Promise.all(services.splice(0).map((s) => s.close()));
    db?.close();
  });
  const setup = () => {
    db = openDatabase({ path: ':memory:' });
    const fleet = fakeFleet(2, [{ name: 'openssl', version: '3' }]);
    const service = rolloutService({
      repo: rolloutsRepo(db),
      ports: fleet.ports,
      clock: { now: () => Date.now() },
      logger: silentLogger,
      events: () => {},
      pollMs: 5,
    });
    services.push(service);
    return { fleet, service };
  };

  it('a named but unapproved package is a note beside the plan, and skips a host with nothing else', async () => {
    const { service } = setup();
    const both = service.create({
      targets: { kind: 'machines', machineIds: [1] },
      content: {
        kind: 'named',
        refs: [ref('package', 'openssl', '', 'apt'), ref('package', 'curl', '', 'apt')],
      },
    });
    const reviewed = await service.review(both.id);
    expect(reviewed.hosts[0]?.state).toBe('reviewed');
    expect(reviewed.hosts[0]?.items.map((i) => i.name)).toEqual(['openssl']);
    expect(reviewed.hosts[0]?.plan?.notes).toEqual(['Named but not approved on this host, left out: curl.']);

    const none = service.create({
      targets: { kind: 'machines', machineIds: [2] },
      content: { kind: 'named', refs: [ref('package', 'curl', '', 'apt')] },
    });
    const skipped = (await service.review(none.id)).hosts[0];
    expect(skipped?.state).toBe('skipped');
    expect(skipped?.reason).toBe(
      'Nothing approved to install on this host. Named but not approved on this host, left out: curl.',
    );
  });
});
