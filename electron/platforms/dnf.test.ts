import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { SECTION_MARKER } from './adapter';
import { dnfAdapter, NO_UPDATEINFO_NOTE, parseDnf } from './dnf';
import { DNF_COLLECT } from './dnf-collect';
import { LIMITS } from './rpm-common';
import { type Sections, splitSections } from './sections';
import { UnparseableOutputError } from './types';

const fixture = (name: string) =>
  fs.readFileSync(path.join(__dirname, 'fixtures', 'dnf', `${name}.txt`), 'utf8');
const parse = (text: string | Buffer) => parseDnf(splitSections(text));

/** A fixture with some sections replaced (same order, the rest as captured). */
function edit(name: string, over: Record<string, string>): string {
  const sections: Sections = splitSections(fixture(name));
  return [...sections.keys()].map((k) => `${SECTION_MARKER}${k}@@\n${over[k] ?? sections.get(k)}`).join('\n');
}

/** name.arch → version of each update line in a check-update section, read independently of the parser. */
function checkUpdateLines(text: string): string[] {
  const body = splitSections(text).get('dnf-check-update') ?? '';
  const main = body.split(/^Obsoleting Packages$/m)[0] ?? '';
  return [...main.matchAll(/^(\S+\.\w+)\s+(\S+)\s+pb-\S+\s*$/gm)].map((m) => `${m[1]} ${m[2]}`).sort();
}

describe('dnf findings from real dnf 4.14 output (captured)', () => {
  const real = fixture('updates');
  const f = parse(real);
  const by = (name: string, arch = 'noarch') => f.patches.find((p) => p.name === name && p.arch === arch);

  it('reads the host facts from os-release and uname', () => {
    expect(f.packageManager).toBe('dnf');
    expect(f.facts).toMatchObject({ osId: 'rocky', versionId: '9.4', osLike: 'rhel centos fedora' });
    expect(f.facts.prettyName).toBe('Rocky Linux 9.4 (Blue Onyx)');
    expect(f.facts.bootId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('lists what check-update lists, with the newest version repoquery offers', () => {
    const upgrades = f.patches
      .filter((p) => !p.isNew && !p.held)
      .map((p) => `${p.name}.${p.arch} ${p.candidateVersion}`);
    expect(upgrades.sort()).toEqual(checkUpdateLines(real));
    // repoquery offers 2.9-2 and 2.9-3: the newest wins, both advisories count.
    expect(by('pb-libxml')).toMatchObject({ installedVersion: '2.9-1', candidateVersion: '2.9-3' });
    expect(by('pb-a-very-long-package-name-to-stretch-the-columns')).toMatchObject({
      installedVersion: '1:1.0-1',
      candidateVersion: '2:0.9-1',
    });
    expect(by('pb-g++')).toMatchObject({ installedVersion: '1.0~rc1-1', candidateVersion: '1.0-1' });
  });

  it('takes security, severity, advisories and CVEs from updateinfo', () => {
    for (const arch of ['x86_64', 'i686']) {
      expect(by('pb-openssl', arch)).toMatchObject({
        security: true,
        severity: 'Critical',
        advisories: ['PBSA-2024:0001'],
        cves: ['CVE-2024-0001', 'CVE-2024-0002'],
        origin: 'pb-baseos',
      });
    }
    expect(by('pb-libxml')).toMatchObject({
      security: true,
      severity: 'Important',
      advisories: ['PBSA-2024:0002', 'PBSA-2024:0003'],
      cves: ['CVE-2024-1111', 'CVE-2024-2222'],
    });
    expect(by('pb-curl')).toMatchObject({ security: true, severity: 'Low' });
    // A security advisory without a severity (dnf prints "Unknown/Sec.").
    expect(by('pb-sudo')).toMatchObject({ security: true, severity: null, cves: ['CVE-2024-4444'] });
    expect(by('glibc')).toMatchObject({ security: false, advisories: ['PBBA-2024:0005'], cves: [] });
    expect(by('pb-plain')).toMatchObject({ security: false, advisories: [] });
  });

  it('never guesses: updates from a repository without updateinfo are unknown', () => {
    expect(by('pb-vendor-agent')).toMatchObject({ security: null, origin: 'pb-vendor' });
    expect(f.notes).toEqual([`${NO_UPDATEINFO_NOTE}pb-vendor: these repositories publish no updateinfo.`]);
  });

  it('lists a versionlocked package with its pending update, marked held and classified', () => {
    expect(f.held).toEqual(['pb-tzdata']);
    // check-update leaves it out (versionlock); repoquery offers 2024b-1, fixed by an enhancement advisory.
    expect(by('pb-tzdata')).toMatchObject({
      installedVersion: '2024a-1',
      candidateVersion: '2024b-1',
      held: true,
      security: false,
      advisories: ['PBEA-2024:0004'],
    });
    expect(f.patches.filter((p) => p.held).map((p) => p.name)).toEqual(['pb-tzdata']);
  });

  it('still shows the held update when it is the only one (check-update exits 0)', () => {
    const g = parse(edit('updates', { 'dnf-check-update': 'exit=0' }));
    expect(g.patches.map((p) => `${p.name} ${p.candidateVersion} ${String(p.held)}`)).toEqual([
      'pb-tzdata 2024b-1 true',
    ]);
  });

  it('needs no securityVersion when the candidate itself is the newest security fix', () => {
    expect(by('pb-libxml')?.securityVersion).toBeUndefined();
    expect(f.patches.filter((p) => p.securityVersion)).toEqual([]);
  });

  it('keeps a security fix older than the candidate: securityVersion is the fixed version', () => {
    // Only 2.9-2 is a security fix; the candidate 2.9-3 is a bugfix release.
    const g = parse(
      edit('updates', {
        'dnf-advisories': fixture('updates')
          .split('@@PATCHBAY:dnf-advisories@@\n')[1]!
          .split('\n\n')[0]!
          .replace(
            'PBSA-2024:0003 Moderate/Sec.  pb-libxml-2.9-3',
            'PBBA-2024:0003 bugfix         pb-libxml-2.9-3',
          ),
      }),
    );
    const libxml = g.patches.find((p) => p.name === 'pb-libxml');
    expect(libxml).toMatchObject({
      installedVersion: '2.9-1',
      candidateVersion: '2.9-3',
      securityVersion: '2.9-2',
      security: true,
      severity: 'Important',
      advisories: ['PBSA-2024:0002', 'PBBA-2024:0003'],
    });
    // A security fix locked behind versionlock is a held security fix, with both versions.
    const h = parse(
      edit('updates', {
        'dnf-advisories': 'PBSA-2024:0009 Important/Sec. pb-tzdata-2024b-1.noarch\nexit=0',
      }),
    );
    expect(h.patches.find((p) => p.name === 'pb-tzdata')).toMatchObject({
      held: true,
      security: true,
      severity: 'Important',
      candidateVersion: '2024b-1',
    });
  });

  it('lists obsoleting packages as new installs and what they replace as removals', () => {
    expect(by('pb-newname')).toMatchObject({ isNew: true, installedVersion: '', candidateVersion: '2.0-1' });
    expect(f.removals).toEqual(['pb-oldname']);
  });

  it('reads needs-restarting: glibc changed since boot', () => {
    expect(f.reboot).toEqual({ required: true, reasons: ['updated glibc since boot'] });
  });

  it('puts security updates first, unknown ones next', () => {
    const ranks = f.patches.map((p) => (p.security === true ? 0 : p.security === null ? 1 : 2));
    expect(ranks).toEqual([...ranks].sort());
    expect(f.warnings).toEqual([]);
    expect(f.listsAgeSeconds).toBeGreaterThanOrEqual(0);
  });
});

describe('other real dnf hosts (captured)', () => {
  it('marks every update unknown when no repository publishes updateinfo, and says so', () => {
    const f = parse(fixture('no-updateinfo'));
    expect(f.patches.length).toBeGreaterThan(0);
    expect(f.patches.every((p) => p.security === null && p.severity === null)).toBe(true);
    expect(f.notes?.[0]).toMatch(/pb-noinfo, pb-vendor: these repositories publish no updateinfo/);
  });

  it('does not read "No such command" (exit 1) as a needed reboot', () => {
    const f = parse(fixture('no-updateinfo'));
    expect(f.reboot.required).toBe(false);
    expect(f.warnings).toContain(
      'Could not tell whether a reboot is needed: needs-restarting is not installed (dnf-utils, yum-utils or dnf5-plugins).',
    );
  });

  it('warns about a repository that failed to load and still lists the rest', () => {
    const f = parse(fixture('broken-repo'));
    expect(f.warnings.join('\n')).toMatch(/Failed to download metadata for repo 'pb-broken'/);
    expect(f.warnings.join('\n')).toMatch(/Ignoring repositories: pb-broken/);
    expect(f.patches.find((p) => p.name === 'pb-openssl')?.security).toBe(true);
  });

  it("fails the scan with dnf's own error when check-update exits 1", () => {
    expect(() => parse(fixture('broken-repo-strict'))).toThrow(UnparseableOutputError);
    expect(() => parse(fixture('broken-repo-strict'))).toThrow(
      /^dnf check-update failed on the host: Error: Failed to download metadata for repo 'pb-broken'/,
    );
  });

  it('reports an up-to-date host as such', () => {
    const f = parse(fixture('up-to-date'));
    expect(f.patches).toEqual([]);
    expect(f.reboot).toEqual({ required: false, reasons: [] });
    expect(f.warnings).toEqual([]);
    expect(f.notes).toEqual([]);
  });
});

describe('formats this machine cannot run (from documentation)', () => {
  it('reads DNF5: advisory tables, severity column, versionlock, obsoletes (from documentation)', () => {
    const f = parse(fixture('fedora41-dnf5.documented'));
    const by = (name: string) => f.patches.find((p) => p.name === name);
    expect(f.packageManager).toBe('dnf');
    expect(by('curl')).toMatchObject({ security: true, severity: 'Moderate', cves: ['CVE-2025-10001'] });
    // Two kernels are pending (6.12.8 bugfix, 6.12.9 security): installing the newest covers both.
    expect(by('kernel')).toMatchObject({
      installedVersion: '6.12.7-200.fc41',
      candidateVersion: '6.12.9-200.fc41',
      severity: 'Important',
      advisories: ['FEDORA-2025-5f6a7b8c9d', 'FEDORA-2025-6a7b8c9d0e'],
      cves: ['CVE-2025-10002'],
    });
    // An empty severity cell, and a bare number in the CVE column (Red Hat does that) is not a CVE.
    expect(by('python3-urllib3')).toMatchObject({ security: true, severity: null, cves: ['CVE-2025-10003'] });
    expect(by('tzdata')).toMatchObject({ security: false, advisories: ['FEDORA-2025-99aabbccdd'] });
    expect(by('python3-urllib3+brotli')).toMatchObject({ isNew: true });
    expect(f.removals).toEqual(['python3-brotli-urllib3']);
    expect(f.held).toEqual(['postgresql-server']);
    expect(by('postgresql-server')).toMatchObject({ held: true, candidateVersion: '16.6-1.fc41' });
    expect(f.reboot.reasons).toEqual(['updated kernel since boot', 'updated kernel-core since boot']);
  });

  it('reads yum 3 on CentOS 7: wrapped lines, no updateinfo, yum-utils texts (from documentation)', () => {
    const f = parse(fixture('centos7-yum.documented'));
    expect(f.packageManager).toBe('yum');
    expect(f.facts).toMatchObject({ osId: 'centos', versionId: '7', kernel: '3.10.0-1160.el7.x86_64' });
    expect(f.patches.find((p) => p.name === 'NetworkManager-config-server')).toMatchObject({
      installedVersion: '1:1.18.8-1.el7',
      candidateVersion: '1:1.18.8-2.el7_9',
      origin: 'updates',
    });
    expect(f.patches.find((p) => p.name === 'bind-export-libs')?.candidateVersion).toBe(
      '32:9.11.4-26.P2.el7_9.16',
    );
    expect(f.patches).toHaveLength(5);
    expect(f.patches.every((p) => p.security === null)).toBe(true);
    expect(f.notes?.[0]).toMatch(/base|updates/);
    expect(f.held).toEqual(['httpd']);
    expect(f.reboot).toEqual({ required: true, reasons: ['updated kernel since boot'] });
  });

  it('falls back to the installed kernels when needs-restarting is missing (from documentation)', () => {
    const f = parse(edit('centos7-yum.documented', { 'dnf-reboot': 'exit=127' }));
    expect(f.reboot).toEqual({
      required: true,
      reasons: ['running kernel 3.10.0-1160.el7.x86_64, newest installed 3.10.0-1160.118.1.el7.x86_64'],
    });
  });
});

describe('hostile dnf output', () => {
  it('drops names with shell metacharacters and never lets them through', () => {
    const hostile = [
      '$(reboot).x86_64                1.0-2      pb-baseos',
      'evil;rm.noarch                  1.0-2      pb-baseos',
      'pb-plain.noarch                 1.1-1      pb-baseos',
      'pb-curl.noarch                  7.76-2;id  pb-baseos',
      'pb-sudo.noarch                  1.9-2      `id`',
      'exit=100',
    ].join('\n');
    const upgrades = ['pb-plain\t0\t1.1\t1\tnoarch\tpb-baseos', 'x|y\t0\t1\t1\tnoarch\tpb-baseos', 'exit=0'];
    const f = parse(edit('updates', { 'dnf-check-update': hostile, 'dnf-upgrades': upgrades.join('\n') }));
    expect(f.patches.map((p) => p.name)).toEqual(['pb-plain']);
    expect(f.warnings.join()).toMatch(/5 line\(s\) of dnf output did not look like rpm packages/);
  });

  it('makes security unknown, never "not security", when advisory lines cannot be read', () => {
    const advisories = splitSections(fixture('updates')).get('dnf-advisories') ?? '';
    // Another locale's label, and an id with shell characters.
    const odd = advisories.replace('Low/Sec.', 'Niedrig/Sich.').replace('PBBA-2024:0005', 'PBBA;reboot');
    const f = parse(edit('updates', { 'dnf-advisories': odd }));
    expect(f.patches.find((p) => p.name === 'pb-curl')?.security).toBeNull();
    expect(f.patches.find((p) => p.name === 'pb-plain')?.security).toBeNull();
    expect(f.patches.find((p) => p.name === 'pb-libxml')?.security).toBe(true);
    expect(f.warnings.join()).toMatch(/advisory list could not be read in full/);
  });

  it('does not take a reboot answer in another language for a yes', () => {
    const german = 'Kernbibliotheken wurden aktualisiert:\n  * glibc\n\nNeustart ist erforderlich.\nexit=1';
    const f = parse(edit('updates', { 'dnf-reboot': german }));
    expect(f.reboot.required).toBe(false);
    expect(f.warnings.join()).toMatch(/Could not tell whether a reboot is needed/);
  });

  it('survives huge lines, NULs and invalid UTF-8', () => {
    const text = edit('updates', {
      'dnf-check-update': `${'x'.repeat(200_000)}\npb-plain.noarch 1.1-1 pb-baseos\n\u0000exit=100`,
    });
    const bytes = Buffer.concat([Buffer.from(text), Buffer.from([0xff, 0xfe, 0x00, 0xc3])]);
    const f = parse(bytes);
    // pb-tzdata is the versionlocked update repoquery still offers.
    expect(f.patches.map((p) => p.name)).toEqual(['pb-plain', 'pb-tzdata']);
  });

  it('refuses truncated output', () => {
    const real = fixture('updates');
    expect(() => parse(real.split(`${SECTION_MARKER}end@@`)[0] ?? '')).toThrow(/ended early/);
    expect(() => parse(edit('updates', { 'dnf-check-update': 'pb-plain.noarch 1.1-1 pb-baseos' }))).toThrow(
      /check-update output was cut off/,
    );
    expect(() => parse(edit('updates', { 'dnf-tool': '' }))).toThrow(/which dnf or yum/);
  });

  it('bounds what one host can make a scan store', () => {
    const lines = Array.from({ length: LIMITS.patches + 500 }, (_, i) => `p${i}.noarch 1.0-2 pb-baseos`);
    const f = parse(
      edit('updates', { 'dnf-check-update': `${lines.join('\n')}\nexit=100`, 'dnf-upgrades': 'exit=1' }),
    );
    expect(f.patches).toHaveLength(LIMITS.patches);
    expect(f.warnings.join()).toMatch(/repoquery failed/);
  });
});

describe('the dnf collection script', () => {
  const script = DNF_COLLECT.join('; ');

  it('is constant shell that /bin/sh accepts', () => {
    expect(() => execFileSync('/bin/sh', ['-n'], { input: script })).not.toThrow();
    expect(script).not.toMatch(/\$\{?(1|@|\*)/);
    expect(dnfAdapter.probe).toBe('command -v dnf >/dev/null 2>&1 || command -v yum >/dev/null 2>&1');
  });

  it('matches its fixtures section for section', () => {
    const names = [...script.matchAll(/@@PATCHBAY:([a-z0-9-]+)@@/g)].map((m) => m[1]);
    for (const file of fs
      .readdirSync(path.join(__dirname, 'fixtures', 'dnf'))
      .filter((n) => n.endsWith('.txt'))) {
      if (file === 'captured-with.txt') continue;
      const keys = [...splitSections(fixture(file.replace(/\.txt$/, ''))).keys()];
      expect(keys.slice(keys.indexOf('pm') + 1, -1), file).toEqual(names);
    }
  });

  it('sends each tool its own commands, with a real tab-separated repoquery format', () => {
    // A PATH of fakes that print their arguments (and head, grep, stat), so this machine's dnf stays out.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-dnf-'));
    for (const tool of ['head', 'grep', 'stat']) {
      const real = execFileSync('/bin/sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
      fs.symlinkSync(real, path.join(bin, tool));
    }
    const fake = (name: string, version: string) =>
      fs.writeFileSync(
        path.join(bin, name),
        `#!/bin/sh\nif [ "$1" = --version ]; then echo '${version}'; exit 0; fi\n` +
          // With PB_NO_PLUGIN, dnf answers needs-restarting as DNF4 does without dnf-plugins-core.
          `case "$*:$PB_NO_PLUGIN" in *needs-restarting*:1) echo 'No such command: needs-restarting.'; exit 1 ;; esac\n` +
          `printf '[%s]' "$@"; echo\n`,
        { mode: 0o755 },
      );
    const run = (dnf: string | null, needsRestarting = false, noPlugin = '') => {
      for (const f of ['dnf', 'needs-restarting']) fs.rmSync(path.join(bin, f), { force: true });
      if (dnf) fake('dnf', dnf);
      if (needsRestarting) fake('needs-restarting', '');
      fake('yum', '3.4.3');
      fake('rpm', '');
      const out = execFileSync('/bin/sh', ['-c', DNF_COLLECT.join('; ')], {
        env: { PATH: bin, HOME: bin, PB_NO_PLUGIN: noPlugin },
        encoding: 'utf8',
      });
      return splitSections(out);
    };
    try {
      const dnf5 = run('dnf5 version 5.2.8.1');
      expect(dnf5.get('dnf-tool')).toBe('dnf5 dnf5 version 5.2.8.1');
      expect(dnf5.get('dnf-check-update')).toBe('[check-update]\nexit=0');
      expect(dnf5.get('dnf-upgrades')).toBe(
        '[-q][-C][repoquery][--upgrades][--queryformat][%{name}\t%{epoch}\t%{version}\t%{release}\t%{arch}\t%{repoid}\n]\nexit=0',
      );
      expect(dnf5.get('dnf-advisories')).toBe('[-q][-C][advisory][list]\nexit=0');
      expect(dnf5.get('dnf-advisory-cves')).toBe('[-q][-C][advisory][list][--with-cve]\nexit=0');
      expect(dnf5.get('dnf-reboot')).toBe('[-q][-C][needs-restarting][-r]\nexit=0');
      expect(dnf5.get('dnf-locks')).toBe('[-q][-C][versionlock][list]\nexit=0');
      const dnf4 = run('4.14.0');
      expect(dnf4.get('dnf-tool')).toBe('dnf4 4.14.0');
      expect(dnf4.get('dnf-advisories')).toBe('[-q][-C][updateinfo][list]\nexit=0');
      expect(dnf4.get('dnf-advisory-cves')).toBe('[-q][-C][updateinfo][list][--with-cve]\nexit=0');
      const yum = run(null);
      expect(yum.get('dnf-tool')).toBe('yum 3.4.3');
      expect(yum.get('dnf-check-update')).toBe('[check-update]\nexit=0');
      expect(yum.get('dnf-upgrades')).toBe('exit=none');
      expect(yum.get('dnf-advisory-cves')).toBe('[-q][-C][updateinfo][list][cves]\nexit=0');
      expect(yum.get('dnf-reboot')).toBe('exit=127');
      expect(run(null, true).get('dnf-reboot')).toBe('[-r]\nexit=0');
      // dnf without the plugin: the standalone needs-restarting answers instead, or nothing does.
      expect(run('4.14.0', true, '1').get('dnf-reboot')).toBe('[-r]\nexit=0');
      expect(run('4.14.0', false, '1').get('dnf-reboot')).toBe('No such command: needs-restarting.\nexit=1');
      expect(yum.get('dnf-installed')).toBe(
        '[-qa][--qf][%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\n]',
      );
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });
});
