import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

import { describe, expect, it } from 'vitest';

import { needs } from '../../test/helpers/needs';
import { compareEvr, formatEvr, parseEvr, rpmvercmp } from './rpm-version';

// Versions chosen for the corners of rpm's algorithm: tilde (pre-release), caret (post-release snapshot),
// letters against digits, leading zeros, separators, non-ASCII bytes, and real RHEL/SUSE/Fedora strings.
const VERSIONS = [
  '0',
  '1',
  '1.0',
  '1.0.0',
  '1.0a',
  '1.0.a',
  '1.0~rc1',
  '1.0~rc2',
  '1.0~~',
  '1.0~',
  '1.0^',
  '1.0^git1',
  '1.0^git1~pre',
  '1.0_1',
  '1.00',
  '1.01',
  '1.010',
  '1.1',
  '1.10',
  '1.9',
  '2.0beta',
  '2.0',
  'a',
  'b',
  'A',
  '1a',
  '1+',
  '1.0+dfsg',
  '1.é',
  '1.0é1',
  '2024a',
  '2024b',
  '5.14.0',
  '5.14.0-427.13.1.el9_4',
  '5.14.0-427.2.1.el9_4',
  '4.18.0-513.el8',
  '150600.23.25.1',
  '150600.23.7.1',
  '3.0.7-27.el9',
  '3.0.7-28.el9_4',
  '1:0.9-1',
  '2:0.9-1',
  '1:1.0-1',
  '0:1.0-1',
  '1.0-1',
  '1.0-10',
  '1.0-9',
];

/** Every ordered pair of `versions` compared by the real rpm's Lua `rpm.vercmp` (rpmverCmp), in one process. */
function realOrder(versions: string[]): number[] {
  const table = versions.map((v) => `[==[${v}]==]`).join(',');
  const lua = `local v = {${table}} for i = 1, #v do for j = 1, #v do print(rpm.vercmp(v[i], v[j]) .. "\\n") end end`;
  const out = execFileSync('rpm', ['--eval', `%{lua: ${lua}}`], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map(Number);
}

const hasRpm = fs.existsSync('/usr/bin/rpm');

describe('rpmvercmp against the real rpm', () => {
  it.runIf(needs('rpm', hasRpm, "Debian's rpm package is needed to cross-check rpm version order"))(
    'orders every pair as rpm.vercmp does',
    () => {
      const pairs: [string, string][] = [];
      for (const a of VERSIONS) for (const b of VERSIONS) pairs.push([a, b]);
      const real = realOrder(VERSIONS);
      expect(real).toHaveLength(pairs.length);
      const mismatches = pairs
        .map(([a, b], i) => ({ a, b, ours: Math.sign(compareEvr(a, b)), rpm: real[i] }))
        .filter((r) => r.ours !== r.rpm);
      expect(mismatches).toEqual([]);
    },
  );
});

describe('rpm version order', () => {
  it('puts tilde before and caret after the base version', () => {
    expect(rpmvercmp('1.0~rc1', '1.0')).toBe(-1);
    expect(rpmvercmp('1.0^git1', '1.0')).toBe(1);
    expect(rpmvercmp('1.0^git1', '1.0.1')).toBe(-1);
  });

  it('compares digits numerically and above letters', () => {
    expect(rpmvercmp('1.10', '1.9')).toBe(1);
    expect(rpmvercmp('1.010', '1.10')).toBe(0);
    expect(rpmvercmp('1.0', '1.a')).toBe(1);
  });

  it('lets the epoch win over the version', () => {
    expect(compareEvr('1:1.0-1', '2:0.9-1')).toBe(-1);
    expect(compareEvr('0:1.0-1', '1.0-1')).toBe(0);
  });

  it('splits and prints epoch, version and release as dnf shows them', () => {
    expect(parseEvr('2:0.9-1.el9')).toEqual({ epoch: 2, version: '0.9', release: '1.el9' });
    expect(formatEvr(parseEvr('0:1.0-1'))).toBe('1.0-1');
    expect(formatEvr(parseEvr('3:1.0-1'))).toBe('3:1.0-1');
  });
});

// The one implementation with libalpm's rules; pacman-vercmp.test.ts checks those against libalpm's vercmp.
describe('rpmvercmp: rpm and libalpm rules side by side', () => {
  // [a, b, rpm's answer, libalpm's answer]; rpm's are what `rpm.vercmp` prints, libalpm's what vercmp does.
  const cases: [string, string, number, number][] = [
    ['1.0a', '1.0', 1, -1],
    ['1..0', '1.0', 0, 1],
    ['1.0~rc1', '1.0', -1, 1],
    ['1.0^git1', '1.0', 1, 1],
    ['1.0', '1.0.1', -1, -1],
    ['1.a', '1', 1, 1],
    ['2.40', '2.39+r52', 1, 1],
  ];
  it.each(cases)('%s against %s: rpm %i, libalpm %i', (a, b, rpm, alpm) => {
    expect(rpmvercmp(a, b)).toBe(rpm);
    expect(rpmvercmp(a, b, 'alpm')).toBe(alpm);
    expect(rpmvercmp(b, a, 'alpm')).toBe(-alpm);
  });
  it.runIf(needs('rpm', fs.existsSync('/usr/bin/rpm'), "Debian's rpm package gives rpm's answers"))(
    'gives the answers above that the real rpm gives',
    () => {
      for (const [a, b, want] of cases) {
        const out = execFileSync('rpm', ['--eval', `%{lua: print(rpm.vercmp("${a}", "${b}"))}`], {
          encoding: 'utf8',
        });
        expect(Number(out.trim()), `${a} vs ${b}`).toBe(want);
      }
    },
  );
});
