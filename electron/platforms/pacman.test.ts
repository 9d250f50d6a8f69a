import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { section, SECTION_MARKER } from './adapter';
import { ARCH_AUDIT_NOTE, NO_ARCH_AUDIT_NOTE, pacmanAdapter, parsePacman } from './pacman';
import { PACMAN_COLLECT, PACMAN_PROBE } from './pacman-collect';
import { comparableKernel, kernelPackageOf, pacmanReboot } from './pacman-kernel';
import { splitSections } from './sections';
import { UnparseableOutputError } from './types';

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, 'fixtures', 'pacman', name), 'utf8');

/** The common sections of an Arch host (os-release as Arch ships it), in front of the pacman ones. */
const ARCH: Record<string, string> = {
  'os-release':
    'NAME="Arch Linux"\nPRETTY_NAME="Arch Linux"\nID=arch\nBUILD_ID=rolling\nHOME_URL="https://archlinux.org/"',
  uname: 'Linux 6.9.7-arch1-1 x86_64',
  'boot-id': '6d1b3c3e-8f0e-4b7a-9a37-2d5f0c4f8e21',
  uptime: '86400.12 170000.00',
  id: '1000',
  pm: 'pacman',
};

/** Collection output: `over` first (a section printed twice keeps its first copy), then the fixtures, then ARCH. */
function host(fixtures: string[], over: Record<string, string> = {}): string {
  const block = (s: Record<string, string>) =>
    Object.entries(s)
      .map(([k, v]) => `${SECTION_MARKER}${k}@@\n${v}`)
      .join('\n');
  return [block(over), ...fixtures.map(fixture), block(ARCH), `${SECTION_MARKER}end@@\ndone`].join('\n');
}

const parse = (text: string | Buffer) => parsePacman(splitSections(text));
const nowOf = (name: string) => Number(/@@PATCHBAY:now@@\n(\d+)/.exec(fixture(name))?.[1]);
const syncOf = (name: string) => Number(/@@PATCHBAY:pacman-sync@@\n(\d+)/.exec(fixture(name))?.[1]);

describe('pacman findings from real pacman 6.0.2 output (test/capture/pacman-repo.ts)', () => {
  it('lists what pacman -Qu lists, IgnorePkg held back, with the age of the synced databases', () => {
    const f = parse(host(['pending.txt']));
    const qu = /@@PATCHBAY:pacman-qu@@\n([^@]*)exit=0/.exec(fixture('pending.txt'))?.[1] ?? '';
    const listed = qu.split('\n').filter((l) => l.includes(' -> ') && !l.endsWith('[ignored]'));
    const installable = f.patches.filter((p) => !p.held);
    expect(installable.map((p) => `${p.name} ${p.installedVersion} -> ${p.candidateVersion}`).sort()).toEqual(
      listed.sort(),
    );
    expect(f.patches.find((p) => p.name === 'python-pip')).toMatchObject({
      installedVersion: '24.0-1',
      candidateVersion: '1:24.1-1',
      security: null,
    });
    expect(f.held).toEqual(['nvidia-utils']);
    // IgnorePkg holds nvidia-utils back: its pending update shows, marked held (never dropped); vim is not
    // installed, so it is nowhere.
    expect(f.patches.filter((p) => p.held)).toEqual([
      expect.objectContaining({
        name: 'nvidia-utils',
        installedVersion: '550.90.07-1',
        candidateVersion: '555.58-1',
        held: true,
      }),
    ]);
    expect(f.patches.some((p) => p.name === 'vim')).toBe(false);
    // libalpm kept the repository's modification time (published 10 days before the capture).
    expect(f.listsAgeSeconds).toBe(nowOf('pending.txt') - syncOf('pending.txt'));
    expect(f.listsAgeSeconds).toBeGreaterThanOrEqual(10 * 86400);
    expect(f.listsAgeSeconds).toBeLessThan(10 * 86400 + 120);
    expect(f.warnings[0]).toMatch(
      /checkupdates \(pacman-contrib\) is not installed: .* last synced 10 days ago/,
    );
    expect(f.warnings[0]).toMatch(/never run pacman -Sy on its own/);
    expect(f.reboot).toEqual({ required: false, reasons: [] });
    expect(f.notes).toContain(NO_ARCH_AUDIT_NOTE);
    expect(f.facts).toMatchObject({ osId: 'arch', prettyName: 'Arch Linux', kernel: '6.9.7-arch1-1' });
  });

  it('asks for a reboot once the running kernel package was upgraded', () => {
    const f = parse(host(['upgraded.txt']));
    expect(f.patches.map((p) => [p.name, p.held])).toEqual([['nvidia-utils', true]]);
    expect(f.held).toEqual(['nvidia-utils']);
    expect(f.reboot).toEqual({
      required: true,
      reasons: ['running kernel 6.9.7-arch1-1 is no longer installed: linux 6.9.8.arch1-1 is installed'],
    });
  });

  it('reports an up-to-date host and one whose databases were never synced', () => {
    expect(parse(host(['up-to-date.txt'])).patches).toEqual([]);
    const never = parse(host(['never-synced.txt']));
    expect(never.patches).toEqual([]);
    expect(never.listsAgeSeconds).toBeNull();
    expect(never.warnings.join('\n')).toMatch(/have never been synced/);
    expect(never.warnings).toContain(
      "pacman: warning: database file for 'core' does not exist (use '-Sy' to download)",
    );
  });

  it('refuses a host whose sync database is broken, saying what pacman said', () => {
    expect(() => parse(host(['corrupt-db.txt']))).toThrow(UnparseableOutputError);
    expect(() => parse(host(['corrupt-db.txt']))).toThrow(
      /pacman -Qu failed on the host: error: could not open file \/var\/lib\/pacman\/sync\/core.db/,
    );
  });
});

describe('pacman findings with checkupdates and arch-audit (output from documentation)', () => {
  it('prefers checkupdates: fresh lists, no staleness warning', () => {
    const f = parse(host(['checkupdates-from-docs.txt', 'pending.txt']));
    // checkupdates' six, and the IgnorePkg update (which checkupdates leaves out) from pacman -Qu, held.
    expect(f.patches.filter((p) => !p.held)).toHaveLength(6);
    expect(f.patches.filter((p) => p.held).map((p) => p.name)).toEqual(['nvidia-utils']);
    expect(f.listsAgeSeconds).toBe(0);
    expect(f.warnings.join('\n')).not.toMatch(/stale/);
    expect(f.held).toEqual(['nvidia-utils']);
    const none = parse(host(['checkupdates-none-from-docs.txt', 'pending.txt']));
    expect(none.patches.map((p) => [p.name, p.held])).toEqual([['nvidia-utils', true]]);
  });

  it("shows a held package's security fix as a held security patch, never drops it", () => {
    // nvidia-utils is in IgnorePkg; arch-audit says its pending version fixes a vulnerability.
    const audit = 'nvidia-utils|High|555.58-1|CVE-2024-0090\nexit=0';
    const f = parse(host(['pending.txt'], { 'pacman-audit': audit }));
    expect(f.patches.find((p) => p.name === 'nvidia-utils')).toMatchObject({
      installedVersion: '550.90.07-1',
      candidateVersion: '555.58-1',
      security: true,
      severity: 'High',
      cves: ['CVE-2024-0090'],
      held: true,
    });
    expect(f.patches.filter((p) => p.held)).toHaveLength(1);
  });

  it('falls back to the host databases when checkupdates cannot sync, and says why', () => {
    const f = parse(host(['checkupdates-failed-from-docs.txt', 'pending.txt']));
    expect(f.patches.filter((p) => !p.held)).toHaveLength(6);
    expect(f.warnings[0]).toMatch(/could not sync a private copy of the databases \(==> ERROR: Cannot fetch/);
    expect(f.listsAgeSeconds).toBeGreaterThan(10 * 86400 - 1);
    const slow = parse(host(['pending.txt'], { 'pacman-checkupdates': 'exit=124' }));
    expect(slow.warnings[0]).toMatch(/could not sync a private copy of the databases \(timed out\)/);
  });

  it('marks what arch-audit lists as security, with severity and CVEs, security first', () => {
    const f = parse(host(['arch-audit-from-docs.txt', 'pending.txt']));
    expect(f.patches.slice(0, 2).map((p) => p.name)).toEqual(['glibc', 'openssl']);
    expect(f.patches.find((p) => p.name === 'openssl')).toMatchObject({
      security: true,
      severity: 'High',
      cves: ['CVE-2024-4741'],
    });
    expect(f.patches.find((p) => p.name === 'bash')).toMatchObject({ security: false, severity: null });
    // The fix (1:24.2-1) is newer than the candidate (1:24.1-1): this update may not contain it.
    expect(f.patches.find((p) => p.name === 'python-pip')?.security).toBeNull();
    expect(f.warnings.join('\n')).toMatch(/python-pip: the security fix \(1:24.2-1\) is newer/);
    expect(f.notes).toContain(ARCH_AUDIT_NOTE);
  });

  it('leaves security unknown when arch-audit cannot reach the tracker', () => {
    const f = parse(host(['arch-audit-failed-from-docs.txt', 'pending.txt']));
    expect(f.patches.every((p) => p.security === null)).toBe(true);
    expect(f.warnings.join('\n')).toMatch(/arch-audit failed, so security is unknown: Cannot fetch data/);
  });
});

describe('pacman parser against hostile output', () => {
  const qu = (lines: string[]) => ({ 'pacman-qu': [...lines, 'exit=0'].join('\n') });

  it('drops lines that break the package grammar and never lets them through', () => {
    const f = parse(
      host(
        ['pending.txt'],
        qu([
          '$(reboot) 1.0-1 -> 2.0-1',
          'good 1.0-1 -> 1.1-1',
          'evil 1.0-1 -> 1.1;rm${IFS}-rf${IFS}/-1',
          '-rf 1.0-1 -> 2.0-1',
          'x'.repeat(100_000),
          'Fehler: Datenbank konnte nicht geöffnet werden',
          'caf\ufffd 1.0-1 -> 2.0-1',
        ]),
      ),
    );
    expect(f.patches.map((p) => p.name)).toEqual(['good']);
    expect(f.warnings.join('\n')).toMatch(/6 line\(s\) of pacman output did not look like package updates/);
  });

  it('survives invalid UTF-8 and NULs from the host', () => {
    const bytes = Buffer.concat([
      Buffer.from(host(['pending.txt'], qu(['ok 1-1 -> 2-1']))),
      Buffer.from([0xff, 0xfe, 0x00, 0xc3]),
    ]);
    expect(parse(bytes).patches.map((p) => p.name)).toEqual(['ok']);
  });

  it('reports another locale as a failure instead of an empty list', () => {
    const german = { 'pacman-qu': 'Fehler: Keine nutzbaren Paket-Repositorien konfiguriert.\nexit=1' };
    expect(() => parse(host(['pending.txt'], german))).toThrow(/failed on the host: Fehler: Keine/);
  });

  it('refuses truncated output', () => {
    const cut = host(['pending.txt']).split(`${SECTION_MARKER}end@@`)[0] ?? '';
    expect(() => parse(cut)).toThrow(/ended early/);
    expect(() => parse(host(['pending.txt'], { 'pacman-qu': 'bash 5.2.026-2 -> 5.2.026-5' }))).toThrow(
      /cut off/,
    );
  });

  it('ignores hostile arch-audit and kernel lines', () => {
    const audit = { 'pacman-audit': 'openssl|High|3.3.1-1|CVE-2024-4741;reboot\n$(x)|High||\nexit=0' };
    const f = parse(host(['pending.txt'], audit));
    expect(f.patches.find((p) => p.name === 'openssl')).toMatchObject({ security: true, cves: [] });
    const kernel = ['running=$(reboot)', 'modules=missing', 'linux 6.9.8.arch1-1'];
    expect(pacmanReboot(kernel).required).toBe(false);
  });
});

describe('the running kernel against the installed one', () => {
  it("maps kernel releases to Arch's packages and versions", () => {
    expect(kernelPackageOf('6.9.7-arch1-1')).toBe('linux');
    expect(kernelPackageOf('6.6.36-1-lts')).toBe('linux-lts');
    expect(kernelPackageOf('6.9.7-zen1-1-zen')).toBe('linux-zen');
    expect(comparableKernel('6.9.7-zen1-1-zen')).toBe(comparableKernel('6.9.7.zen1-1'));
    expect(comparableKernel('6.6.36-1-lts')).toBe(comparableKernel('6.6.36-1'));
  });

  it('needs a reboot for a newer package even when a hook kept the old modules', () => {
    const kept = ['running=6.6.36-1-lts', 'modules=present', 'linux-lts 6.6.37-1'];
    expect(pacmanReboot(kept)).toEqual({
      required: true,
      reasons: ['running kernel 6.6.36-1-lts, installed linux-lts 6.6.37-1'],
    });
    const same = ['running=6.9.7-zen1-1-zen', 'modules=present', 'linux-zen 6.9.7.zen1-1'];
    expect(pacmanReboot(same).required).toBe(false);
  });

  it('makes no claim where no package provides the kernel (containers, custom kernels)', () => {
    expect(pacmanReboot(['running=6.1.0-28-amd64', 'modules=missing']).required).toBe(false);
  });
});

describe('the pacman collection snippets', () => {
  const script = ['LC_ALL=C; export LC_ALL', ...PACMAN_COLLECT, section('end', 'echo done')].join('\n');

  it('are POSIX sh (dash and bash --posix parse them) and constant', () => {
    execFileSync('dash', ['-n'], { input: script });
    execFileSync('bash', ['--posix', '-n'], { input: script });
    expect(pacmanAdapter).toMatchObject({ id: 'pacman', probe: PACMAN_PROBE, collect: PACMAN_COLLECT });
    expect(script).not.toMatch(/\$\{?(1|@|\*)/);
  });

  it('do not take a Debian machine with a pacman binary for Arch', () => {
    if (fs.existsSync('/etc/arch-release')) return;
    const probe = () => execFileSync('sh', ['-c', `if ${PACMAN_PROBE}; then echo yes; else echo no; fi`]);
    expect(probe().toString().trim()).toBe('no');
  });
});
