/**
 * Host facts parsed in one place for every Linux adapter (apt, dnf, zypper, pacman, apk): the collection
 * script's common os-release, uname, uptime and boot-id sections. Each value is checked, never trusted.
 */
import { parseOsRelease } from './os-release';
import type { Sections } from './sections';
import type { HostFacts } from './types';

/** A `uname -r` string as kernels print it. */
export const isKernelRelease = (r: string): boolean => /^[\w.+~-]{1,100}$/.test(r);

/** Host facts from the common sections (os-release and uname), as every Linux host prints them. */
export function linuxFacts(sections: Sections): HostFacts {
  const os = parseOsRelease(sections.get('os-release') ?? '');
  const [, kernel = '', arch = ''] = (sections.get('uname') ?? '').split(/\s+/);
  const uptime = Number((sections.get('uptime') ?? '').split(/\s+/)[0]);
  const bootId = sections.get('boot-id') ?? '';
  return {
    osId: (os.ID ?? '').toLowerCase(),
    osLike: os.ID_LIKE ?? '',
    prettyName: os.PRETTY_NAME ?? os.NAME ?? '',
    versionId: os.VERSION_ID ?? '',
    // Older Ubuntu releases name the codename only in UBUNTU_CODENAME.
    codename: os.VERSION_CODENAME ?? os.UBUNTU_CODENAME ?? '',
    kernel: isKernelRelease(kernel) ? kernel : '',
    arch: /^[\w-]{1,32}$/.test(arch) ? arch : '',
    bootId: /^[0-9a-f-]{36}$/.test(bootId) ? bootId : '',
    uptimeSeconds: Number.isFinite(uptime) && uptime >= 0 ? Math.floor(uptime) : null,
  };
}
