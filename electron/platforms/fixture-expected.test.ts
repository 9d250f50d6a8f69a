import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { parseApk } from './apk';
import { parseApt } from './apt';
import { parseDnf } from './dnf';
import { parseMacos } from './macos';
import { parsePacman } from './pacman';
import { splitSections } from './sections';
import type { PendingPatch, ScanFindings } from './types';
import { parseZypper } from './zypper';

// The re-capture checks parse fresh and stored output with the same parser, so they catch drift but never
// a parser bug. These expected results were written by hand from the raw fixture beside them (how, per
// platform: fixtures/README.md), never by saving what a parser returned.
const PARSERS: Record<string, (text: string) => ScanFindings> = {
  apt: (t) => parseApt(splitSections(t)),
  dnf: (t) => parseDnf(splitSections(t)),
  zypper: (t) => parseZypper(splitSections(t)),
  pacman: (t) => parsePacman(splitSections(t)),
  apk: (t) => parseApk(splitSections(t)),
  macos: (t) => parseMacos(splitSections(t)),
};

const ROOT = path.join(__dirname, 'fixtures');
/** Files under fixtures/ that end in .txt but are not host output (the capture's tool versions). */
const NOT_FIXTURES = new Set(['captured-with.txt']);

interface Expected {
  about: string;
  /**
   * Fixture files (same folder) fed in this order instead of the fixture alone: a partial fixture (one
   * section) goes in front of a whole host output, whose own copy of that section then loses (first wins).
   */
  feed?: string[];
  /** The parser must throw, with a message matching this regex. */
  throws?: string;
  patches?: Record<string, unknown>[];
  removals?: string[];
  held?: string[];
  reboot?: { required: boolean };
  /** One regex per warning, in order: exactly this many warnings. */
  warnings?: string[];
  /** One regex per note, in order, when given. */
  notes?: string[];
}

// Every patch field an expectation covers. Left out of an expected patch means the usual value, so a
// parser that sets a field nobody expected (held, keptBack, securityVersion…) still fails.
const DEFAULTS: Record<string, unknown> = {
  severity: null,
  advisories: [],
  cves: [],
  isNew: false,
  keptBack: false,
};
const KEYS = ['name', 'arch', 'installedVersion', 'candidateVersion', 'security', ...Object.keys(DEFAULTS)];

/** A parsed patch in the shape of a hand-written one: securityVersion and held only when set. */
function project(p: PendingPatch): Record<string, unknown> {
  const all: Record<string, unknown> = { ...p };
  const out = Object.fromEntries(KEYS.map((k) => [k, all[k]]));
  if (p.securityVersion) out.securityVersion = p.securityVersion;
  if (p.held) out.held = true;
  return out;
}

const byKey = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  `${String(a.name)}.${String(a.arch)}`.localeCompare(`${String(b.name)}.${String(b.arch)}`);

/**
 * Folders of the install side's captures (dry runs, installs, pre-flights): they are checked against their
 * own hand-written results by the installers' tests (apt-install.test.ts, *-install.test.ts), not by a
 * scan parser.
 */
const INSTALL_FIXTURE_DIRS = new Set(['apt-install', 'install']);

/** Every scan `.txt` fixture as `tool/name` (top-level files are apt's). */
function fixtures(): { tool: string; dir: string; fixture: string }[] {
  const entries = fs.readdirSync(ROOT, { withFileTypes: true });
  return entries
    .filter((e) => !(e.isDirectory() && INSTALL_FIXTURE_DIRS.has(e.name)))
    .flatMap((e) => {
      const dir = e.isDirectory() ? path.join(ROOT, e.name) : ROOT;
      const files = e.isDirectory() ? fs.readdirSync(dir) : [e.name];
      const tool = e.isDirectory() ? e.name : 'apt';
      return files
        .filter((f) => f.endsWith('.txt') && !NOT_FIXTURES.has(f))
        .map((f) => ({ tool, dir, fixture: f.replace(/\.txt$/, '') }));
    });
}

const cases = fixtures();

/** One regex per item, matched in order; the counts must agree. */
function expectGist(found: string[], gist: string[], what: string): void {
  expect(found, what).toHaveLength(gist.length);
  gist.forEach((re, i) => expect(found[i], `${what} ${i}`).toMatch(new RegExp(re)));
}

describe('fixtures parse to the results checked by hand', () => {
  it('has a hand-checked result beside every fixture, for a platform with a parser', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    const missing = cases.filter(
      (c) => !fs.existsSync(path.join(c.dir, `${c.fixture}.expected.json`)) || !PARSERS[c.tool],
    );
    expect(missing.map((c) => `${c.tool}/${c.fixture}`)).toEqual([]);
  });

  it.each(cases)('$tool/$fixture', ({ tool, dir, fixture }) => {
    const expected = JSON.parse(
      fs.readFileSync(path.join(dir, `${fixture}.expected.json`), 'utf8'),
    ) as Expected;
    const text = (expected.feed ?? [`${fixture}.txt`])
      .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
      .join('\n');
    const parse = () => PARSERS[tool]!(text);
    if (expected.throws) {
      expect(parse).toThrow(new RegExp(expected.throws));
      return;
    }
    const found = parse();
    const want = (expected.patches ?? []).map((p) => ({ ...DEFAULTS, ...p }));
    expect(found.patches.map(project).sort(byKey)).toEqual(want.sort(byKey));
    expect(found.removals).toEqual(expected.removals ?? []);
    expect(found.held).toEqual(expected.held ?? []);
    expect(found.reboot.required).toBe(expected.reboot?.required ?? false);
    expectGist(found.warnings, expected.warnings ?? [], 'warning');
    if (expected.notes) expectGist(found.notes ?? [], expected.notes, 'note');
  });
});
