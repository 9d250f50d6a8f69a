import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { needs } from '../../test/helpers/needs';
import { isSecurityOrigin, parseApt, STALE_LISTS_SECONDS } from './apt';
import { APT_COLLECT } from './apt-collect';
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

// `apt-cache policy` without arguments on a Debian 12 host (shape as captured on the build machine), plus a
// label-only and a suite-only security source to tell the two halves of the rule apart.
const DEBIAN_SOURCES = [
  'Package files:',
  ' 100 /var/lib/dpkg/status',
  '     release a=now',
  ' 500 http://deb.debian.org/debian-security bookworm-security/main amd64 Packages',
  '     release v=12,o=Debian,a=oldstable-security,n=bookworm-security,l=Debian-Security,c=main,b=amd64',
  '     origin deb.debian.org',
  ' 500 http://deb.debian.org/debian bookworm-updates/main amd64 Packages',
  '     release v=12-updates,o=Debian,a=oldstable-updates,n=bookworm-updates,l=Debian,c=main,b=amd64',
  '     origin deb.debian.org',
  ' 500 http://deb.debian.org/debian bookworm/main amd64 Packages',
  '     release v=12.15,o=Debian,a=oldstable,n=bookworm,l=Debian,c=main,b=amd64',
  '     origin deb.debian.org',
  ' 500 http://mirror.example/labelled bookworm-lts/main amd64 Packages',
  '     release o=Debian,a=bookworm-lts,n=bookworm-lts,l=Debian-Security,c=main,b=amd64',
  ' 500 http://vendor.example/apt vendor-security/main amd64 Packages',
  '     release o=Vendor,a=vendor-security,n=vendor-security,l=Vendor,c=main,b=amd64',
  'Pinned packages:',
].join('\n');

/** One package's `apt-cache policy` block; versions newest first, each with its source lines. */
function block(
  name: string,
  installed: string,
  candidate: string,
  versions: [string, ...string[]][],
): string {
  const lines = [`${name}:`, `  Installed: ${installed}`, `  Candidate: ${candidate}`, '  Version table:'];
  for (const [v, ...sources] of versions) {
    lines.push(`${v === installed ? ' ***' : '    '} ${v} ${v === installed ? 100 : 500}`);
    for (const s of sources) lines.push(`        500 ${s}`);
    if (v === installed) lines.push('        100 /var/lib/dpkg/status');
  }
  return lines.join('\n');
}
const SEC = 'http://deb.debian.org/debian-security bookworm-security/main amd64 Packages';
const UPD = 'http://deb.debian.org/debian bookworm-updates/main amd64 Packages';
const MAIN = 'http://deb.debian.org/debian bookworm/main amd64 Packages';
const LABEL_ONLY = 'http://mirror.example/labelled bookworm-lts/main amd64 Packages';
const SUITE_ONLY = 'http://vendor.example/apt vendor-security/main amd64 Packages';

describe('security fixes behind a newer version, and held packages', () => {
  const full = [
    'Inst behind [1.0-1] (1.2-1 Debian:12-updates/oldstable-updates [amd64])',
    'Inst point [2.0-1] (2.0-3 Debian:12.15/oldstable [amd64])',
    'Inst direct [3.0-1] (3.0-2 Debian-Security:12/oldstable-security [amd64])',
    'Inst plain [4.0-1] (4.1-1 Debian:12-updates/oldstable-updates [amd64])',
    'Inst old-fix [5.0-2] (5.0-3 Debian:12.15/oldstable [amd64])',
    'Inst bylabel [6.0-1] (6.2-1 Debian:12.15/oldstable [amd64])',
    'Inst bysuite [7.0-1] (7.2-1 Debian:12.15/oldstable [amd64])',
    'exit=0',
  ].join('\n');
  const policy = [
    block('behind', '1.0-1', '1.2-1', [
      ['1.2-1', UPD],
      ['1.1-1', SEC],
      ['1.0-1', MAIN],
    ]),
    block('point', '2.0-1', '2.0-3', [['2.0-3', MAIN], ['2.0-2', SEC], ['2.0-1']]),
    block('direct', '3.0-1', '3.0-2', [
      ['3.0-2', SEC],
      ['3.0-1', MAIN],
    ]),
    block('plain', '4.0-1', '4.1-1', [
      ['4.1-1', UPD],
      ['4.0-1', MAIN],
    ]),
    // The security version is older than the installed one: nothing to fix.
    block('old-fix', '5.0-2', '5.0-3', [['5.0-3', MAIN], ['5.0-2'], ['5.0-1', SEC]]),
    block('bylabel', '6.0-1', '6.2-1', [['6.2-1', MAIN], ['6.1-1', LABEL_ONLY], ['6.0-1']]),
    block('bysuite', '7.0-1', '7.2-1', [['7.2-1', MAIN], ['7.1-1', SUITE_ONLY], ['7.0-1']]),
    block('pb-held', '1.0-1', '1.2-1', [
      ['1.2-1', UPD],
      ['1.1-1', SEC],
      ['1.0-1', MAIN],
    ]),
    block('quiet-held', '1.0-1', '1.0-1', [['1.0-1', MAIN]]),
  ].join('\n');
  const f = parse(
    output({
      'apt-dist-upgrade': full,
      'apt-upgrade': full,
      'apt-holds': 'pb-held\nquiet-held\nnot-in-policy',
      'apt-sources': DEBIAN_SOURCES,
      'apt-policy': policy,
    }),
  );
  const by = Object.fromEntries(f.patches.map((p) => [p.name, p]));

  it('reports -security behind -updates, and behind a point release, with both versions', () => {
    expect(by.behind).toMatchObject({ security: true, securityVersion: '1.1-1', candidateVersion: '1.2-1' });
    expect(by.point).toMatchObject({ security: true, securityVersion: '2.0-2', candidateVersion: '2.0-3' });
  });

  it('leaves securityVersion unset when the candidate itself is the security release', () => {
    expect(by.direct).toMatchObject({ security: true, candidateVersion: '3.0-2' });
    expect(by.direct?.securityVersion).toBeUndefined();
    expect(by.plain).toMatchObject({ security: false });
    expect(by.plain?.securityVersion).toBeUndefined();
    expect(by['old-fix']).toMatchObject({ security: false });
  });

  it('applies each half of the rule on its own: the Debian-Security label, a *-security suite', () => {
    expect(by.bylabel).toMatchObject({ security: true, securityVersion: '6.1-1' });
    expect(by.bysuite).toMatchObject({ security: true, securityVersion: '7.1-1' });
  });

  it('reports a held package with a pending update, and a held security fix as such', () => {
    expect(by['pb-held']).toMatchObject({
      held: true,
      arch: 'amd64',
      installedVersion: '1.0-1',
      candidateVersion: '1.2-1',
      security: true,
      securityVersion: '1.1-1',
      origin: 'Debian:12-updates/oldstable-updates',
      keptBack: false,
      isNew: false,
    });
    // Held but up to date (or unknown to apt): no patch, still listed as held.
    expect(by['quiet-held']).toBeUndefined();
    expect(by['not-in-policy']).toBeUndefined();
    expect(f.held).toEqual(['pb-held', 'quiet-held', 'not-in-policy']);
    expect(f.patches.filter((p) => p.held).map((p) => p.name)).toEqual(['pb-held']);
    expect(f.warnings).toEqual([]);
  });

  it('reads Ubuntu: a fix in jammy-security behind jammy-updates', () => {
    const sources = [
      'Package files:',
      ' 100 /var/lib/dpkg/status',
      '     release a=now',
      ' 500 http://security.ubuntu.com/ubuntu jammy-security/main amd64 Packages',
      '     release v=22.04,o=Ubuntu,a=jammy-security,n=jammy,l=Ubuntu,c=main,b=amd64',
      '     origin security.ubuntu.com',
      ' 500 http://archive.ubuntu.com/ubuntu jammy-updates/main amd64 Packages',
      '     release v=22.04,o=Ubuntu,a=jammy-updates,n=jammy,l=Ubuntu,c=main,b=amd64',
      '     origin archive.ubuntu.com',
      ' 500 http://archive.ubuntu.com/ubuntu jammy/main amd64 Packages',
      '     release v=22.04,o=Ubuntu,a=jammy,n=jammy,l=Ubuntu,c=main,b=amd64',
      '     origin archive.ubuntu.com',
      'Pinned packages:',
    ].join('\n');
    const U = 'http://archive.ubuntu.com/ubuntu';
    const inst = [
      'Inst openssl [3.0.2-0ubuntu1.10] (3.0.2-0ubuntu1.12 Ubuntu:22.04/jammy-updates [amd64])',
      'Inst libssl3 [3.0.2-0ubuntu1.10] (3.0.2-0ubuntu1.11 Ubuntu:22.04/jammy-updates, Ubuntu:22.04/jammy-security [amd64])',
      'Inst tzdata [2024a-0ubuntu0.22.04] (2024b-0ubuntu0.22.04 Ubuntu:22.04/jammy-updates [all])',
      'exit=0',
    ].join('\n');
    const pol = [
      block('openssl', '3.0.2-0ubuntu1.10', '3.0.2-0ubuntu1.12', [
        ['3.0.2-0ubuntu1.12', `${U} jammy-updates/main amd64 Packages`],
        ['3.0.2-0ubuntu1.11', 'http://security.ubuntu.com/ubuntu jammy-security/main amd64 Packages'],
        ['3.0.2-0ubuntu1.10'],
        ['3.0.2-0ubuntu1', `${U} jammy/main amd64 Packages`],
      ]),
      block('tzdata', '2024a-0ubuntu0.22.04', '2024b-0ubuntu0.22.04', [
        ['2024b-0ubuntu0.22.04', `${U} jammy-updates/main amd64 Packages`],
        ['2024a-0ubuntu0.22.04'],
      ]),
    ].join('\n');
    const u = parse(
      output({ 'apt-dist-upgrade': inst, 'apt-upgrade': inst, 'apt-sources': sources, 'apt-policy': pol }),
    );
    const ub = Object.fromEntries(u.patches.map((p) => [p.name, p]));
    expect(ub.openssl).toMatchObject({ security: true, securityVersion: '3.0.2-0ubuntu1.11' });
    expect(ub.libssl3).toMatchObject({ security: true, candidateVersion: '3.0.2-0ubuntu1.11' });
    expect(ub.libssl3?.securityVersion).toBeUndefined();
    expect(ub.tzdata).toMatchObject({ security: false, arch: 'all' });
  });

  it('drops and counts hostile or huge policy output, and never takes a version from it', () => {
    const hostile = [
      block('behind', '1.0-1', '1.2-1', [
        ['1.2-1', UPD],
        ['1.1-1', SEC],
        ['1.0-1', MAIN],
      ]),
      '$(reboot):',
      '  Installed: 1.0',
      'pb-held:',
      '  Installed: 1.0-1',
      '  Candidate: 9.9;rm -rf /',
      '  Version table:',
      '     9.9;rm 500',
      `        500 ${SEC}`,
      'x'.repeat(200_000),
    ].join('\n');
    const sources = `${DEBIAN_SOURCES}\n <script>\n     release l=Debian-Security,a=${'z'.repeat(50_000)}`;
    const h = parse(
      output({
        'apt-dist-upgrade': full,
        'apt-upgrade': full,
        'apt-holds': 'pb-held',
        'apt-sources': sources,
        'apt-policy': hostile,
      }),
    );
    const hb = Object.fromEntries(h.patches.map((p) => [p.name, p]));
    expect(hb.behind).toMatchObject({ security: true, securityVersion: '1.1-1' });
    expect(hb['pb-held']).toBeUndefined();
    expect(h.warnings.join()).toMatch(/\d+ line\(s\) of apt-cache policy output did not fit/);
    // A policy section cut short or missing: the Inst lines still stand, classified by their own origins.
    const bare = parse(output({ 'apt-dist-upgrade': full, 'apt-upgrade': full }));
    expect(bare.patches.find((p) => p.name === 'behind')).toMatchObject({ security: false });
    expect(bare.patches.find((p) => p.name === 'direct')).toMatchObject({ security: true });
  });
});

// The whole COLLECT_SCRIPT run as `nobody` on the build machine (Debian 12, deb.debian.org sources),
// with the apt-cache policy sections. Expected values checked by hand against the file with grep.
const REAL_POLICY = fs.readFileSync(path.join(__dirname, 'fixtures', 'debian12-policy.txt'));

describe('apt findings with policy data from a real Debian 12 host', () => {
  const f = parse(REAL_POLICY);
  const by = Object.fromEntries(f.patches.map((p) => [p.name, p]));

  it('parses every real policy line and classifies as the Inst origins say where no fix is behind', () => {
    expect(f.warnings).toEqual([]);
    expect(f.patches).toHaveLength(140);
    // 90 Inst lines name a Debian-Security origin; on this host no fix sits behind a newer candidate.
    expect(f.patches.filter((p) => p.security)).toHaveLength(90);
    expect(f.patches.filter((p) => p.securityVersion)).toEqual([]);
  });

  it('ignores a security version older than the installed one', () => {
    // curl: 7.88.1-10+deb12u5 in bookworm-security, deb12u14 installed, deb12u15 from the point release.
    expect(by.curl).toMatchObject({
      security: false,
      installedVersion: '7.88.1-10+deb12u14',
      candidateVersion: '7.88.1-10+deb12u15',
    });
    expect(by.curl?.securityVersion).toBeUndefined();
    expect(by['ca-certificates']).toMatchObject({ security: true, candidateVersion: '20250419~deb12u2' });
  });
});

describe('the collection script', () => {
  it('is one constant script that forces the C locale and that sh parses', async () => {
    expect(COLLECT_SCRIPT.startsWith('LC_ALL=C')).toBe(true);
    expect(COLLECT_SCRIPT).not.toMatch(/undefined|\[object /);
    // `sh -n` reads without running: a syntax error in any adapter's snippet fails here.
    expect(() => execFileSync('/bin/sh', ['-n'], { input: COLLECT_SCRIPT })).not.toThrow();
  });
});

// The versions apt's findings are sorted and compared with; ordered oldest first.
const ORDERED = ['1.0~rc1-1', '1.0-1', '1.0-1+deb12u1', '1.0a-1', '1.0.1-1', '1.10-1', '1:0.1-1'];

/**
 * dpkg's verdict (-1, 0, 1) for every ordered pair, from ONE shell process: the versions go in as
 * arguments (never spliced into the script), and the shell loops over all pairs calling dpkg itself.
 */
function dpkgOrder(versions: string[]): number[][] {
  const script =
    'for a in "$@"; do for b in "$@"; do ' +
    'if dpkg --compare-versions "$a" lt "$b"; then printf -- "-1 "; ' +
    'elif dpkg --compare-versions "$a" eq "$b"; then printf "0 "; else printf "1 "; fi; done; echo; done';
  const out = execFileSync('/bin/sh', ['-c', script, 'sh', ...versions], { encoding: 'utf8' });
  return out
    .trim()
    .split('\n')
    .map((l) => l.trim().split(' ').map(Number));
}

describe('Debian version order', () => {
  it.runIf(
    needs('dpkg', fs.existsSync('/usr/bin/dpkg'), "Debian's dpkg is needed to cross-check version order"),
  )('matches the real dpkg on every pair', () => {
    const versions = [...ORDERED, '1.0-01', '6.1.0-31-amd64', '6.1.0-28-amd64'];
    const expected = dpkgOrder(versions);
    const ours = versions.map((a) => versions.map((b) => Math.sign(compareDebVersions(a, b))));
    expect(ours).toEqual(expected);
    // And dpkg agrees with the hand-written order the parser's tests rely on.
    expect(ORDERED.slice(1).map((_, i) => expected[i]?.[i + 1])).toEqual(ORDERED.slice(1).map(() => -1));
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
    const out = execFileSync('/bin/sh', ['-s'], { input: COLLECT_SCRIPT, maxBuffer: 64 << 20 });
    expect(splitSections(out).get('end')).toBe('done');
  }, 60_000);
});

describe('source packages (the Debian tracker is keyed by source)', () => {
  const du =
    'Inst libssl3 [3.0.17-1~deb12u2] (3.0.17-1~deb12u3 Debian-Security:12/oldstable-security [amd64])\n' +
    'Inst bash [5.2.15-2+b8] (5.2.15-2+b13 Debian:12.15/oldstable [amd64])\n' +
    'Inst libnew1 (1.0-1 Debian:12.15/oldstable [amd64])\nexit=0';

  it("takes each binary's source from dpkg-query, and drops lines that are not package names", () => {
    const f = parse(
      output({
        'apt-dist-upgrade': du,
        'apt-source-names': 'libssl3:amd64\topenssl\nbash\tbash\nevil;rm\tx\nlibx\t$(reboot)\nextra\ta\tb',
      }),
    );
    expect(f.patches.map((p) => [p.name, p.sourcePackage])).toEqual([
      ['libssl3', 'openssl'],
      ['bash', 'bash'],
      ['libnew1', undefined],
    ]);
    expect(f.warnings.join('\n')).toContain('3 line(s) of apt output did not look like Debian packages');
  });

  it('tolerates output captured before the section existed: no source, the binary name stands in', () => {
    const f = parse(output({ 'apt-dist-upgrade': du }));
    expect(f.patches.every((p) => p.sourcePackage === undefined)).toBe(true);
    expect(f.warnings).toEqual([]);
  });

  it('collects it with dpkg-query on a real Debian system', () => {
    if (!needs('dpkg-query', fs.existsSync('/usr/bin/dpkg-query'), 'run on Debian')) return;
    const script = APT_COLLECT.find((l) => l.includes('apt-source-names'));
    expect(script).toBeDefined();
    const out = execFileSync('sh', ['-c', script ?? ''], {
      env: {
        ...process.env,
        PB_APT_DU: 'Inst libc6 [1] (2 Debian:12/stable [amd64])\nInst bash [1] (2 D [amd64])',
      },
    }).toString();
    expect(out).toContain('libc6\tglibc\n');
    expect(out).toContain('bash\tbash\n');
  });
});
