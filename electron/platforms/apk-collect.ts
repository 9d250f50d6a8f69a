import { section } from './adapter';

/** True on Alpine (and other apk-tools systems): apk and its world file. */
export const APK_PROBE = 'command -v apk >/dev/null 2>&1 && [ -f /etc/apk/world ]';

/**
 * apk: upgradable packages from the cached indexes (no root, no network), the world file (pins), the
 * indexes' age and the running kernel. `-u` rather than a long option: apk-tools 2 spells it
 * `--upgradable`, apk-tools 3 `--upgradeable`, both accept `-u`.
 */
export const APK_COLLECT = [
  section('apk-upgradable', 'apk list -u 2>&1; echo "exit=$?"'),
  section('apk-world', 'cat /etc/apk/world 2>/dev/null'),
  // `apk update` writes one APKINDEX.<hash>.tar.gz per repository into the cache directory.
  section(
    'apk-indexes',
    "stat -c '%Y %n' /var/cache/apk/APKINDEX.*.tar.gz /etc/apk/cache/APKINDEX.*.tar.gz 2>/dev/null",
  ),
  // Upgrading a kernel package removes the running kernel's modules directory.
  section(
    'apk-kernel',
    [
      'r=$(uname -r); echo "running=$r"',
      'if [ -d "/lib/modules/$r" ]; then echo modules=present; else echo modules=missing; fi',
      'for d in /lib/modules/*; do if [ -d "$d" ]; then echo "installed ${d##*/}"; fi; done',
    ].join('; '),
  ),
];
