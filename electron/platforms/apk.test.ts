import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { section, SECTION_MARKER } from './adapter';
import { APK_SECURITY_NOTE, apkAdapter, parseApk, splitNameVersion } from './apk';
import { APK_COLLECT, APK_PROBE } from './apk-collect';
import { splitSections } from './sections';
import { UnparseableOutputError } from './types';

// apk-tools is not in Debian bookworm: these follow apk-tools' own print format (src/app_list.c), the
// apk-list/apk-world man pages and Alpine's os-release — see fixtures/apk/README.md.
const fixture = (name: string) => fs.readFileSync(path.join(__dirname, 'fixtures', 'apk', name), 'utf8');
const PENDING = fixture('pending-from-docs.txt');

/** The pending fixture with some sections replaced (a section printed twice keeps its first copy). */
const withSections = (over: Record<string, string>) =>
  Object.entries(over)
    .map(([k, v]) => `${SECTION_MARKER}${k}@@\n${v}`)
    .join('\n') + `\n${PENDING}`;

const parse = (text: string | Buffer) => parseApk(splitSections(text));

describe('apk findings (output from documentation)', () => {
  it('lists upgradable packages with versions and arch, pinned ones held, security unknown', () => {
    const f = parse(PENDING);
    expect(f.packageManager).toBe('apk');
    expect(f.patches.map((p) => p.name)).toEqual([
      'busybox',
      'busybox-binsh',
      'ca-certificates-bundle',
      'gtk+3.0',
      'libcrypto3',
      'libssl3',
      'linux-lts',
      'nginx',
      'py3-setuptools',
    ]);
    // `nginx=1.26.1-r0` in world pins it: apk upgrade leaves it, but its pending update shows, held.
    expect(f.patches.filter((p) => p.held)).toEqual([
      expect.objectContaining({
        name: 'nginx',
        installedVersion: '1.26.1-r0',
        candidateVersion: '1.26.1-r1',
      }),
    ]);
    expect(f.patches.find((p) => p.name === 'libssl3')).toMatchObject({
      installedVersion: '3.3.1-r0',
      candidateVersion: '3.3.1-r3',
      arch: 'x86_64',
      security: null,
    });
    expect(f.patches.find((p) => p.name === 'py3-setuptools')?.arch).toBe('noarch');
    expect(f.held).toEqual(['nginx']);
    expect(f.notes).toEqual([APK_SECURITY_NOTE]);
    expect(f.listsAgeSeconds).toBe(9995);
    expect(f.warnings).toEqual([]);
    expect(f.reboot.required).toBe(false);
    expect(f.facts).toMatchObject({ osId: 'alpine', versionId: '3.20.1', prettyName: 'Alpine Linux v3.20' });
  });

  it('warns when the indexes were never downloaded, passing apk warnings on', () => {
    const f = parse(fixture('never-updated-from-docs.txt'));
    expect(f.patches).toEqual([]);
    expect(f.listsAgeSeconds).toBeNull();
    expect(f.warnings).toContain('The package lists have never been downloaded (run apk update).');
    expect(f.warnings.join('\n')).toMatch(/apk: WARNING: Ignoring https:\/\/dl-cdn.alpinelinux.org/);
  });

  it('warns about old indexes', () => {
    const f = parse(
      withSections({ 'apk-indexes': `${1721400000 - 9 * 86400} /var/cache/apk/APKINDEX.x.tar.gz` }),
    );
    expect(f.warnings.join('\n')).toMatch(/last downloaded 9 days ago/);
  });

  it('asks for a reboot once the running kernel was upgraded away', () => {
    expect(parse(fixture('kernel-upgraded-from-docs.txt')).reboot).toEqual({
      required: true,
      reasons: ['running kernel 6.6.36-0-lts is no longer installed (installed: 6.6.41-0-lts)'],
    });
    // A container: no modules at all, no claim.
    const container = { 'apk-kernel': 'running=6.6.36-0-lts\nmodules=missing' };
    expect(parse(withSections(container)).reboot.required).toBe(false);
  });

  it("splits apk's name-version-release", () => {
    expect(splitNameVersion('py3-setuptools-70.3.0-r0')).toEqual({
      name: 'py3-setuptools',
      version: '70.3.0-r0',
    });
    expect(splitNameVersion('gtk+3.0-3.24.42-r0')).toEqual({ name: 'gtk+3.0', version: '3.24.42-r0' });
    expect(splitNameVersion('musl-1.2.5_git20240512-r1')).toEqual({
      name: 'musl',
      version: '1.2.5_git20240512-r1',
    });
    expect(splitNameVersion('nodash')).toBeNull();
  });
});

describe('apk parser against hostile output', () => {
  const upgradable = (lines: string[]) => ({ 'apk-upgradable': [...lines, 'exit=0'].join('\n') });

  it('drops lines that break the grammar and never lets them through', () => {
    const f = parse(
      withSections(
        upgradable([
          '$(reboot)-1.0-r1 x86_64 {x} (MIT) [upgradable from: $(reboot)-1.0-r0]',
          'good-1.1-r0 x86_64 {good} (MIT) [upgradable from: good-1.0-r0]',
          'evil-1.1;rm-r0 x86_64 {evil} (MIT) [upgradable from: evil-1.0-r0]',
          'other-2.0-r0 x86_64 {other} (MIT) [upgradable from: notother-1.0-r0]',
          'a'.repeat(100_000),
          'caf\u00e9-1.0-r1 x86_64 {x} (MIT) [upgradable from: caf\u00e9-1.0-r0]',
          'Paket aktualisierbar: foo-1.0-r1',
        ]),
      ),
    );
    expect(f.patches.map((p) => p.name)).toEqual(['good']);
    expect(f.warnings.join('\n')).toMatch(/6 line\(s\) of apk output did not look like package updates/);
  });

  it('keeps one entry per package when two repositories offer newer versions', () => {
    const f = parse(
      withSections(
        upgradable([
          'curl-8.9.0-r0 x86_64 {curl} (curl) [upgradable from: curl-8.8.0-r0]',
          'curl-8.9.1-r0 x86_64 {curl} (curl) [upgradable from: curl-8.8.0-r0]',
        ]),
      ),
    );
    expect(f.patches.map((p) => p.candidateVersion)).toEqual(['8.9.0-r0']);
    expect(f.warnings.join('\n')).toMatch(/1 package\(s\) are offered in more than one newer version/);
  });

  it('survives invalid UTF-8 and NULs', () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0x00, 0xfe]), Buffer.from(PENDING), Buffer.from([0xc3])]);
    expect(parse(bytes).patches).toHaveLength(9);
  });

  it('refuses truncated output and reports apk errors in words', () => {
    expect(() => parse(PENDING.split(`${SECTION_MARKER}end@@`)[0] ?? '')).toThrow(/ended early/);
    expect(() => parse(withSections({ 'apk-upgradable': 'busybox-1.36.1-r29 x86_64' }))).toThrow(/cut off/);
    const broken = { 'apk-upgradable': 'ERROR: Unable to read database: I/O error\nexit=1' };
    expect(() => parse(withSections(broken))).toThrow(UnparseableOutputError);
    expect(() => parse(withSections(broken))).toThrow(
      /apk failed on the host: ERROR: Unable to read database/,
    );
  });
});

describe('the apk collection snippets', () => {
  const script = ['LC_ALL=C; export LC_ALL', ...APK_COLLECT, section('end', 'echo done')].join('\n');

  it('are POSIX sh (dash and bash --posix parse them) and constant', () => {
    execFileSync('dash', ['-n'], { input: script });
    execFileSync('bash', ['--posix', '-n'], { input: script });
    expect(apkAdapter).toMatchObject({ id: 'apk', probe: APK_PROBE, collect: APK_COLLECT });
  });

  it('run under dash where apk is missing, and the parser says so', () => {
    if (fs.existsSync('/etc/apk/world')) return;
    const out = execFileSync('dash', ['-s'], { input: script });
    const sections = splitSections(out);
    expect(sections.get('apk-kernel')).toMatch(/^running=/);
    expect(() => parseApk(sections)).toThrow(/apk failed on the host: .*apk: not found/);
  });
});
