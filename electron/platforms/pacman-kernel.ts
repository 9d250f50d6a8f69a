import { isKernelRelease } from './host-facts';
import { PACMAN_NAME, PACMAN_VERSION } from './pacman-names';
import { comparePacmanVersions } from './pacman-vercmp';
import { keyValues } from './section-readers';
import type { ScanFindings } from './types';

/**
 * The package a kernel release belongs to by Arch's naming: `6.6.36-1-lts` is linux-lts,
 * `6.9.7-zen1-1-zen` linux-zen, `6.9.7-arch1-1` (no suffix) plain linux.
 */
export function kernelPackageOf(release: string): string {
  const flavour = /-([a-z][a-z-]*)$/.exec(release)?.[1];
  return flavour ? `linux-${flavour}` : 'linux';
}

/**
 * A kernel release and a kernel package version in one comparable form: the flavour suffix dropped and
 * dashes made dots, so `6.9.7-arch1-1` and the package version `6.9.7.arch1-1` both read `6.9.7.arch1.1`.
 */
export function comparableKernel(releaseOrVersion: string): string {
  return releaseOrVersion.replace(/-[a-z][a-z-]*$/, '').replaceAll('-', '.');
}

/**
 * Arch has no reboot flag. A reboot is due when the running kernel's modules are gone (its package was
 * upgraded or removed) or its package now holds a newer version (a hook kept the old modules around).
 * Hosts whose kernel no package provides (containers, custom kernels) get no claim either way.
 */
export function pacmanReboot(lines: readonly string[]): ScanFindings['reboot'] {
  const kv = keyValues(lines);
  const running = kv.get('running') ?? '';
  const none = { required: false, reasons: [] };
  if (!isKernelRelease(running)) return none;
  const owners = new Map<string, string>();
  const installed = new Map<string, string>();
  for (const line of lines) {
    const parts = line.split(' ');
    if (parts.length !== 3 && parts.length !== 2) continue;
    if (parts[0] === 'pkgbase' && parts.length === 3) {
      const [, dir = '', pkg = ''] = parts;
      if (isKernelRelease(dir) && PACMAN_NAME.test(pkg)) owners.set(dir, pkg);
    } else if (parts.length === 2) {
      const [pkg = '', version = ''] = parts;
      if (PACMAN_NAME.test(pkg) && PACMAN_VERSION.test(version)) installed.set(pkg, version);
    }
  }
  if (owners.size === 0 && installed.size === 0) return none;
  const pkg = owners.get(running) ?? kernelPackageOf(running);
  const version = installed.get(pkg);
  if (kv.get('modules') === 'missing') {
    const now = version ? `: ${pkg} ${version} is installed` : '';
    return { required: true, reasons: [`running kernel ${running} is no longer installed${now}`] };
  }
  if (version && comparePacmanVersions(comparableKernel(version), comparableKernel(running)) > 0) {
    return { required: true, reasons: [`running kernel ${running}, installed ${pkg} ${version}`] };
  }
  return none;
}
