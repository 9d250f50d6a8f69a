import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

import { describe, expect, it } from 'vitest';

import { needs } from '../../test/helpers/needs';
import { comparePacmanVersions } from './pacman-vercmp';

const sign = (n: number) => Math.sign(n);

describe('pacman version order', () => {
  it('follows libalpm on the cases Arch packages hit', () => {
    const ordered = [
      '1.0alpha-1',
      '1.0rc1-1',
      '1.0-1',
      '1.0-2',
      '1.0.a-1',
      '1.0.1-1',
      '1.0.10-1',
      '2.39+r52+gf8e4623421-1',
      '2.40-1',
      '1:0.1-1',
    ];
    for (let i = 0; i + 1 < ordered.length; i++) {
      const [a = '', b = ''] = [ordered[i], ordered[i + 1]];
      expect(sign(comparePacmanVersions(a, b)), `${a} < ${b}`).toBe(-1);
      expect(sign(comparePacmanVersions(b, a)), `${b} > ${a}`).toBe(1);
    }
    expect(comparePacmanVersions('1.0-1', '1.0-01')).toBe(0);
    // Without a pkgrel, every release of the version matches (dependency semantics).
    expect(comparePacmanVersions('1.0', '1.0-5')).toBe(0);
    // libalpm counts separators: a longer run of them is newer.
    expect(sign(comparePacmanVersions('1.0', '1..0'))).toBe(-1);
  });
});

// pacman-package-manager (Debian) ships libalpm's own vercmp.
const hasVercmp = fs.existsSync('/usr/bin/vercmp');

describe.runIf(needs('vercmp', hasVercmp, 'apt-get install pacman-package-manager'))(
  'pacman version order against the real vercmp',
  () => {
    it('agrees with /usr/bin/vercmp on 2000 generated pairs', () => {
      const parts = ['1', '0', '2', '10', '007', 'a', 'b', 'rc', 'alpha', '.', '-', '_', '+', '~', ':', 'r'];
      let seed = 7;
      const next = (n: number) => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      const version = () => Array.from({ length: 1 + next(6) }, () => parts[next(parts.length)]).join('');
      const pairs = Array.from({ length: 2000 }, () => [version(), version()] as const);
      const input = pairs.map(([a, b]) => `${a}\t${b}\n`).join('');
      const real = execFileSync('sh', ['-c', 'while IFS="\t" read -r a b; do vercmp "$a" "$b"; done'], {
        input,
      })
        .toString()
        .trim()
        .split('\n')
        .map(Number);
      const disagreements = pairs.filter(
        ([a, b], i) => sign(comparePacmanVersions(a, b)) !== sign(real[i] ?? NaN),
      );
      expect(disagreements).toEqual([]);
    }, 60_000);
  },
);
