import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { isSecurityOrigin, parseApt, STALE_LISTS_SECONDS } from './apt';
import { COLLECT_SCRIPT, SECTION_MARKER } from './collect-script';
import { compareDebVersions } from './deb-version';
import { parseFindings, UnsupportedPlatformError } from './findings';
import { splitSections } from './sections';
import { UnparseableOutputError } from './types';

// Captured by running COLLECT_SCRIPT on a real Debian 12 machine (this project's build machine).
const REAL = fs.readFileSync(path.join(__dirname, 'fixtures', 'debian12-collect.txt'));

/** Builds collection output with the given sections (the rest as on an up-to-date host). */
function output(over: Record<string, string>): string {
  const base: Record<string, string> = {
    'os-release':
      'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm',
    uname: 'Linux 6.1.0-28-amd64 x86_64',
    'boot-id': '0b5c7e3e-6f6e-4d0c-9d3c-2f1f6a1b7c11',
    uptime: '1234.56 99.1',
    now: '1764000000',
    id: '1000',
    pm: 'apt',
    'apt-dist-upgrade': 'exit=0',
    'apt-upgrade': 'exit=0',
    'apt-holds': '',
    'apt-lists': '1763990000 /var/lib/apt/lists/x_InRelease',
    'reboot-required': '',
    kernels: 'linux-image-6.1.0-28-amd64\t6.1.0-28\tii ',
    end: 'done',
    ...over,
  };
  return Object.entries(base)
    .map(([k, v]) => `${SECTION_MARKER}${k}@@\n${v}`)
    .join('\n');
}

const parse = (text: string | Buffer) => parseApt(splitSections(text));

describe('apt findings from a real Debian 12 host', () => {
  const findings = parse(REAL);

  it('reads the OS, kernel and boot id', () => {
    expect(findings.facts).toMatchObject({ osId: 'debian', versionId: '12', codename: 'bookworm' });
    expect(findings.facts.prettyName).toMatch(/Debian GNU\/Linux 12/);
    expect(findings.facts.bootId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('lists exactly the packages apt-get -s dist-upgrade installs, security ones first', () => {
    const inst =
      REAL.toString()
        .split('@@PATCHBAY:apt-upgrade@@')[0]
        ?.match(/^Inst \S+/gm) ?? [];
    expect(findings.patches.map((p) => p.name).sort()).toEqual(inst.map((l) => l.slice(5)).sort());
    const perl = findings.patches.find((p) => p.name === 'perl-base');
    expect(perl).toMatchObject({ security: true, installedVersion: '5.36.0-7+deb12u3', arch: 'amd64' });
    const bash = findings.patches.find((p) => p.name === 'bash');
    expect(bash).toMatchObject({ security: false, origin: 'Debian:12.15/oldstable' });
    const firstNormal = findings.patches.findIndex((p) => !p.security);
    expect(findings.patches.slice(firstNormal).some((p) => p.security)).toBe(false);
  });
});

describe('apt parser', () => {
  it('marks new dependencies, kept-back packages and removals', () => {
    const full = [
      'Inst libnew1 (1.0-1 Debian:12.15/oldstable [amd64])',
      'Inst app [1.0-1] (2.0-1 Debian:12.15/oldstable [amd64]) []',
      'Inst tool [1:1.0-1] (1:2.0~rc1-1 Debian-Security:12/oldstable-security [all])',
      'Remv oldlib [0.9-1]',
      'exit=0',
    ].join('\n');
    const plain = [
      'Inst tool [1:1.0-1] (1:2.0~rc1-1 Debian-Security:12/oldstable-security [all])',
      'exit=0',
    ].join('\n');
    const f = parse(output({ 'apt-dist-upgrade': full, 'apt-upgrade': plain }));
    const by = Object.fromEntries(f.patches.map((p) => [p.name, p]));
    expect(by.libnew1).toMatchObject({ isNew: true, keptBack: false, installedVersion: '' });
    expect(by.app).toMatchObject({ isNew: false, keptBack: true, security: false });
    expect(by.tool).toMatchObject({ keptBack: false, security: true, candidateVersion: '1:2.0~rc1-1' });
    expect(f.removals).toEqual(['oldlib']);
  });

  it('classifies Ubuntu and Debian security suites like unattended-upgrades', () => {
    expect(isSecurityOrigin({ label: 'Ubuntu', archive: 'jammy-security' })).toBe(true);
    expect(isSecurityOrigin({ label: 'Debian-Security', archive: 'stable-security' })).toBe(true);
    expect(isSecurityOrigin({ label: 'Ubuntu', archive: 'jammy-updates' })).toBe(false);
    expect(isSecurityOrigin({ label: 'Debian', archive: 'stable' })).toBe(false);
  });

  it('reports reboot-required with the packages that caused it, and a newer installed kernel', () => {
    const flagged = parse(output({ 'reboot-required': 'required\nlibc6\nlinux-image-6.1.0-30-amd64' }));
    expect(flagged.reboot).toEqual({
      required: true,
      reasons: ['updated libc6', 'updated linux-image-6.1.0-30-amd64'],
    });
    const kernels = 'linux-image-6.1.0-28-amd64\t6.1.0-28\tii \nlinux-image-6.1.0-31-amd64\t6.1.0-31\tii ';
    expect(parse(output({ kernels })).reboot.reasons).toEqual([
      'running kernel 6.1.0-28-amd64, newest installed 6.1.0-31-amd64',
    ]);
    expect(parse(output({})).reboot.required).toBe(false);
  });

  it('warns about stale and missing package lists', () => {
    const old = String(1764000000 - STALE_LISTS_SECONDS - 86400);
    expect(parse(output({ 'apt-lists': `${old} /var/lib/apt/lists/a_InRelease` })).warnings.join()).toMatch(
      /8 days old/,
    );
    expect(parse(output({ 'apt-lists': '' })).warnings.join()).toMatch(/never been downloaded/);
    expect(parse(output({})).listsAgeSeconds).toBe(10000);
  });

  it('reads holds', () => {
    expect(parse(output({ 'apt-holds': 'openssl\nbad name;rm\n' })).held).toEqual(['openssl']);
  });

  it('drops hostile package lines and never lets them through', () => {
    const hostile = [
      'Inst $(reboot) [1.0] (2.0 Debian:12/stable [amd64])',
      'Inst good [1.0-1] (1.1-1 Debian:12/stable [amd64])',
      'Inst evil [1.0-1] (1.1;rm -rf / Debian:12/stable [amd64])',
      'Inst ' + 'a'.repeat(100_000),
      'exit=0',
    ].join('\n');
    const f = parse(output({ 'apt-dist-upgrade': hostile, 'apt-upgrade': hostile }));
    expect(f.patches.map((p) => p.name)).toEqual(['good']);
    expect(f.warnings.join()).toMatch(/did not look like Debian packages/);
  });

  it('refuses truncated output and reports apt errors in words', () => {
    const cut = output({}).split(`${SECTION_MARKER}end@@`)[0] ?? '';
    expect(() => parse(cut)).toThrow(UnparseableOutputError);
    expect(() => parse(output({ 'apt-dist-upgrade': 'Reading package lists...' }))).toThrow(/cut off/);
    const broken = 'E: Unmet dependencies. Try apt --fix-broken install\nexit=100';
    expect(() => parse(output({ 'apt-dist-upgrade': broken }))).toThrow(
      /apt-get failed on the host: E: Unmet dependencies/,
    );
  });

  it('tolerates invalid UTF-8, NULs and another locale in free text', () => {
    const bytes = Buffer.concat([
      Buffer.from(output({ 'os-release': 'PRETTY_NAME="D\u00e9bian"\nID=debian' })),
      Buffer.from([0xff, 0xfe, 0x00]),
    ]);
    expect(parse(bytes).facts.prettyName).toBe('Débian');
  });
});

describe('the collection script', () => {
  it('is one constant script that forces the C locale and that sh parses', async () => {
    expect(COLLECT_SCRIPT.startsWith('LC_ALL=C')).toBe(true);
    expect(COLLECT_SCRIPT).not.toMatch(/undefined|\[object /);
    const { execFileSync } = await import('node:child_process');
    // `sh -n` reads without running: a syntax error in any adapter's snippet fails here.
    expect(() => execFileSync('/bin/sh', ['-n'], { input: COLLECT_SCRIPT })).not.toThrow();
  });
});

describe('Debian version order', () => {
  it('matches dpkg', () => {
    const ordered = ['1.0~rc1-1', '1.0-1', '1.0-1+deb12u1', '1.0a-1', '1.0.1-1', '1.10-1', '1:0.1-1'];
    for (let i = 0; i + 1 < ordered.length; i++) {
      expect(
        compareDebVersions(ordered[i] ?? '', ordered[i + 1] ?? ''),
        `${ordered[i]} < ${ordered[i + 1]}`,
      ).toBeLessThan(0);
    }
    expect(compareDebVersions('1.0-1', '1.0-01')).toBe(0);
    expect(compareDebVersions('6.1.0-31-amd64', '6.1.0-28-amd64')).toBeGreaterThan(0);
  });
});

describe('dispatch by the package manager the host reported', () => {
  it('uses the apt adapter for apt hosts and refuses unknown ones by name', () => {
    expect(parseFindings(REAL).packageManager).toBe('apt');
    const alpine = output({ pm: 'unknown', 'os-release': 'PRETTY_NAME="Alpine Linux v3.20"\nID=alpine' });
    expect(() => parseFindings(alpine)).toThrow(UnsupportedPlatformError);
    expect(() => parseFindings(alpine)).toThrow(/no supported package manager found on Alpine Linux v3.20/);
  });

  it('survives being fed to a real /bin/sh -s, whose stdin the script itself is', async () => {
    const { execFileSync } = await import('node:child_process');
    const out = execFileSync('/bin/sh', ['-s'], { input: COLLECT_SCRIPT, maxBuffer: 64 << 20 });
    expect(splitSections(out).get('end')).toBe('done');
  }, 60_000);
});
