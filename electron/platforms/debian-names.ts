/**
 * Debian's grammar for package names, versions and architectures (Debian Policy 5.6.1, 5.6.12). Anything
 * a host reports that does not fit is dropped, so it can never reach storage or, later, a command line.
 */
export const DEB_PACKAGE = /^[a-z0-9][a-z0-9+.-]{1,127}$/;
export const DEB_VERSION = /^(?:[0-9]{1,10}:)?[0-9A-Za-z][0-9A-Za-z.+~-]{0,127}$/;
export const DEB_ARCH = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** Whether a name, version and arch all fit Debian's grammar. */
export function isDebPackage(name: string, version: string, arch = 'all'): boolean {
  return DEB_PACKAGE.test(name) && (version === '' || DEB_VERSION.test(version)) && DEB_ARCH.test(arch);
}
