import { section } from './adapter';

/**
 * Names for `apt-cache policy`: the packages dist-upgrade would install and the held ones. They come from
 * the host, so they pass Debian's name grammar (architecture suffix stripped) in the shell and reach
 * apt-cache as arguments through xargs after `--`, never through a shell parse; at most 2000 names.
 */
const POLICY_NAMES =
  `{ printf '%s\\n' "$PB_APT_DU" | sed -n 's/^Inst \\([^ ]*\\) .*/\\1/p'; apt-mark showhold 2>/dev/null; }` +
  " | sed 's/:[a-z0-9-]*$//' | grep -E '^[a-z0-9][a-z0-9+.-]{1,127}$' | sort -u | head -n 2000";

/** apt: simulated full and plain upgrades (no root needed), holds, list ages, reboot flags, kernels. */
export const APT_COLLECT = [
  // Kept in a variable: the policy section below needs the names of the packages it installs.
  section(
    'apt-dist-upgrade',
    'PB_APT_DU=$(apt-get -s -o Debug::NoLocking=1 dist-upgrade 2>&1; echo "exit=$?"); printf \'%s\\n\' "$PB_APT_DU"',
  ),
  section('apt-upgrade', 'apt-get -s -o Debug::NoLocking=1 upgrade 2>&1; echo "exit=$?"'),
  section('apt-holds', 'apt-mark showhold 2>/dev/null'),
  // Each source line with its Release fields (l=label, a=suite, n=codename, o=origin): which versions in
  // the version tables below come from a security origin. Bounded like every host output.
  section('apt-sources', 'apt-cache policy 2>/dev/null | head -c 1000000'),
  // Every version of those packages and where each comes from: a security fix older than apt's candidate,
  // and the pending update of a held package (dist-upgrade leaves held packages out).
  section('apt-policy', `${POLICY_NAMES} | xargs -r apt-cache policy -- 2>/dev/null | head -c 8000000`),
  // Each installed binary's source package: the Debian security tracker is keyed by source (libssl3 is
  // openssl's). A name dpkg does not know (a new dependency) prints nothing; the parser falls back to
  // the binary's own name.
  section(
    'apt-source-names',
    `${POLICY_NAMES} | xargs -r dpkg-query -W -f='\${Package}\\t\${source:Package}\\n' -- 2>/dev/null | head -c 1000000`,
  ),
  // apt keeps a list file's old mtime when the repository has nothing new, so the APT::Periodic stamps
  // (written after each successful update where unattended-upgrades runs) count too.
  section(
    'apt-lists',
    "stat -c '%Y %n' /var/lib/apt/lists/*Release /var/lib/apt/periodic/update-success-stamp 2>/dev/null",
  ),
  section(
    'reboot-required',
    'if [ -f /var/run/reboot-required ]; then echo required; cat /var/run/reboot-required.pkgs 2>/dev/null; fi',
  ),
  section(
    'kernels',
    "dpkg-query -W -f='${Package}\\t${Version}\\t${db:Status-Abbrev}\\n' 'linux-image-[0-9]*' 2>/dev/null",
  ),
];
