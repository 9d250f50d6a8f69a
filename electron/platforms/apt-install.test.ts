import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { aptInstaller } from './apt-install';
import { classifyAptFailure, parseAptDryRun, spaceNeeds } from './apt-install-parse';
import type { InstallRequest } from './installer';
import { INSTALLERS } from './installers';
import { UnparseableOutputError } from './types';

const apt = aptInstaller();
const dir = path.join(__dirname, 'fixtures', 'apt-install');
const fixtures = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.expected.json'))
  .map((f) => f.replace(/\.expected\.json$/, ''));
const read = (name: string) => ({
  text: fs.readFileSync(path.join(dir, `${name}.txt`), 'utf8'),
  expected: JSON.parse(fs.readFileSync(path.join(dir, `${name}.expected.json`), 'utf8')) as {
    exitCode: number;
    plan?: unknown;
    failed?: Record<string, string>;
    bootId?: string;
    rebootPending?: boolean;
    failure?: unknown;
  },
});
const req = (items: [string, string, string?][]): InstallRequest => ({
  items: items.map(([name, version, arch]) => ({ name, version, arch: arch ?? '' })),
  advisories: [],
  allowReboot: false,
});

describe('apt installer: real outputs from the test targets, read as checked by hand', () => {
  it('has a hand-checked result for every kind of output', () => {
    expect(fixtures).toEqual(
      expect.arrayContaining(['dry-run-removal', 'preflight-locked', 'install-ok', 'install-timeout']),
    );
    expect(fixtures.length).toBe(20);
  });

  it.each(fixtures)('%s', (name) => {
    const { text, expected } = read(name);
    if (name.startsWith('dry-run-')) {
      expect(apt.parseDryRun(text, expected.exitCode)).toEqual(expected.plan);
    } else if (name.startsWith('preflight-')) {
      const report = apt.parsePreflight(text, expected.exitCode);
      expect(report.checks).toHaveLength(7);
      const failed = Object.fromEntries(report.checks.filter((c) => !c.ok).map((c) => [c.id, c.message]));
      expect(failed).toEqual(expected.failed);
      expect(report.bootId).toBe(expected.bootId);
      expect(report.rebootPending).toBe(expected.rebootPending);
    } else {
      expect(apt.classifyFailure(text, expected.exitCode)).toEqual(expected.failure);
    }
  });
});

describe('apt installer commands', () => {
  it('is the registered apt installer', () => {
    expect(INSTALLERS.apt?.id).toBe('apt');
    expect(Object.keys(INSTALLERS)).toEqual(['apt']);
  });

  it('accepts only Debian names and versions, and builds no command from anything else', () => {
    expect(apt.validItem({ name: 'pb-openssl', arch: '', version: '3.0.11-1~deb12u2' })).toBe(true);
    expect(apt.validItem({ name: 'libc6', arch: 'i386', version: '1:2.36-9+deb12u4' })).toBe(true);
    for (const bad of [
      { name: 'x;rm -rf /', arch: '', version: '1' },
      { name: 'pb-a', arch: '', version: "1'$(id)" },
      { name: 'pb-a', arch: '', version: '' },
      { name: 'pb-a', arch: 'AMD64', version: '1' },
      { name: '-o', arch: '', version: '1' },
    ]) {
      expect(apt.validItem(bad)).toBe(false);
      expect(() => apt.installCommand({ items: [bad], advisories: [], allowReboot: false })).toThrow(
        /not a valid Debian package/,
      );
      expect(() => apt.dryRunCommand({ items: [bad], advisories: [], allowReboot: false })).toThrow();
    }
    expect(() => apt.installedVersionsCommand(['ok', 'a b'])).toThrow(/not a Debian package name/);
  });

  it('pins exact versions, keeps conffiles and never asks', () => {
    const cmd = apt.installCommand(
      req([
        ['pb-openssl', '3.0.11-1~deb12u2'],
        ['libfoo', '1.0-1', 'i386'],
      ]),
    );
    expect(cmd).toContain("install --only-upgrade 'pb-openssl=3.0.11-1~deb12u2' 'libfoo:i386=1.0-1'");
    for (const part of [
      'DEBIAN_FRONTEND=noninteractive',
      'NEEDRESTART_MODE=a',
      'APT_LISTCHANGES_FRONTEND=none',
      '-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold',
      '-o DPkg::Lock::Timeout=120',
      ' -y ',
    ]) {
      expect(cmd).toContain(part);
    }
    expect(cmd).not.toContain('allow-change-held-packages');
    expect(aptInstaller({ lockTimeoutSeconds: 7 }).installCommand(req([['a1', '1']]))).toContain(
      'DPkg::Lock::Timeout=7',
    );
    expect(apt.recoverCommand).toContain('dpkg --force-confdef --force-confold --configure -a');
  });

  it('asks df about /boot only for kernel updates, and sums what paths on one file system need', () => {
    expect(apt.preflightCommand({ downloadBytes: 10, kernel: true })).toContain(
      '/var/cache/apt/archives / /var /boot',
    );
    expect(apt.preflightCommand({ downloadBytes: null, kernel: false })).toContain('echo "download unknown"');
    const MiB = 1024 * 1024;
    expect(spaceNeeds(50 * MiB, true)).toEqual({
      '/var/cache/apt/archives': 51 * MiB,
      '/': 200 * MiB,
      '/var': 100 * MiB,
      '/boot': 100 * MiB,
    });
    const df = (path: string, availKb: number, mount: string) =>
      `df ${path} /dev/sda1 1000000 1 ${availKb} 1% ${mount}`;
    const out = [
      'uid 0',
      'tools apt-get dpkg',
      'download 104857600',
      'kernel 0',
      df('/var/cache/apt/archives', 400 * 1024, '/'),
      df('/', 400 * 1024, '/'),
      df('/var', 400 * 1024, '/'),
      'now 100',
      'lists 50',
    ].join('\n');
    // 101 + 300 + 100 MB on one file system with 400 MB free.
    expect(apt.parsePreflight(out, 0).checks.find((c) => c.id === 'space')).toEqual({
      id: 'space',
      ok: false,
      message: 'only 400 MB free on / (/var/cache/apt/archives, /, /var), 501 MB needed',
    });
  });

  it('reads installed versions: installed or held only, not unpacked or half-configured', () => {
    const out = [
      'pb-core\tamd64\tii \t2.0-1',
      'pb-held\tamd64\thi \t1.0-1',
      'pb-half\tamd64\tiU \t1.1-1',
      'pb-slow\tamd64\tiF \t1.3-1',
      'pb-gone\tamd64\trc \t1.0-1',
      'libfoo\ti386\tii \t1.0-1',
      'garbage',
    ].join('\n');
    expect(Object.fromEntries(apt.parseInstalledVersions(out))).toEqual({
      'pb-core': '2.0-1',
      'pb-core:amd64': '2.0-1',
      'pb-held': '1.0-1',
      'pb-held:amd64': '1.0-1',
      libfoo: '1.0-1',
      'libfoo:i386': '1.0-1',
    });
  });

  it('refuses output that is not an apt simulation, and reads foreign-architecture lines', () => {
    expect(() => parseAptDryRun('hello\n@@patchbay-uris 0\n@@patchbay-uris-end 0\n', 0)).toThrow(
      UnparseableOutputError,
    );
    const plan = parseAptDryRun(
      [
        '0 upgraded, 1 newly installed, 0 to remove and 0 not upgraded.',
        'Inst libfoo:i386 (1.0-1 Debian:12.11/stable [i386])',
        'Purg oldthing:i386 [0.9-1]',
        '@@patchbay-uris 0',
        "'http://x/libfoo.deb' libfoo_1.0-1_i386.deb 1234 SHA256:ab",
        '@@patchbay-uris-end 0',
      ].join('\n'),
      0,
    );
    expect(plan.installs).toEqual([{ name: 'libfoo', arch: 'i386', fromVersion: '', toVersion: '1.0-1' }]);
    expect(plan.removals).toEqual([{ name: 'oldthing', arch: 'i386', fromVersion: '0.9-1', toVersion: '' }]);
    expect(plan.downloadBytes).toBe(1234);
  });

  it('fails the lists check on stale or missing lists, measured on the host clock', () => {
    const lists = (now: number, newest: number) =>
      apt
        .parsePreflight(['uid 0', `now ${now}`, `lists ${newest}`].join('\n'), 0)
        .checks.find((c) => c.id === 'lists');
    expect(lists(1_800_000_000, 1_800_000_000 - 12 * 86_400)).toEqual({
      id: 'lists',
      ok: false,
      message: 'package lists are 12 days old: refresh them first',
    });
    expect(lists(1_800_000_000, 1_800_000_000 - 5 * 3600)).toMatchObject({
      ok: true,
      message: 'package lists are 5 hours old',
    });
    expect(lists(1_800_000_000, 0)).toMatchObject({
      ok: false,
      message: 'no package lists found: refresh them first',
    });
  });

  it('refuses pre-flight output from a script that never ran', () => {
    expect(() => apt.parsePreflight('sudo: a password is required\n', 1)).toThrow(UnparseableOutputError);
  });

  it('flags a dpkg journal left by a killed dpkg even when --audit is clean', () => {
    const base = ['uid 0', 'tools apt-get dpkg', 'now 100', 'lists 90', 'journal 1'].join('\n');
    expect(apt.parsePreflight(base, 0).checks.find((c) => c.id === 'interrupted')).toEqual({
      id: 'interrupted',
      ok: false,
      message:
        'dpkg was interrupted (its journal in /var/lib/dpkg/updates is not empty): dpkg --configure -a is needed',
    });
  });

  it('classifies the remaining failures from apt and dpkg lines', () => {
    expect(
      classifyAptFailure(
        "E: dpkg was interrupted, you must manually run 'dpkg --configure -a' to correct the problem.\n",
        100,
      ),
    ).toMatchObject({ kind: 'interrupted' });
    expect(classifyAptFailure('dpkg: error: No space left on device\n', 1)).toMatchObject({
      kind: 'disk-full',
    });
    expect(classifyAptFailure('Killed\n', 137)).toMatchObject({ kind: 'timeout' });
    expect(classifyAptFailure('E: Something new\n', 100)).toEqual({
      kind: 'unknown',
      message: 'E: Something new',
    });
    expect(classifyAptFailure('', null)).toEqual({
      kind: 'unknown',
      message: 'apt-get exited with code none (killed)',
    });
    expect(classifyAptFailure('anything', 0)).toBeNull();
  });
});
