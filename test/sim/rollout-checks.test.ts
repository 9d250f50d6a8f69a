import { describe, expect, it } from 'vitest';

import { type RolloutRun, rolloutRunProblems } from '../bench/rollout-checks';

const ok = (name: string) => ({
  name,
  state: 'succeeded',
  reason: '',
  installed: ['pb-tzdata', 'pb-openssl'],
});
const counts = (installs: number, secondStarts = 0) => ({
  connections: 4,
  execs: 12,
  installs,
  secondStarts,
});

const run = (patch: Partial<RolloutRun> = {}): RolloutRun => ({
  hosts: [ok('alone'), ok('a'), ok('b')],
  expected: ['pb-openssl', 'pb-tzdata'],
  measured: ['a', 'b'],
  before: { alone: counts(1), a: counts(0), b: counts(0) },
  after: { alone: counts(1), a: counts(1), b: counts(1) },
  left: [],
  ...patch,
});

describe('what makes a bench:rollout run fail', () => {
  it('accepts every host succeeded with everything installed, one install operation each', () => {
    expect(rolloutRunProblems(run())).toEqual([]);
  });

  it('names a host that ended wrong, installed less, or has no outcome', () => {
    const failed = { ...ok('a'), state: 'failed', reason: 'disk full' };
    expect(rolloutRunProblems(run({ hosts: [ok('alone'), failed, ok('b')] }))[0]).toMatch(
      /1 host.*a failed \(disk full\)/,
    );
    const partly = { ...ok('b'), installed: ['pb-openssl'] };
    expect(rolloutRunProblems(run({ hosts: [ok('alone'), ok('a'), partly] }))[0]).toMatch(/b succeeded/);
    expect(rolloutRunProblems(run({ hosts: [ok('alone'), ok('a')] }))).toEqual([
      '1 measured host(s) have no outcome: b',
    ]);
  });

  it('names an approved patch the verify rescan still lists', () => {
    expect(rolloutRunProblems(run({ left: [{ name: 'a', patch: 'pb-openssl' }] }))).toEqual([
      '1 approved patch(es) still listed after the verify rescan: a pb-openssl',
    ]);
  });

  it('fails a host that got a package operation twice, or none in the measured run', () => {
    expect(rolloutRunProblems(run({ after: { alone: counts(1), a: counts(2), b: counts(1) } }))).toEqual([
      '1 host(s) got a package operation more than once: a: 2 install operation(s), 0 second start(s)',
      '1 measured host(s) did not get exactly one install operation: a',
    ]);
    expect(rolloutRunProblems(run({ after: { alone: counts(1), a: counts(1, 1), b: counts(1) } }))).toEqual([
      '1 host(s) got a package operation more than once: a: 1 install operation(s), 1 second start(s)',
    ]);
    expect(rolloutRunProblems(run({ after: { alone: counts(1), a: counts(1), b: counts(0) } }))).toEqual([
      '1 measured host(s) did not get exactly one install operation: b',
    ]);
  });
});
