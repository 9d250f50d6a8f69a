import { section } from './adapter';

/** apt: simulated full and plain upgrades (no root needed), holds, list ages, reboot flags, kernels. */
export const APT_COLLECT = [
  section('apt-dist-upgrade', 'apt-get -s -o Debug::NoLocking=1 dist-upgrade 2>&1; echo "exit=$?"'),
  section('apt-upgrade', 'apt-get -s -o Debug::NoLocking=1 upgrade 2>&1; echo "exit=$?"'),
  section('apt-holds', 'apt-mark showhold 2>/dev/null'),
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
