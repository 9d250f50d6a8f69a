import { describe, expect, it } from 'vitest';

import type { RolloutChange, RolloutItem } from '../../shared/domain';
import { expectedItems, newInstalls, touchesKernel, verifyItems } from './decisions';

const up = (name: string, toVersion: string, fromVersion = '1'): RolloutChange => ({
  name,
  arch: '',
  fromVersion,
  toVersion,
});

describe('newInstalls (a full upgrade must not grow between review and start)', () => {
  const reviewed = { upgrades: [up('openssl', '3.3.1-1'), up('bash', '5.2.026-5')], installs: [] };

  it('finds nothing when the plan is the reviewed one, in any order', () => {
    expect(newInstalls(reviewed, { upgrades: [...reviewed.upgrades].reverse(), installs: [] })).toEqual([]);
  });

  it('finds a package the review did not show, a newer version of one it did, and a new dependency', () => {
    const now = {
      upgrades: [up('openssl', '3.3.1-1'), up('bash', '5.2.026-6'), up('expat', '2.6.3-1')],
      installs: [up('libnew', '1.0-1', '')],
    };
    expect(newInstalls(reviewed, now).map((c) => `${c.name} ${c.toVersion}`)).toEqual([
      'bash 5.2.026-6',
      'expat 2.6.3-1',
      'libnew 1.0-1',
    ]);
  });

  it('accepts a plan that shrank (something was installed meanwhile)', () => {
    expect(newInstalls(reviewed, { upgrades: [up('openssl', '3.3.1-1')], installs: [] })).toEqual([]);
  });

  it('treats a host without a stored plan as having seen nothing', () => {
    expect(newInstalls(null, { upgrades: [up('a', '2')], installs: [] })).toHaveLength(1);
  });
});

describe('touchesKernel (whether the pre-flight counts /boot)', () => {
  const none = { upgrades: [], installs: [] };

  it("knows each platform's kernel packages, approved or in the plan", () => {
    for (const name of ['linux-image-6.1.0-30-amd64', 'kernel-core', 'kernel-default', 'linux', 'linux-lts'])
      expect(touchesKernel([{ name }], none), name).toBe(true);
    // pacman's full upgrade brings the kernel in beside an approved openssl.
    expect(
      touchesKernel([{ name: 'openssl' }], { upgrades: [up('linux', '6.9.8.arch1-1')], installs: [] }),
    ).toBe(true);
    expect(touchesKernel([], { upgrades: [], installs: [up('linux-zen', '6.9.8.zen1-1', '')] })).toBe(true);
  });

  it('leaves out packages that only share the prefix', () => {
    for (const name of ['linux-firmware', 'linux-headers', 'linux-api-headers', 'util-linux', 'openssl'])
      expect(touchesKernel([{ name }], none), name).toBe(false);
  });
});

describe('expectedItems (what a verify checks)', () => {
  const openssl: RolloutItem = {
    name: 'openssl',
    arch: '',
    version: '3.3.1-1',
    advisories: [],
    security: true,
  };
  const plan = {
    upgrades: [up('openssl', '3.3.1-1'), up('bash', '5.2.026-5')],
    installs: [up('libnew', '1-1', '')],
  };

  it('is the approved items where packages are installed one by one', () => {
    expect(expectedItems(true, [openssl], plan)).toEqual([openssl]);
  });

  it('is the whole reviewed plan for a full upgrade: a -Syu cut short is not a success', () => {
    const items = expectedItems(false, [openssl], plan);
    expect(items.map((i) => `${i.name} ${i.version}`)).toEqual([
      'openssl 3.3.1-1',
      'bash 5.2.026-5',
      'libnew 1-1',
    ]);
    // openssl went in first, then the host rebooted: bash and libnew are still missing.
    const found = verifyItems(
      'pacman',
      items,
      new Map([
        ['openssl', '3.3.1-1'],
        ['bash', '5.2.026-2'],
      ]),
    );
    expect(found.missing.map((m) => m.name)).toEqual(['bash', 'libnew']);
    expect(expectedItems(false, [openssl], null)).toEqual([openssl]);
  });
});
