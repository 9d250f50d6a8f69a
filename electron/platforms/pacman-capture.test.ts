import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { capturePacman, type PacmanState } from '../../test/capture/pacman-repo';
import { needs } from '../../test/helpers/needs';
import { SECTION_MARKER } from './adapter';
import { parsePacman } from './pacman';
import { splitSections } from './sections';

const tools = [
  '/usr/bin/pacman',
  '/usr/bin/repo-add',
  '/usr/bin/bsdtar',
  '/usr/bin/unshare',
  '/usr/bin/setpriv',
];
const ready =
  process.getuid?.() === 0 && tools.every((t) => fs.existsSync(t)) && fs.existsSync('/etc/pacman.conf');

const HOST = ['os-release', 'ID=arch', 'uname', 'Linux 6.9.7-arch1-1 x86_64', 'pm', 'pacman'];
const withHost = (text: string) =>
  `${text}\n${HOST.map((v, i) => (i % 2 === 0 ? `${SECTION_MARKER}${v}@@` : v)).join('\n')}`;
const parse = (text: string) => parsePacman(splitSections(withHost(text)));

describe.runIf(
  needs(
    'root, pacman, bsdtar and repo-add',
    ready,
    'run as root; apt-get install pacman-package-manager libarchive-tools',
  ),
)('pacman fixtures are what real pacman prints today', () => {
  let work = '';
  let captured: Record<PacmanState, string>;

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-pacman-test-'));
    captured = await capturePacman(work);
  }, 120_000);
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('recognises the pretend Arch root with the adapter probe', () => {
    expect(splitSections(captured.pending).get('probe')).toBe('yes');
  });

  it.each(['never-synced', 'up-to-date', 'pending', 'upgraded'] as const)(
    'parses the %s state exactly as the checked-in fixture',
    (state) => {
      const stored = fs.readFileSync(path.join(__dirname, 'fixtures', 'pacman', `${state}.txt`), 'utf8');
      const fresh = parse(captured[state]);
      const fixed = parse(stored);
      expect(fresh.patches).toEqual(fixed.patches);
      expect(fresh.held).toEqual(fixed.held);
      expect(fresh.reboot).toEqual(fixed.reboot);
      expect(fresh.warnings).toEqual(fixed.warnings);
      expect(Math.abs((fresh.listsAgeSeconds ?? 0) - (fixed.listsAgeSeconds ?? 0))).toBeLessThan(120);
    },
  );

  it('still fails the same way on a corrupt sync database', () => {
    expect(() => parse(captured['corrupt-db'])).toThrow(
      /could not open file .*core.db: Unrecognized archive/,
    );
  });
});
