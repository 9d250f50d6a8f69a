/**
 * pacman's grammar for package names and versions (makepkg's lint rules: names of lower-case letters,
 * digits and `@._+-`, not starting with `-` or `.`; pkgver without `:`, `/`, `-` or blanks; pkgrel a
 * number with an optional minor). What a host reports that does not fit is dropped.
 */
export const PACMAN_NAME = /^[a-z0-9@_+][a-z0-9@._+-]{0,127}$/;
export const PACMAN_VERSION = /^(?:[0-9]{1,10}:)?[A-Za-z0-9._+~]{1,100}-[0-9]{1,10}(?:\.[0-9]{1,10}){0,3}$/;

/** Whether a name and a full version (`[epoch:]pkgver-pkgrel`) fit pacman's grammar. */
export const isPacmanPackage = (name: string, version: string): boolean =>
  PACMAN_NAME.test(name) && PACMAN_VERSION.test(version);
