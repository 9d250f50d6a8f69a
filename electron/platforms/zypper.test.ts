import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { SECTION_MARKER } from './adapter';
import { type Sections, splitSections } from './sections';
import { UnparseableOutputError } from './types';
import { parseZypper, ZYPPER_LOCKED, zypperAdapter } from './zypper';
import { ZYPPER_COLLECT, ZYPPER_LOCK_TRIES } from './zypper-collect';
import { decodeEntities } from './zypper-xml';

const fixture = (name: string) =>
  fs.readFileSync(path.join(__dirname, 'fixtures', 'zypper', `${name}.txt`), 'utf8');
const parse = (text: string | Buffer) => parseZypper(splitSections(text));

/** A fixture with some sections replaced (same order, the rest as captured). */
function edit(name: string, over: Record<string, string>): string {
  const sections: Sections = splitSections(fixture(name));
  return [...sections.keys()].map((k) => `${SECTION_MARKER}${k}@@\n${over[k] ?? sections.get(k)}`).join('\n');
}

describe('zypper findings from real zypper 1.14 output (captured)', () => {
  const real = fixture('updates');
  const f = parse(real);
  const by = (name: string) => f.patches.find((p) => p.name === name);

  it('reads the host facts from os-release and uname', () => {
    expect(f.packageManager).toBe('zypper');
    expect(f.facts).toMatchObject({
      osId: 'opensuse-leap',
      versionId: '15.6',
      prettyName: 'openSUSE Leap 15.6',
    });
  });

  it('lists every package list-updates reports, with installed and candidate editions', () => {
    const xml = splitSections(real).get('zypper-updates') ?? '';
    const listed = [...xml.matchAll(/<update kind="package" name="([^"]+)" edition="([^"]+)"/g)].map(
      (m) => `${m[1]} ${m[2]}`,
    );
    const installable = f.patches.filter((p) => !p.held);
    expect(installable.map((p) => `${p.name} ${p.candidateVersion}`).sort()).toEqual(listed.sort());
    expect(by('pb-a-very-long-package-name-to-stretch-the-columns')).toMatchObject({
      installedVersion: '1:1.0-1',
      candidateVersion: '2:0.9-1',
    });
    expect(by('pb-g++')).toMatchObject({ installedVersion: '1.0~rc1-1', candidateVersion: '1.0-1' });
  });

  it('classifies each package by the patches that update it', () => {
    expect(by('pb-openssl')).toMatchObject({
      arch: 'x86_64',
      security: true,
      severity: 'Critical',
      advisories: ['PBSA-2024:0001'],
      cves: ['CVE-2024-0001', 'CVE-2024-0002'],
      origin: 'pb-baseos',
    });
    expect(by('pb-libxml')).toMatchObject({
      security: true,
      severity: 'Important',
      advisories: ['PBSA-2024:0002', 'PBSA-2024:0003'],
      cves: ['CVE-2024-1111', 'CVE-2024-2222'],
    });
    expect(by('pb-curl')).toMatchObject({ security: true, severity: 'Low' });
    expect(by('pb-sudo')).toMatchObject({ security: true, severity: null });
    expect(by('glibc')).toMatchObject({ security: false, advisories: ['PBBA-2024:0005'] });
    expect(by('pb-plain')).toMatchObject({ security: false, advisories: [] });
  });

  it('needs no securityVersion when the candidate itself is the newest security fix', () => {
    expect(by('pb-libxml')?.securityVersion).toBeUndefined();
    expect(f.patches.filter((p) => p.securityVersion)).toEqual([]);
  });

  it('keeps a security patch for an edition older than the candidate: securityVersion', () => {
    // PBSA-2024:0003 (pb-libxml < 2.9-3) becomes a plain recommended patch: only 2.9-2 fixes a flaw.
    const text = splitSections(real).get('zypper-patches') ?? '';
    const recommended = text.replace(
      /(name="PBSA-2024:0003"[^>]*)category="security" severity="moderate"/,
      '$1category="recommended" severity="moderate"',
    );
    expect(recommended).not.toBe(text);
    const g = parse(edit('updates', { 'zypper-patches': recommended }));
    expect(g.patches.find((p) => p.name === 'pb-libxml')).toMatchObject({
      installedVersion: '2.9-1',
      candidateVersion: '2.9-3',
      securityVersion: '2.9-2',
      security: true,
      severity: 'Important',
    });
  });

  it('never guesses: updates from a repository without updateinfo are unknown', () => {
    expect(by('pb-vendor-agent')).toMatchObject({ security: null });
    expect(f.notes).toContain(
      'Security classification unknown for updates from pb-vendor: these repositories publish no updateinfo.',
    );
  });

  it('reports locks as held and needs-rebooting (exit 102) as a required reboot', () => {
    expect(f.held).toEqual(['pb-tzdata']);
    expect(f.patches.filter((p) => p.held).map((p) => p.name)).toEqual(['pb-tzdata']);
    expect(f.reboot.required).toBe(true);
    expect(f.notes).toContain('Installing PBSA-2024:0001 will need a reboot (the patches say so).');
    expect(f.warnings).toEqual([]);
  });
});

describe('updates of locked packages (list-updates --all, captured)', () => {
  const real = fixture('updates');
  const sections = splitSections(real);

  it('shows the locked package that plain list-updates leaves out as held, with its versions', () => {
    expect(sections.get('zypper-updates')).not.toContain('name="pb-tzdata"');
    expect(sections.get('zypper-updates-all')).toContain('name="pb-tzdata" edition="2024b-1"');
    expect(parse(real).patches.find((p) => p.name === 'pb-tzdata')).toMatchObject({
      installedVersion: '2024a-1',
      candidateVersion: '2024b-1',
      origin: 'pb-baseos',
      security: false,
      advisories: ['PBEA-2024:0004'],
      held: true,
    });
  });

  it('marks a held security fix as security, classified like any other update', () => {
    const text = sections.get('zypper-patches') ?? '';
    const security = text.replace(
      /(name="PBEA-2024:0004"[^>]*)category="enhancement" severity="none"/,
      '$1category="security" severity="important"',
    );
    expect(security).not.toBe(text);
    const f = parse(edit('updates', { 'zypper-patches': security }));
    expect(f.patches.find((p) => p.name === 'pb-tzdata')).toMatchObject({
      security: true,
      severity: 'Important',
      held: true,
    });
    // Security first, as for every other package.
    expect(f.patches.findIndex((p) => p.name === 'pb-tzdata')).toBeLessThan(
      f.patches.findIndex((p) => p.security !== true),
    );
  });

  it('adds only updates a lock covers, and nothing when the lock list or --all is missing', () => {
    const unlocked = parse(edit('updates', { 'zypper-locks': 'exit=0' }));
    expect(unlocked.patches.some((p) => p.held)).toBe(false);
    const failed = parse(edit('updates', { 'zypper-updates-all': 'exit=4' }));
    expect(failed.patches.some((p) => p.held)).toBe(false);
    expect(failed.held).toEqual(['pb-tzdata']);
  });
});

describe('other real zypper hosts (captured)', () => {
  it('reports a zypp lock that never freed, and who holds it', () => {
    expect(() => parse(fixture('locked'))).toThrow(UnparseableOutputError);
    expect(() => parse(fixture('locked'))).toThrow(
      new RegExp(`^${ZYPPER_LOCKED} \\(sleep, pid \\d+\\) and it did not free within 12 s`),
    );
  });

  it('warns about a repository that was skipped (exit 106) and keeps the rest', () => {
    const f = parse(fixture('broken-repo'));
    expect(f.warnings.join('\n')).toMatch(/Skipping repository 'pb-broken' because of the above error/);
    expect(f.patches.find((p) => p.name === 'pb-openssl')?.security).toBe(true);
  });

  it('marks every update unknown when no repository publishes updateinfo', () => {
    const f = parse(fixture('no-updateinfo'));
    expect(f.patches.length).toBeGreaterThan(0);
    expect(f.patches.every((p) => p.security === null)).toBe(true);
    expect(f.notes?.[0]).toMatch(/pb-noinfo, pb-vendor: these repositories publish no updateinfo/);
  });

  it('reports an up-to-date host as such', () => {
    const f = parse(fixture('up-to-date'));
    expect(f).toMatchObject({ patches: [], held: [], reboot: { required: false }, warnings: [], notes: [] });
  });
});

describe('hostile zypper output', () => {
  const update = (attrs: string, alias = 'pb-baseos') =>
    `<update kind="package" ${attrs}>\n<source url="file:/x" alias="${alias}"/>\n</update>`;

  it('drops names with shell metacharacters, decoded entities included', () => {
    const xml = [
      '<update-list>',
      update('name="$(reboot)" edition="1-2" arch="noarch" edition-old="1-1"'),
      update('name="a&amp;b" edition="1-2" arch="noarch" edition-old="1-1"'),
      update('name="pb-plain" edition="1.1-1;id" arch="noarch" edition-old="1.0-1"'),
      update('name="pb-plain" edition="1.1-1" arch="noarch" edition-old="1.0-1"', 'bad alias'),
      update('name="pb-plain" edition="1.1-1" arch="noarch" edition-old="1.0-1"'),
      '</update-list>',
      'exit=0',
    ].join('\n');
    const f = parse(edit('updates', { 'zypper-updates': xml }));
    expect(f.patches.filter((p) => !p.held).map((p) => p.name)).toEqual(['pb-plain']);
    expect(f.warnings.join()).toMatch(/4 item\(s\) of zypper output did not look like rpm packages/);
    expect(decodeEntities('a&amp;b&#x3c;&#60;&bogus;')).toBe('a&b<<&bogus;');
  });

  it('drops hostile lines in list-updates --all and never lets a lock match them', () => {
    const lock = (name: string) => `<lock number="1">\n<name>${name}</name>\n</lock>`;
    const locks = ['<locks>', lock('*'), '</locks>', 'exit=0'].join('\n');
    const all = [
      '<update-list>',
      update('name="$(reboot)" edition="1-2" arch="noarch" edition-old="1-1"'),
      update('name="pb-x;id" edition="1-2" arch="noarch" edition-old="1-1"'),
      update('name="pb-tzdata" edition="2024b-1`id`" arch="noarch" edition-old="2024a-1"'),
      update('name="pb-tzdata" edition="2024b-1" arch="noarch" edition-old="2024a-1"', 'bad alias'),
      update('name="pb-tzdata" edition="2024b-1" arch="noarch" edition-old="2024a-1"'),
      '<update kind="package" name="pb-unclosed" edition="9-9" arch="noarch" edition-old="1-1"',
      'exit=0',
    ].join('\n');
    const f = parse(edit('updates', { 'zypper-locks': locks, 'zypper-updates-all': all }));
    expect(f.patches.filter((p) => p.held).map((p) => `${p.name} ${p.candidateVersion}`)).toEqual([
      'pb-tzdata 2024b-1',
    ]);
    expect(f.patches.every((p) => /^[\w.+-]+$/.test(p.name))).toBe(true);
  });

  it('ignores hostile patch names and Conflicts entries', () => {
    const info = [
      'Information for patch PBSA-2024:0006:',
      'Conflicts   : [2]',
      '    pb-curl;reboot < 7.76-2',
      '    $(id) < 1-1',
      'Information for patch evil;rm:',
      'Conflicts   : pb-plain < 1.1-1',
    ].join('\n');
    const f = parse(edit('updates', { 'zypper-patch-info': info }));
    // PBSA-2024:0006 maps to nothing now; the other security patches have no Conflicts at all: unknown.
    expect(f.patches.find((p) => p.name === 'pb-curl')?.security).toBeNull();
    expect(f.patches.find((p) => p.name === 'pb-plain')?.security).toBeNull();
    expect(f.warnings.join()).toMatch(/did not say which packages some security patches update/);
  });

  it('makes security unknown when patch details come back in another language', () => {
    const german = (splitSections(fixture('updates')).get('zypper-patch-info') ?? '')
      .replaceAll('Information for patch', 'Informationen zu Patch')
      .replaceAll('Conflicts', 'Konflikte');
    const f = parse(edit('updates', { 'zypper-patch-info': german }));
    expect(f.patches.some((p) => p.security === false)).toBe(false);
  });

  it('keeps a hostile lock holder name out of the message', () => {
    const locked =
      '<message type="error">System management is locked by the application with pid 7 ($(reboot)).</message>\nexit=7';
    expect(() => parse(edit('updates', { 'zypper-updates': locked }))).toThrow(
      /^zypper is locked by another process and it did not free/,
    );
  });

  it('survives huge lines, NULs and invalid UTF-8', () => {
    const xml = `<update-list>\n${'<'.repeat(100_000)}\n${update('name="pb-plain" edition="1.1-1" arch="noarch" edition-old="1.0-1"')}\n\u0000</update-list>\nexit=0`;
    const text = edit('updates', { 'zypper-updates': xml });
    const f = parse(Buffer.concat([Buffer.from(text), Buffer.from([0xff, 0xfe, 0xc3])]));
    expect(f.patches.filter((p) => !p.held).map((p) => p.name)).toEqual(['pb-plain']);
  });

  it('refuses truncated output and reports zypper errors in words', () => {
    const real = fixture('updates');
    expect(() => parse(real.split(`${SECTION_MARKER}end@@`)[0] ?? '')).toThrow(/ended early/);
    expect(() => parse(edit('updates', { 'zypper-updates': '<update-list>' }))).toThrow(/cut off/);
    const failed = '<message type="error">Repository &apos;x&apos; is invalid.</message>\nexit=4';
    expect(() => parse(edit('updates', { 'zypper-updates': failed }))).toThrow(
      "zypper list-updates failed on the host: Repository 'x' is invalid.",
    );
  });
});

describe('the zypper collection script', () => {
  const script = ZYPPER_COLLECT.join('; ');

  it('is constant shell that /bin/sh accepts', () => {
    expect(() => execFileSync('/bin/sh', ['-n'], { input: script })).not.toThrow();
    expect(script).not.toMatch(/\$\{?(1|\*)\b/);
    expect(zypperAdapter.probe).toBe('command -v zypper >/dev/null 2>&1');
  });

  it('matches its fixtures section for section', () => {
    const names = [...script.matchAll(/@@PATCHBAY:([a-z0-9-]+)@@/g)].map((m) => m[1]);
    for (const file of fs
      .readdirSync(path.join(__dirname, 'fixtures', 'zypper'))
      .filter((n) => n.endsWith('.txt'))) {
      if (file === 'captured-with.txt') continue;
      const keys = [...splitSections(fixture(file.replace(/\.txt$/, ''))).keys()];
      expect(keys.slice(keys.indexOf('pm') + 1, -1), file).toEqual(names);
    }
  });

  it('retries while the zypp lock is held, then gives up and later calls try once', () => {
    // A fake zypper that is locked for its first two calls, and a sleep that does not sleep.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-zypper-'));
    try {
      const count = path.join(bin, 'count');
      fs.writeFileSync(
        path.join(bin, 'zypper'),
        `#!/bin/sh\nn=$(($(cat ${count} 2>/dev/null || echo 0) + 1)); echo $n > ${count}\n` +
          `if [ "$n" -le "$PB_LOCKED_CALLS" ]; then echo 'System management is locked'; exit 7; fi\n` +
          `echo '<update-list><update kind="package"/></update-list>'\n`,
        { mode: 0o755 },
      );
      fs.writeFileSync(path.join(bin, 'sleep'), '#!/bin/sh\n', { mode: 0o755 });
      const run = (locked: number) => {
        fs.rmSync(count, { force: true });
        const out = execFileSync(
          '/bin/sh',
          ['-c', `${ZYPPER_COLLECT[0]}; pb_zypper list-updates; pb_zypper locks`],
          {
            env: { PATH: `${bin}:/usr/bin:/bin`, PB_LOCKED_CALLS: String(locked) },
            encoding: 'utf8',
          },
        );
        return { out, calls: Number(fs.readFileSync(count, 'utf8')) };
      };
      const freed = run(2);
      expect(freed.calls).toBe(4);
      expect(freed.out.match(/^exit=\d+$/gm)).toEqual(['exit=0', 'exit=0']);
      // The XML is split after every tag so no line can outgrow the section line limit.
      expect(freed.out).toContain('<update-list>\n<update kind="package"/>\n</update-list>');
      const stuck = run(99);
      expect(stuck.calls).toBe(ZYPPER_LOCK_TRIES + 1);
      expect(stuck.out.match(/^exit=\d+$/gm)).toEqual(['exit=7', 'exit=7']);
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });

  it('passes only grammar-checked patch names from list-patches to `zypper info`, through xargs', () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-zypper-'));
    try {
      const names = [
        'PBSA-2024:0001',
        '$(touch PWNED)',
        '--root=/tmp',
        'a b',
        'ok;reboot',
        '`id`',
        'openSUSE-SLE-15.6-2024-1234',
      ];
      const xml = names.map((n) => `<update kind="patch" name="${n}" status="needed"/>`).join('');
      fs.writeFileSync(path.join(bin, 'patches.xml'), `<update-list>${xml}</update-list>\n`);
      // A fake zypper: prints the patch list, and for `info` one header per argument after `--`.
      fs.writeFileSync(
        path.join(bin, 'zypper'),
        `#!/bin/sh\ncase "$*" in *list-patches*) cat '${bin}/patches.xml' ;;\n` +
          `*' info '*) seen=0; for a in "$@"; do [ $seen = 1 ] && echo "Information for patch $a:"; [ "$a" = -- ] && seen=1; done ;;\n` +
          `*) echo '<stream/>' ;; esac\n`,
        { mode: 0o755 },
      );
      fs.writeFileSync(path.join(bin, 'sleep'), '#!/bin/sh\n', { mode: 0o755 });
      const out = execFileSync('/bin/sh', ['-c', ZYPPER_COLLECT.join('; ')], {
        cwd: bin,
        env: { PATH: `${bin}:/usr/bin:/bin` },
        encoding: 'utf8',
      });
      expect(splitSections(out).get('zypper-patch-info')).toBe(
        'Information for patch PBSA-2024:0001:\nInformation for patch openSUSE-SLE-15.6-2024-1234:',
      );
      expect(fs.existsSync(path.join(bin, 'PWNED'))).toBe(false);
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });
});
