import { section } from './adapter';

/** True on macOS (no /etc/os-release there; the common os-release section comes back empty). */
export const MACOS_PROBE = '[ "$(uname -s)" = Darwin ]';

/**
 * Homebrew as the logged-in user, never root (brew refuses root, and sudo would run it with the wrong
 * HOME). A non-interactive SSH session's PATH lacks Homebrew's prefixes, so they are tried by name:
 * /opt/homebrew (Apple silicon), /usr/local (Intel), then whatever PATH has.
 */
const BREW = [
  'if [ "$(id -u)" = 0 ]; then echo skipped=root',
  'else b=""; for c in /opt/homebrew/bin/brew /usr/local/bin/brew "$(command -v brew 2>/dev/null)"; do if [ -n "$c" ] && [ -x "$c" ]; then b=$c; break; fi; done',
  'if [ -z "$b" ]; then echo skipped=absent',
  'else HOMEBREW_NO_AUTO_UPDATE=1 HOMEBREW_NO_ENV_HINTS=1 HOMEBREW_NO_COLOR=1 "$b" outdated --json=v2 2>&1; echo "exit=$?"; fi; fi',
].join('; ');

/**
 * macOS: version (sw_vers), boot session and Apple silicon (sysctl), Apple's updates (softwareupdate
 * --list: no admin needed; `--all` is an install option, the list already shows every update) and
 * Homebrew's outdated formulae and casks. All of it is POSIX sh: /bin/sh is bash 3.2 or dash on macOS.
 */
export const MACOS_COLLECT = [
  section('sw-vers', 'sw_vers 2>/dev/null'),
  section(
    'macos-boot',
    [
      'printf \'session=%s\\n\' "$(sysctl -n kern.bootsessionuuid 2>/dev/null)"',
      'printf \'boottime=%s\\n\' "$(sysctl -n kern.boottime 2>/dev/null)"',
      'printf \'arm64=%s\\n\' "$(sysctl -n hw.optional.arm64 2>/dev/null)"',
    ].join('; '),
  ),
  section('softwareupdate', 'softwareupdate --list 2>&1; echo "exit=$?"'),
  section('brew', BREW),
  // brew reads formula and cask data from this cache, refreshed by `brew update` (BSD stat: -f).
  section(
    'brew-api',
    'stat -f \'%m %N\' "$HOME/Library/Caches/Homebrew/api/formula.jws.json" "$HOME/Library/Caches/Homebrew/api/cask.jws.json" 2>/dev/null',
  ),
];
