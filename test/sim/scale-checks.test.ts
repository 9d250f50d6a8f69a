import { describe, expect, it } from 'vitest';

import { type HostOutcome, type ScaleRun, scaleRunProblems } from '../bench/scale-checks';

const run = (patch: Partial<ScaleRun> = {}): ScaleRun => ({
  hosts: ['a', 'b', 'odd'],
  failingProfiles: new Set(['windows']),
  outcomes: [
    { name: 'a', profile: 'debian12', status: 'ok', errorKind: '' },
    { name: 'b', profile: 'rocky9', status: 'ok', errorKind: '' },
    { name: 'odd', profile: 'windows', status: 'failed', errorKind: 'unsupported' },
  ],
  before: { a: { connections: 3, execs: 3 }, b: { connections: 0, execs: 0 } },
  after: {
    a: { connections: 4, execs: 4 },
    b: { connections: 1, execs: 1 },
    odd: { connections: 1, execs: 1 },
  },
  ...patch,
});

describe('what makes a bench:scale run fail', () => {
  it('accepts one connection and one command per host, and the failures profiles call for', () => {
    expect(scaleRunProblems(run())).toEqual([]);
  });

  it('names hosts that failed unexpectedly, or passed where they must fail, or have no result', () => {
    const outcome = (name: string) => run().outcomes.find((o) => o.name === name) as HostOutcome;
    const a = outcome('a');
    const odd = outcome('odd');
    const problems = scaleRunProblems(
      run({
        outcomes: [
          { ...a, status: 'failed', errorKind: 'timeout' },
          { ...odd, status: 'ok', errorKind: '' },
        ],
      }),
    );
    expect(problems).toEqual([
      '1 host(s) have no result: b',
      '2 host(s) did not end as expected: a (debian12) failed timeout; odd (windows) ok',
    ]);
  });

  it('names hosts that got a second connection or a second command', () => {
    const after = { ...run().after, a: { connections: 4, execs: 5 }, b: { connections: 2, execs: 2 } };
    expect(scaleRunProblems(run({ after }))).toEqual([
      '2 host(s) did not get exactly one connection and one command: a: 1 connection(s), 2 command(s); ' +
        'b: 2 connection(s), 2 command(s)',
    ]);
  });
});
