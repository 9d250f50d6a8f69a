import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

import { describe, expect, it } from 'vitest';

import { needs } from '../../test/helpers/needs';
import { compareDebVersions } from './deb-version';

const VERSIONS = [
  '0',
  '1',
  '1.0',
  '1.0-1',
  '1.0-1+b1',
  '1.0-1~bpo12+1',
  '1.0~rc1-1',
  '1.0~~',
  '1.0~',
  '1.0a',
  '1.0+',
  '1.0.0',
  '1:0',
  '2:1.0',
  '1.0-1.1',
  '1.0-10',
  '1.0-9',
  '10.0',
  '9.9',
  '1.0+dfsg-1',
  '1.0+dfsg1-1',
  '1.0-1ubuntu1',
  '5.36.0-7+deb12u3',
  '5.36.0-7+deb12u4',
  '12.4+deb12u11',
  '12.4+deb12u15',
  '2.36-9+deb12u10',
  '2.36-9+deb12u9',
];

describe('compareDebVersions against the real dpkg', () => {
  it.runIf(
    needs('dpkg', fs.existsSync('/usr/bin/dpkg'), "Debian's dpkg is needed to cross-check version order"),
  )('orders every pair as dpkg --compare-versions does', () => {
    // All pairs in one shell: one dpkg process per pair (784 of them) took 7 s on a loaded machine.
    const pairs = VERSIONS.flatMap((a) => VERSIONS.map((b) => [a, b] as const));
    const out = execFileSync(
      'sh',
      ['-c', 'while IFS="	" read -r a b; do dpkg --compare-versions "$a" lt "$b" && echo 1 || echo 0; done'],
      { input: pairs.map(([a, b]) => `${a}\t${b}\n`).join(''), encoding: 'utf8' },
    )
      .trim()
      .split('\n');
    expect(out).toHaveLength(pairs.length);
    const disagreements = pairs
      .filter(([a, b], i) => compareDebVersions(a, b) < 0 !== (out[i] === '1'))
      .map(([a, b]) => `${a} < ${b}: dpkg says ${String(!(compareDebVersions(a, b) < 0))}`);
    expect(disagreements).toEqual([]);
  });
});
