// The simulator's profiles on disk: outputs captured from real targets (test/sim/profiles/, written by
// capture-profiles.ts) plus the full collection outputs the platform adapters keep as fixtures. The demo
// runs from a bundle that cannot read test/, so the same profiles are also compiled into
// electron/demo/sim-profiles.generated.ts; profiles.test.ts fails when the two drift apart.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import prettier from 'prettier';

import { sectionOf, type SimProfile } from '../../electron/demo/sim-profiles';
import { ADAPTERS } from '../../electron/platforms/adapters';
import { COLLECT_SCRIPT, SECTION_MARKER } from '../../electron/platforms/collect-script';

const root = path.resolve(import.meta.dirname, '..', '..');
/** Where captured profiles and their index live. */
export const PROFILE_DIR = path.join(root, 'test', 'sim', 'profiles');
const FIXTURE_DIR = path.join(root, 'electron', 'platforms', 'fixtures');
/** The module the demo and the fleet import. */
export const GENERATED_MODULE = path.join(root, 'electron', 'demo', 'sim-profiles.generated.ts');

/** One captured profile, as index.json lists it. */
export interface ProfileEntry {
  id: string;
  source: string;
  scriptSha256: string;
  /** File names under PROFILE_DIR. */
  output: string;
  refresh?: string;
}

/** sha256 of the collection script as it is now. */
export const currentScriptSha256 = (): string =>
  crypto.createHash('sha256').update(COLLECT_SCRIPT).digest('hex');

/** The index of captured profiles (empty before the first capture). */
export function readIndex(): ProfileEntry[] {
  const file = path.join(PROFILE_DIR, 'index.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as ProfileEntry[]) : [];
}

/** Replaces the index. */
export function writeIndex(entries: ProfileEntry[]): void {
  fs.writeFileSync(path.join(PROFILE_DIR, 'index.json'), `${JSON.stringify(entries, null, 2)}\n`);
}

const isFullCollection = (text: string) =>
  text.includes(`${SECTION_MARKER}pm@@`) && text.includes(`${SECTION_MARKER}end@@`);

// Adapter fixtures written from documentation rather than captured from the tool (their authors name them
// so): a simulator replaying those would only repeat a guess, so they are left out.
const NOT_CAPTURED = /from-docs|known-shape|documented/;

// Captured adapter fixtures kept on purpose in the shape an OLDER collection script printed (the parser
// must still read it), so a simulator must not replay them as a host of today. Each needs a reason.
const OLD_SHAPE: Record<string, string> = {
  'debian12-collect.txt':
    'apt before the apt-sources/apt-policy sections; the same machine with them is debian12-policy.txt',
  'debian12-policy.txt':
    'apt before the apt-source-names section (session 5); the captured profiles in test/sim/profiles have it',
};

const sectionNames = (text: string): string[] =>
  [...text.matchAll(/@@PATCHBAY:([a-z0-9-]{1,40})@@/g)].map((m) => m[1] as string);

/**
 * The sections the current COLLECT_SCRIPT prints on a host of this platform: the common ones, `pm` and
 * `end` (the script's markers that belong to no adapter), then the platform adapter's own.
 */
export function currentSections(platform: string): string[] {
  const adapterOwned = new Set(ADAPTERS.flatMap((a) => sectionNames(a.collect.join('\n'))));
  const shared = sectionNames(COLLECT_SCRIPT).filter((n) => !adapterOwned.has(n));
  const own = ADAPTERS.find((a) => a.id === platform)?.collect.join('\n') ?? '';
  return [...new Set([...shared, ...sectionNames(own)])];
}

/** The sections the current script prints for this profile's platform that its output lacks. */
export function missingSections(p: Pick<SimProfile, 'platform' | 'output'>): string[] {
  const have = new Set(sectionNames(p.output));
  return currentSections(p.platform).filter((n) => !have.has(n));
}

/** Fixture files under electron/platforms/fixtures (top level and one folder per platform). */
function fixtureFiles(): string[] {
  return fs
    .readdirSync(FIXTURE_DIR, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? fs.readdirSync(path.join(FIXTURE_DIR, e.name)).map((f) => `${e.name}/${f}`)
        : [e.name],
    )
    .filter((f) => f.endsWith('.txt') && !NOT_CAPTURED.test(f) && !(path.basename(f) in OLD_SHAPE))
    .sort();
}

/**
 * Every profile: the captured ones, then each adapter fixture that is a whole collection output captured
 * from the real tools (`fixtures/dnf/updates.txt` becomes `fixture-dnf-updates`). New fixtures of other
 * platforms become simulator profiles when the generated module is rebuilt; the fleet uses a profile only
 * once Patchbay has an adapter for its platform (see usableProfiles()).
 */
export function loadProfiles(): SimProfile[] {
  const captured = readIndex().map((e): SimProfile => {
    const output = fs.readFileSync(path.join(PROFILE_DIR, e.output), 'utf8');
    return {
      id: e.id,
      platform: sectionOf(output, 'pm'),
      source: e.source,
      scriptSha256: e.scriptSha256,
      output,
      ...(e.refresh ? { refreshOutput: fs.readFileSync(path.join(PROFILE_DIR, e.refresh), 'utf8') } : {}),
    };
  });
  const fixtures = fixtureFiles().flatMap((f): SimProfile[] => {
    const output = fs.readFileSync(path.join(FIXTURE_DIR, f), 'utf8');
    if (!isFullCollection(output)) return [];
    const id = `fixture-${f
      .replace(/(-collect)?\.txt$/, '')
      .replace(/[^a-z0-9]+/gi, '-')
      .toLowerCase()}`;
    return [
      {
        id,
        platform: sectionOf(output, 'pm'),
        source: `electron/platforms/fixtures/${f}: captured by the ${sectionOf(output, 'pm')} adapter's author (see its README)`,
        scriptSha256: '',
        output,
      },
    ];
  });
  return [...captured, ...fixtures];
}

/** Whether a profile comes from test/sim/profiles (captured by capture-profiles.ts). */
export const isCaptured = (p: SimProfile): boolean => !p.id.startsWith('fixture-');

/** The generated module's text for these profiles, formatted as the repository formats code. */
export async function generatedSource(profiles: SimProfile[]): Promise<string> {
  const text = [
    '// GENERATED by test/sim/capture-profiles.ts from test/sim/profiles/ and electron/platforms/fixtures/.',
    '// Do not edit: re-run `npx tsx test/sim/capture-profiles.ts` (or `--generate-only`).',
    "import type { SimProfile } from './sim-profiles';",
    '',
    '/** Collection outputs captured from real hosts, replayed by the fleet simulator. */',
    `export const CAPTURED_PROFILES: readonly SimProfile[] = ${JSON.stringify(profiles, null, 2)};`,
    '',
  ].join('\n');
  const options = await prettier.resolveConfig(GENERATED_MODULE);
  return prettier.format(text, { ...options, filepath: GENERATED_MODULE });
}

/** Rebuilds electron/demo/sim-profiles.generated.ts from the files. */
export async function writeGeneratedModule(): Promise<SimProfile[]> {
  const profiles = loadProfiles();
  fs.writeFileSync(GENERATED_MODULE, await generatedSource(profiles));
  return profiles;
}
