import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { section, SECTION_MARKER } from './adapter';
import { APPLE_SILICON_NOTE, BREW_GREEDY_NOTE, MACOS_SECURITY_NOTE, macosAdapter, parseMacos } from './macos';
import { parseBrew } from './macos-brew';
import { MACOS_COLLECT, MACOS_PROBE } from './macos-collect';
import { splitSections } from './sections';
import { UnparseableOutputError } from './types';

// softwareupdate and brew do not run on Linux: these fixtures follow Apple's and Homebrew's known output
// shapes (see fixtures/macos/README.md); none is a capture.
const fixture = (name: string) => fs.readFileSync(path.join(__dirname, 'fixtures', 'macos', name), 'utf8');
const SONOMA = fixture('sonoma-pending-known-shape.txt');

/** A fixture with some sections replaced (a section printed twice keeps its first copy). */
const withSections = (over: Record<string, string>, base = SONOMA) =>
  Object.entries(over)
    .map(([k, v]) => `${SECTION_MARKER}${k}@@\n${v}`)
    .join('\n') + `\n${base}`;

const parse = (text: string | Buffer) => parseMacos(splitSections(text));

describe('macOS findings (known output shapes, not captures)', () => {
  it('reads the Mac from sw_vers, uname and sysctl', () => {
    expect(parse(SONOMA).facts).toEqual({
      osId: 'macos',
      osLike: '',
      prettyName: 'macOS 14.5 Sonoma',
      versionId: '14.5',
      codename: 'sonoma',
      kernel: '23.5.0',
      arch: 'arm64',
      bootId: '8b5f4e2a-3c1d-4e6f-9a7b-1c2d3e4f5a6b',
      uptimeSeconds: 400000,
    });
  });

  it('lists Apple updates by install label, then Homebrew formulae and casks; pinned formulae held', () => {
    const f = parse(SONOMA);
    expect(
      f.patches.map((p) => `${p.origin}: ${p.name} ${p.installedVersion} -> ${p.candidateVersion}`),
    ).toEqual([
      'Apple softwareupdate: Command Line Tools for Xcode-15.3  -> 15.3',
      'Apple softwareupdate: macOS Sonoma 14.6-23G80 14.5 -> 14.6',
      'Apple softwareupdate: Safari17.6SonomaAuto-17.6  -> 17.6',
      'Homebrew cask: docker 4.30.0,149282 -> 4.31.0,153195',
      'Homebrew cask: firefox 126.0.1 -> 127.0.2',
      'Homebrew formula: git 2.45.1 -> 2.45.2',
      'Homebrew formula: openssl@3 3.3.0 -> 3.3.1',
      'Homebrew formula: python@3.12 3.12.3 -> 3.12.4',
    ]);
    // `brew pin`: brew upgrade skips it, but the pending update shows, marked held (never dropped).
    expect(f.held).toEqual(['python@3.12']);
    expect(f.patches.filter((p) => p.held).map((p) => p.name)).toEqual(['python@3.12']);
    expect(f.listsAgeSeconds).toBe(9900);
    expect(f.warnings).toEqual([]);
  });

  it('leaves security unknown unless the update says it is one', () => {
    expect(parse(SONOMA).patches.every((p) => p.security === null)).toBe(true);
    const rsr = parse(fixture('ventura-rsr-known-shape.txt'));
    expect(rsr.patches).toMatchObject([
      {
        name: 'macOS Security Response 13.4.1 (c)-22F770820d',
        // The Mac runs 13.4.1 with Rapid Security Response (a): that is what (c) replaces.
        installedVersion: '13.4.1 (a)',
        candidateVersion: '13.4.1 (c)',
        security: true,
      },
    ]);
    expect(rsr.facts).toMatchObject({ prettyName: 'macOS 13.4.1 (a) Ventura', versionId: '13.4.1' });
    const catalina = parse(fixture('catalina-security-update-known-shape.txt'));
    expect(catalina.patches[0]).toMatchObject({
      name: 'Security Update 2022-005 Catalina-10.15.7',
      security: true,
    });
    expect(catalina.facts.prettyName).toBe('macOS 10.15.7 Catalina');
  });

  it('notes the Apple silicon install limit and restart-on-install, without claiming a reboot is due', () => {
    const f = parse(SONOMA);
    expect(APPLE_SILICON_NOTE).toBe(
      "Installing macOS updates remotely on Apple silicon needs a volume owner's credentials (softwareupdate --install asks for them); Patchbay can list them but a technician may have to approve installs on the Mac.",
    );
    expect(f.notes).toEqual([
      APPLE_SILICON_NOTE,
      MACOS_SECURITY_NOTE,
      'Installing macOS Sonoma 14.6-23G80 restarts the Mac.',
      BREW_GREEDY_NOTE,
    ]);
    expect(f.reboot).toEqual({ required: false, reasons: [] });
    expect(parse(fixture('catalina-security-update-known-shape.txt')).notes).not.toContain(
      APPLE_SILICON_NOTE,
    );
  });

  it('reports an up-to-date Mac and stale Homebrew data', () => {
    const f = parse(fixture('up-to-date-known-shape.txt'));
    expect(f.patches).toEqual([]);
    expect(f.warnings).toEqual([
      "Homebrew's package data was last updated 16 days ago: run brew update as the Mac's user.",
    ]);
  });
});

describe('Homebrew output', () => {
  const brew = (json: unknown, extra: string[] = []) => [
    ...extra,
    ...JSON.stringify(json, null, 2).split('\n'),
    'exit=0',
  ];

  it('is skipped as root or where brew is absent', () => {
    expect(parseBrew(['skipped=root']).warnings[0]).toMatch(/logged in as root/);
    expect(parseBrew(['skipped=absent'])).toEqual({ ran: false, patches: [], held: [], warnings: [] });
  });

  it("reads older Homebrew's comma-joined cask versions and passes brew's warnings on", () => {
    const r = parseBrew(
      brew({ casks: [{ name: 'zoom', installed_versions: '5.17.0, 6.0.11', current_version: '6.1.0' }] }, [
        'Warning: Treating zoom as a cask.',
      ]),
    );
    expect(r.patches).toMatchObject([
      { name: 'zoom', installedVersion: '6.0.11', candidateVersion: '6.1.0' },
    ]);
    expect(r.warnings).toEqual(['brew: Warning: Treating zoom as a cask.']);
  });

  it('drops entries that break the grammar and survives garbage', () => {
    const r = parseBrew(
      brew({
        formulae: [
          { name: '$(reboot)', installed_versions: ['1'], current_version: '2', pinned: false },
          { name: 'ok', installed_versions: ['1.0'], current_version: '1.1;rm -rf ~', pinned: false },
          { name: 'good', installed_versions: ['1.0'], current_version: '1.1', pinned: false },
          { name: 'x'.repeat(500), installed_versions: ['1'], current_version: '2' },
          { installed_versions: ['1'] },
        ],
      }),
    );
    expect(r.patches.map((p) => p.name)).toEqual(['good']);
    expect(r.warnings).toEqual(['4 Homebrew entr(ies) did not look like packages and were ignored']);
    expect(parseBrew(['Error: Permission denied @ rb_sysopen', 'exit=1']).warnings).toEqual([
      'brew outdated printed no readable list: Error: Permission denied @ rb_sysopen',
    ]);
    expect(parseBrew(['{', '  "formulae": [', 'exit=0']).warnings[0]).toMatch(/no readable list/);
  });

  it('keeps Apple results when brew fails', () => {
    const f = parse(withSections({ brew: 'Error: Homebrew is broken\nexit=1' }));
    expect(f.patches).toHaveLength(3);
    expect(f.warnings).toEqual(['brew outdated printed no readable list: Error: Homebrew is broken']);
  });
});

describe('softwareupdate against hostile output', () => {
  const su = (lines: string[], exit = 0) => ({ softwareupdate: [...lines, `exit=${exit}`].join('\n') });

  it('drops labels a shell would read and never lets them through', () => {
    const f = parse(
      withSections(
        su([
          '* Label: $(reboot)',
          '\tTitle: x, Version: 1, Size: 1KiB, Recommended: YES, ',
          '* Label: `id`;x-1',
          '\tTitle: y, Version: 1, Size: 1KiB, Recommended: YES, ',
          '* Label: Good-1.0',
          '\tTitle: Good, Version: 1.0, Size: 1KiB, Recommended: YES, ',
          '* Label: ' + 'A'.repeat(100_000),
          '\tTitle: z, Version: 1, Size: 1KiB, Recommended: YES, ',
          '* Label: Evil-1',
          '\tTitle: Evil, Version: 1$(x), Size: 1KiB, Recommended: YES, ',
        ]),
      ),
    );
    expect(f.patches.filter((p) => p.origin === 'Apple softwareupdate').map((p) => p.name)).toEqual([
      'Good-1.0',
    ]);
    expect(f.warnings).toContain('4 softwareupdate entr(ies) did not look like updates and were ignored');
  });

  it('says what another language said instead of claiming nothing is pending', () => {
    const german = su(['Softwareaktualisierungs-Tool', 'Keine neue Software verfügbar.']);
    const f = parse(withSections(german));
    expect(f.patches.filter((p) => p.origin === 'Apple softwareupdate')).toEqual([]);
    expect(f.warnings).toContain('softwareupdate said: Softwareaktualisierungs-Tool');
  });

  it('refuses truncated output and reports failures in words', () => {
    expect(() => parse(SONOMA.split(`${SECTION_MARKER}end@@`)[0] ?? '')).toThrow(/ended early/);
    expect(() => parse(withSections({ softwareupdate: '* Label: macOS Sonoma 14.6-23G80' }))).toThrow(
      /cut off/,
    );
    const failed = su(['Software Update Tool', "Can't connect to the Apple Software Update server."], 1);
    expect(() => parse(withSections(failed))).toThrow(UnparseableOutputError);
    expect(() => parse(withSections(failed))).toThrow(
      /softwareupdate failed on the host: Can't connect to the Apple Software Update server/,
    );
    expect(() => parse(withSections({ 'sw-vers': '' }))).toThrow(/sw_vers did not report a macOS version/);
  });

  it('survives invalid UTF-8 and NULs', () => {
    const bytes = Buffer.concat([
      Buffer.from([0xff, 0xfe, 0x00]),
      Buffer.from(SONOMA),
      Buffer.from([0xe2, 0x82]),
    ]);
    expect(parse(bytes).patches).toHaveLength(8);
  });
});

describe('the macOS collection snippets', () => {
  const script = ['LC_ALL=C; export LC_ALL', ...MACOS_COLLECT, section('end', 'echo done')].join('\n');

  it('are POSIX sh (dash and bash --posix parse them) and constant', () => {
    execFileSync('dash', ['-n'], { input: script });
    execFileSync('bash', ['--posix', '-n'], { input: script });
    expect(macosAdapter).toMatchObject({ id: 'macos', probe: MACOS_PROBE, collect: MACOS_COLLECT });
    expect(script).not.toMatch(/sudo/);
  });

  it('run to the end under dash on a machine without the Mac tools, and the parser refuses it', () => {
    const out = execFileSync('dash', ['-s'], {
      input: script,
      env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent' },
    });
    const sections = splitSections(out);
    expect([...sections.keys()]).toEqual([
      'sw-vers',
      'macos-boot',
      'softwareupdate',
      'brew',
      'brew-api',
      'end',
    ]);
    expect(() => parseMacos(sections)).toThrow(/sw_vers did not report a macOS version/);
    expect(
      execFileSync('sh', ['-c', `if ${MACOS_PROBE}; then echo mac; else echo other; fi`]).toString(),
    ).toBe(process.platform === 'darwin' ? 'mac\n' : 'other\n');
  });
});
