import { section } from './adapter';

/**
 * dnf / yum: which tool (DNF5, DNF4 or yum 3), the pending updates, installed packages, advisories, which
 * repositories publish updateinfo at all, reboot state and version locks. Constant shell: nothing from a
 * host or the inventory is ever spliced in. The first command may refresh expired metadata; the later ones
 * run from that cache (`-C`) so an unreachable repository costs its timeout once, not once per command.
 */
export const DNF_COLLECT = [
  // DNF5 (Fedora 41+) answers `dnf --version` with "dnf5 version 5.x"; DNF4 with its bare version; hosts
  // without dnf (EL7, Amazon Linux 2) have yum 3.
  section(
    'dnf-tool',
    'if command -v dnf >/dev/null 2>&1; then PB_PM=dnf; PB_V=$(dnf --version 2>/dev/null | head -n 1); ' +
      'case "$PB_V" in dnf5*) PB_DNF=dnf5 ;; *) PB_DNF=dnf4 ;; esac; ' +
      'else PB_PM=yum; PB_DNF=yum; PB_V=$(yum --version 2>/dev/null | head -n 1); fi; echo "$PB_DNF $PB_V"',
  ),
  // Exit 100: updates, 0: none, 1: error. Also lists name.arch, version and repository of each update, and
  // (on stderr, hence 2>&1) the repositories that failed to load.
  section('dnf-check-update', '$PB_PM check-update 2>&1; echo "exit=$?"'),
  // Structured: one tab-separated line per available upgrade (all versions, not only the newest). DNF5 adds
  // no newline of its own, so the format carries real tab and newline characters made by printf.
  section(
    'dnf-upgrades',
    'if [ "$PB_DNF" = yum ]; then echo "exit=none"; else ' +
      "PB_QF=$(printf '%%{name}\\t%%{epoch}\\t%%{version}\\t%%{release}\\t%%{arch}\\t%%{repoid}\\nx'); " +
      'dnf -q -C repoquery --upgrades --queryformat "${PB_QF%x}" 2>&1; echo "exit=$?"; fi',
  ),
  section(
    'dnf-installed',
    "rpm -qa --qf '%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\n' 2>/dev/null | head -n 20000",
  ),
  // Advisories for versions newer than the installed ones: id, type or severity, package NEVRA.
  section(
    'dnf-advisories',
    'case "$PB_DNF" in dnf5) dnf -q -C advisory list 2>&1 ;; *) $PB_PM -q -C updateinfo list 2>&1 ;; esac; ' +
      'echo "exit=$?"',
  ),
  // The same, one line per CVE instead of per advisory.
  section(
    'dnf-advisory-cves',
    'case "$PB_DNF" in dnf5) dnf -q -C advisory list --with-cve 2>&1 ;; ' +
      'dnf4) dnf -q -C updateinfo list --with-cve 2>&1 ;; *) yum -q -C updateinfo list cves 2>&1 ;; esac; ' +
      'echo "exit=$?"',
  ),
  // A repository without updateinfo cannot say that an update is *not* a security fix (CentOS 7, most
  // third-party repositories): whether each cached repomd.xml lists updateinfo, and when it was fetched.
  section(
    'dnf-repomd',
    'for f in /var/cache/dnf/*/repodata/repomd.xml /var/cache/libdnf5/*/repodata/repomd.xml ' +
      '/var/cache/yum/*/*/*/repomd.xml /var/tmp/dnf-*/*/repodata/repomd.xml ' +
      '"$HOME"/.cache/libdnf5/*/repodata/repomd.xml; do [ -f "$f" ] || continue; ' +
      'if grep -q \'type="updateinfo"\' "$f"; then u=updateinfo; else u=none; fi; ' +
      'echo "$u $(stat -c %Y "$f" 2>/dev/null) $f"; done 2>/dev/null | head -n 500',
  ),
  // Exit 1 = reboot needed — but also "no such command" when the plugin is missing, so the text decides.
  // yum 3 has only /usr/bin/needs-restarting (yum-utils); dnf has the plugin command, and some hosts the
  // standalone script without it.
  section(
    'dnf-reboot',
    'PB_NR=""; PB_RC=127; if [ "$PB_DNF" != yum ]; then PB_NR=$(dnf -q -C needs-restarting -r 2>&1); PB_RC=$?; fi; ' +
      'case "$PB_RC:$PB_NR" in 127:*|*"No such command"*|*"Unknown argument"*) ' +
      'if command -v needs-restarting >/dev/null 2>&1; then PB_NR=$(needs-restarting -r 2>&1); PB_RC=$?; fi ;; esac; ' +
      'if [ -n "$PB_NR" ]; then printf \'%s\\n\' "$PB_NR"; fi; echo "exit=$PB_RC"',
  ),
  section('dnf-locks', '$PB_PM -q -C versionlock list 2>&1 | head -n 2000; echo "exit=$?"'),
];
