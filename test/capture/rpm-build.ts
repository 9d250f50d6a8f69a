/**
 * Builds the small rpm packages and repositories the fixture capture runs dnf and zypper against: empty
 * packages from a trivial spec (rpmbuild -bb), createrepo_c repositories, and an updateinfo.xml with
 * security (Critical/Important/Moderate/Low/none), bugfix and enhancement advisories added by modifyrepo_c.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** One package build. */
export interface Pkg {
  name: string;
  epoch?: number;
  version: string;
  release: string;
  arch: 'noarch' | 'x86_64' | 'i686';
  /** Extra spec lines (Provides:, Obsoletes:). */
  extra?: string[];
}

/** A noarch package to build (the tests' usual kind). */
export const noarch = (name: string, version: string, release: string, extra?: string[]): Pkg => ({
  name,
  version,
  release,
  arch: 'noarch',
  ...(extra ? { extra } : {}),
});

/** One advisory in updateinfo.xml. */
export interface Advisory {
  id: string;
  type: 'security' | 'bugfix' | 'enhancement';
  title: string;
  severity?: string;
  cves?: string[];
  bugs?: string[];
  rebootSuggested?: boolean;
  packages: Pkg[];
}

/** Builds `pkg` into `outDir` (createrepo_c layout: <arch>/<name>-<v>-<r>.<arch>.rpm). */
export function buildRpm(pkg: Pkg, outDir: string, work: string): void {
  const spec = [
    `Name: ${pkg.name}`,
    ...(pkg.epoch ? [`Epoch: ${pkg.epoch}`] : []),
    `Version: ${pkg.version}`,
    `Release: ${pkg.release}`,
    `Summary: Patchbay fixture package ${pkg.name}`,
    'License: MIT',
    // Arch packages are built with --target (rpmbuild will not build i686 from a BuildArch on x86_64).
    ...(pkg.arch === 'noarch' ? ['BuildArch: noarch'] : []),
    ...(pkg.extra ?? []),
    '%description',
    'An empty package built by test/capture/rpm-repos.ts.',
    '%files',
    '',
  ].join('\n');
  const specFile = path.join(work, `${pkg.name}-${pkg.version}-${pkg.release}.${pkg.arch}.spec`);
  fs.writeFileSync(specFile, spec);
  execFileSync(
    'rpmbuild',
    [
      '-bb',
      '--quiet',
      '--define',
      `_topdir ${path.join(work, 'rpmbuild')}`,
      '--define',
      `_rpmdir ${outDir}`,
      ...(pkg.arch === 'noarch' ? [] : ['--target', pkg.arch]),
      specFile,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
}

const xml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** updateinfo.xml in the format Red Hat, Fedora and SUSE publish (what dnf and libzypp both read). */
export function updateinfoXml(advisories: Advisory[]): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', '<updates>'];
  for (const a of advisories) {
    out.push(`  <update from="security@patchbay.test" status="final" type="${a.type}" version="1">`);
    out.push(`    <id>${xml(a.id)}</id>`, `    <title>${xml(a.title)}</title>`);
    out.push('    <issued date="2024-03-10 00:00:00"/>', '    <updated date="2024-03-11 00:00:00"/>');
    if (a.severity) out.push(`    <severity>${xml(a.severity)}</severity>`);
    out.push(`    <summary>${xml(a.title)}</summary>`, `    <description>${xml(a.title)}.</description>`);
    out.push('    <references>');
    for (const cve of a.cves ?? []) {
      out.push(
        `      <reference href="https://www.cve.org/CVERecord?id=${cve}" id="${cve}" type="cve" title="${cve}"/>`,
      );
    }
    for (const bug of a.bugs ?? []) {
      out.push(
        `      <reference href="https://bugs.patchbay.test/${bug}" id="${bug}" type="bugzilla" title="bug ${bug}"/>`,
      );
    }
    out.push('    </references>', '    <pkglist>', '      <collection short="patchbay">');
    out.push('        <name>Patchbay fixtures</name>');
    for (const p of a.packages) {
      out.push(
        `        <package name="${p.name}" version="${p.version}" release="${p.release}" epoch="${p.epoch ?? 0}" ` +
          `arch="${p.arch}" src="${p.name}-${p.version}-${p.release}.src.rpm">`,
        `          <filename>${p.name}-${p.version}-${p.release}.${p.arch}.rpm</filename>`,
      );
      if (a.rebootSuggested) out.push('          <reboot_suggested>True</reboot_suggested>');
      out.push('        </package>');
    }
    out.push('      </collection>', '    </pkglist>', '  </update>');
  }
  out.push('</updates>', '');
  return out.join('\n');
}

/** A repository directory with `pkgs` built into it, its metadata, and updateinfo when given. */
export function makeRepo(dir: string, pkgs: Pkg[], work: string, advisories?: Advisory[]): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const p of pkgs) buildRpm(p, dir, work);
  execFileSync('createrepo_c', ['--quiet', dir]);
  if (advisories) {
    const file = path.join(work, 'updateinfo.xml');
    fs.writeFileSync(file, updateinfoXml(advisories));
    execFileSync('modifyrepo_c', ['--mdtype=updateinfo', file, path.join(dir, 'repodata')], {
      stdio: 'ignore',
    });
  }
}
