import fs from 'node:fs/promises';
import path from 'node:path';

import { run } from './run';

/** A dummy Debian package: only the metadata and behaviour a patch scanner can observe. */
export interface PackageSpec {
  name: string;
  /** Debian version, epoch and tilde allowed: `1:2.0-1`, `1.0~rc1-1`. */
  version: string;
  /** Defaults to the machine's own (`dpkg --print-architecture`), as most real updates are. */
  architecture?: string;
  depends?: string[];
  /** Breaks: relations; upgrading to this version makes apt remove what it breaks. */
  breaks?: string[];
  description?: string;
  /** Extra shell lines for postinst, run on `configure`. */
  postinst?: string;
  /** postinst writes /var/run/reboot-required and appends to .pkgs, as kernel and libc updates do. */
  rebootRequired?: boolean;
  /** Installed files (absolute paths); those under /etc become conffiles. */
  files?: Record<string, string>;
  /** The source package it was built from, when not its own name (libssl3 comes from openssl). */
  source?: string;
}

const NAME = /^[a-z0-9][a-z0-9+.-]+$/;
const VERSION = /^([0-9]+:)?[0-9][A-Za-z0-9.+~-]*$/;

let hostArch: Promise<string> | undefined;
/** The architecture dpkg builds for on this machine (amd64 here). */
export function hostArchitecture(): Promise<string> {
  hostArch ??= run('dpkg', ['--print-architecture']).then((r) => r.stdout.trim());
  return hostArch;
}

/** The pool file name Debian uses: epoch dropped, `name_version_arch.deb`. */
export function debFileName(pkg: PackageSpec, arch: string): string {
  return `${pkg.name}_${pkg.version.replace(/^[0-9]+:/, '')}_${arch}.deb`;
}

function postinst(pkg: PackageSpec): string {
  const lines = ['#!/bin/sh', 'set -e', 'if [ "$1" = configure ]; then'];
  if (pkg.rebootRequired) {
    // Same files as update-notifier-common / reboot-notifier write; scanners read exactly these.
    lines.push(
      "  echo '*** System restart required ***' > /var/run/reboot-required",
      `  grep -qx '${pkg.name}' /var/run/reboot-required.pkgs 2>/dev/null || echo '${pkg.name}' >> /var/run/reboot-required.pkgs`,
    );
  }
  if (pkg.postinst) lines.push(pkg.postinst);
  lines.push('  :', 'fi', '');
  return lines.join('\n');
}

/** Builds `pkg` with `dpkg-deb --build` into `outDir` and returns the .deb path. */
export async function buildDeb(pkg: PackageSpec, outDir: string): Promise<string> {
  if (!NAME.test(pkg.name)) throw new Error(`not a Debian package name: ${pkg.name}`);
  if (!VERSION.test(pkg.version)) throw new Error(`not a Debian version: ${pkg.version}`);
  if (pkg.source !== undefined && !NAME.test(pkg.source)) throw new Error(`not a source name: ${pkg.source}`);
  const arch = pkg.architecture ?? (await hostArchitecture());
  const work = await fs.mkdtemp(path.join(outDir, `.build-${pkg.name}-`));
  try {
    const files: Record<string, string> = {
      [`/usr/share/patchbay-test/${pkg.name}`]: `${pkg.name} ${pkg.version}\n`,
      ...pkg.files,
    };
    for (const [file, content] of Object.entries(files)) {
      if (!file.startsWith('/') || file.includes('..')) throw new Error(`bad file path ${file}`);
      await fs.mkdir(path.join(work, path.dirname(file)), { recursive: true });
      await fs.writeFile(path.join(work, file), content);
    }
    const control = [
      `Package: ${pkg.name}`,
      `Version: ${pkg.version}`,
      ...(pkg.source ? [`Source: ${pkg.source}`] : []),
      `Architecture: ${arch}`,
      'Maintainer: Patchbay tests <tests@patchbay.invalid>',
      'Installed-Size: 4',
      ...(pkg.depends?.length ? [`Depends: ${pkg.depends.join(', ')}`] : []),
      ...(pkg.breaks?.length ? [`Breaks: ${pkg.breaks.join(', ')}`] : []),
      'Section: misc',
      'Priority: optional',
      `Description: ${pkg.description ?? `Patchbay test package ${pkg.name}`}`,
      ' Dummy package built by the Patchbay test suite.',
      '',
    ].join('\n');
    await fs.mkdir(path.join(work, 'DEBIAN'));
    await fs.writeFile(path.join(work, 'DEBIAN/control'), control);
    await fs.writeFile(path.join(work, 'DEBIAN/postinst'), postinst(pkg), { mode: 0o755 });
    const conffiles = Object.keys(files).filter((f) => f.startsWith('/etc/'));
    if (conffiles.length)
      await fs.writeFile(path.join(work, 'DEBIAN/conffiles'), conffiles.join('\n') + '\n');
    const deb = path.join(outDir, debFileName(pkg, arch));
    // gzip at level 1: these packages are tiny and publishing mid-test must stay well under a second.
    await run('dpkg-deb', ['--root-owner-group', '-Zgzip', '-z1', '--build', work, deb]);
    return deb;
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}
