import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { parseDnf } from './dnf';
import { splitSections } from './sections';
import type { PendingPatch, ScanFindings } from './types';
import { parseZypper } from './zypper';

// The re-capture checks parse fresh and stored output with the same parser, so they catch drift but never
// a parser bug. These expected results were written by hand from the raw fixture beside them.
const PARSERS: Record<string, (text: string) => ScanFindings> = {
  dnf: (t) => parseDnf(splitSections(t)),
  zypper: (t) => parseZypper(splitSections(t)),
};

interface Expected {
  patches: Record<string, unknown>[];
  removals?: string[];
  held?: string[];
  reboot?: { required: boolean };
}

/** The fields a hand-written expectation covers; securityVersion and held only when set. */
function project(p: PendingPatch, keys: string[]): Record<string, unknown> {
  const all: Record<string, unknown> = { ...p };
  if (!p.securityVersion) delete all.securityVersion;
  if (!p.held) delete all.held;
  return Object.fromEntries(keys.filter((k) => k in all).map((k) => [k, all[k]]));
}

const byKey = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  `${String(a.name)}.${String(a.arch)}`.localeCompare(`${String(b.name)}.${String(b.arch)}`);

const cases = Object.keys(PARSERS).flatMap((tool) => {
  const dir = path.join(__dirname, 'fixtures', tool);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.expected.json'))
    .map((f) => ({ tool, fixture: f.replace(/\.expected\.json$/, '') }));
});

describe('fixtures parse to the results checked by hand', () => {
  it('has hand-checked results for the dnf and zypper update fixtures', () => {
    expect(cases.map((c) => `${c.tool}/${c.fixture}`)).toEqual(
      expect.arrayContaining(['dnf/updates', 'zypper/updates']),
    );
  });

  it.each(cases)('$tool/$fixture', ({ tool, fixture }) => {
    const dir = path.join(__dirname, 'fixtures', tool);
    const expected = JSON.parse(
      fs.readFileSync(path.join(dir, `${fixture}.expected.json`), 'utf8'),
    ) as Expected;
    const found = PARSERS[tool]!(fs.readFileSync(path.join(dir, `${fixture}.txt`), 'utf8'));
    const keys = [...new Set(expected.patches.flatMap((p) => Object.keys(p)))];
    expect(found.patches.map((p) => project(p, keys)).sort(byKey)).toEqual([...expected.patches].sort(byKey));
    if (expected.removals) expect(found.removals).toEqual(expected.removals);
    if (expected.held) expect(found.held).toEqual(expected.held);
    if (expected.reboot) expect(found.reboot.required).toBe(expected.reboot.required);
  });
});
