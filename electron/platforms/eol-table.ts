/**
 * End-of-support dates of operating system releases, from the vendors' published lifecycle pages as of
 * the table's date. `ends`: the end of standard security support. `extendedEnds`: the end of an
 * extension (Debian LTS, Ubuntu ESM, RHEL ELS, SUSE LTSS, Windows ESU) where one exists. A release past
 * `ends` is reported as "extended support only" until `extendedEnds`, then as end of life.
 * Updatable without a new Patchbay: a file of the same shape overrides and extends this one.
 */
export interface EolEntry {
  /** os-release ID (or `windows`, `macos`), lower case. */
  os: string;
  /** Matched against the start of the host's version: '12' matches '12' and '12.8'. */
  version: string;
  name: string;
  ends: string;
  extendedEnds?: string;
  /** Set where the vendor publishes no date and the entry is a convention (macOS: newest three majors). */
  estimated?: boolean;
}

/** The bundled table and the day it was checked. */
export const BUNDLED_EOL = {
  asOf: '2026-11-01',
  entries: [
    {
      os: 'debian',
      version: '9',
      name: 'Debian 9 (stretch)',
      ends: '2020-07-06',
      extendedEnds: '2022-06-30',
    },
    {
      os: 'debian',
      version: '10',
      name: 'Debian 10 (buster)',
      ends: '2022-09-10',
      extendedEnds: '2024-06-30',
    },
    {
      os: 'debian',
      version: '11',
      name: 'Debian 11 (bullseye)',
      ends: '2024-08-14',
      extendedEnds: '2026-08-31',
    },
    {
      os: 'debian',
      version: '12',
      name: 'Debian 12 (bookworm)',
      ends: '2026-06-10',
      extendedEnds: '2028-06-30',
    },
    {
      os: 'debian',
      version: '13',
      name: 'Debian 13 (trixie)',
      ends: '2028-08-09',
      extendedEnds: '2030-06-30',
    },
    {
      os: 'ubuntu',
      version: '16.04',
      name: 'Ubuntu 16.04 LTS',
      ends: '2021-04-30',
      extendedEnds: '2026-04-30',
    },
    {
      os: 'ubuntu',
      version: '18.04',
      name: 'Ubuntu 18.04 LTS',
      ends: '2023-05-31',
      extendedEnds: '2028-04-30',
    },
    {
      os: 'ubuntu',
      version: '20.04',
      name: 'Ubuntu 20.04 LTS',
      ends: '2025-05-29',
      extendedEnds: '2030-04-30',
    },
    {
      os: 'ubuntu',
      version: '22.04',
      name: 'Ubuntu 22.04 LTS',
      ends: '2027-06-01',
      extendedEnds: '2032-04-30',
    },
    {
      os: 'ubuntu',
      version: '24.04',
      name: 'Ubuntu 24.04 LTS',
      ends: '2029-05-31',
      extendedEnds: '2034-04-30',
    },
    { os: 'ubuntu', version: '24.10', name: 'Ubuntu 24.10', ends: '2025-07-10' },
    { os: 'ubuntu', version: '25.04', name: 'Ubuntu 25.04', ends: '2026-01-15' },
    { os: 'ubuntu', version: '25.10', name: 'Ubuntu 25.10', ends: '2026-07-09' },
    {
      os: 'ubuntu',
      version: '26.04',
      name: 'Ubuntu 26.04 LTS',
      ends: '2031-05-31',
      extendedEnds: '2036-04-30',
    },
    { os: 'rhel', version: '7', name: 'RHEL 7', ends: '2024-06-30', extendedEnds: '2028-06-30' },
    { os: 'rhel', version: '8', name: 'RHEL 8', ends: '2029-05-31', extendedEnds: '2032-05-31' },
    { os: 'rhel', version: '9', name: 'RHEL 9', ends: '2032-05-31', extendedEnds: '2035-05-31' },
    { os: 'rhel', version: '10', name: 'RHEL 10', ends: '2035-05-31', extendedEnds: '2038-05-31' },
    { os: 'centos', version: '7', name: 'CentOS Linux 7', ends: '2024-06-30' },
    { os: 'centos', version: '8', name: 'CentOS 8 / Stream 8', ends: '2024-05-31' },
    { os: 'centos', version: '9', name: 'CentOS Stream 9', ends: '2027-05-31' },
    { os: 'rocky', version: '8', name: 'Rocky Linux 8', ends: '2029-05-31' },
    { os: 'rocky', version: '9', name: 'Rocky Linux 9', ends: '2032-05-31' },
    { os: 'almalinux', version: '8', name: 'AlmaLinux 8', ends: '2029-05-01' },
    { os: 'almalinux', version: '9', name: 'AlmaLinux 9', ends: '2032-05-31' },
    {
      os: 'sles',
      version: '12',
      name: 'SUSE Linux Enterprise Server 12',
      ends: '2024-10-31',
      extendedEnds: '2027-10-31',
    },
    {
      os: 'sles',
      version: '15',
      name: 'SUSE Linux Enterprise Server 15',
      ends: '2031-07-31',
      extendedEnds: '2034-07-31',
    },
    { os: 'opensuse-leap', version: '15.5', name: 'openSUSE Leap 15.5', ends: '2024-12-31' },
    { os: 'opensuse-leap', version: '15.6', name: 'openSUSE Leap 15.6', ends: '2026-04-30' },
    { os: 'alpine', version: '3.18', name: 'Alpine 3.18', ends: '2025-05-09' },
    { os: 'alpine', version: '3.19', name: 'Alpine 3.19', ends: '2025-11-01' },
    { os: 'alpine', version: '3.20', name: 'Alpine 3.20', ends: '2026-04-01' },
    { os: 'alpine', version: '3.21', name: 'Alpine 3.21', ends: '2026-11-01' },
    { os: 'alpine', version: '3.22', name: 'Alpine 3.22', ends: '2027-05-01' },
    { os: 'macos', version: '12', name: 'macOS 12 Monterey', ends: '2024-09-16', estimated: true },
    { os: 'macos', version: '13', name: 'macOS 13 Ventura', ends: '2025-09-15', estimated: true },
    { os: 'macos', version: '14', name: 'macOS 14 Sonoma', ends: '2026-09-15', estimated: true },
    // Windows: from learn.microsoft.com/lifecycle/products/windows-10-home-and-pro, …/windows-11-home-and-pro,
    // …/windows-11-enterprise-and-education and …/windows-server-20xx. Only Server 2022 was read on Microsoft's
    // page itself; the Windows 11 21H2–24H2 dates agree with a public scrape of those pages (its dates are the
    // day after, the retirement day); 25H2 follows the 24/36-month rule and is not cross-checked yet. Every
    // date is a Patch Tuesday. Windows 10 22H2 ended
    // for every edition on 2025-10-14; extendedEnds is the consumer ESU year (business ESU runs to 2028-10-10,
    // and a consumer extension to 2027-10-12 was reported but is not in this table until Microsoft's page says
    // so). Windows 11 versions: Home/Pro get 24 months, Enterprise/Education 36 ('windows-enterprise', chosen by
    // the scan from the edition). Servers: `ends` is the end of extended support, when security updates stop.
    {
      os: 'windows',
      version: '10',
      name: 'Windows 10 (22H2)',
      ends: '2025-10-14',
      extendedEnds: '2026-10-13',
    },
    { os: 'windows', version: '11.21H2', name: 'Windows 11 21H2 (Home/Pro)', ends: '2023-10-10' },
    { os: 'windows', version: '11.22H2', name: 'Windows 11 22H2 (Home/Pro)', ends: '2024-10-08' },
    { os: 'windows', version: '11.23H2', name: 'Windows 11 23H2 (Home/Pro)', ends: '2025-11-11' },
    { os: 'windows', version: '11.24H2', name: 'Windows 11 24H2 (Home/Pro)', ends: '2026-10-13' },
    { os: 'windows', version: '11.25H2', name: 'Windows 11 25H2 (Home/Pro)', ends: '2027-10-12' },
    {
      os: 'windows-enterprise',
      version: '11.21H2',
      name: 'Windows 11 21H2 (Enterprise/Education)',
      ends: '2024-10-08',
    },
    {
      os: 'windows-enterprise',
      version: '11.22H2',
      name: 'Windows 11 22H2 (Enterprise/Education)',
      ends: '2025-10-14',
    },
    {
      os: 'windows-enterprise',
      version: '11.23H2',
      name: 'Windows 11 23H2 (Enterprise/Education)',
      ends: '2026-11-10',
    },
    {
      os: 'windows-enterprise',
      version: '11.24H2',
      name: 'Windows 11 24H2 (Enterprise/Education)',
      ends: '2027-10-12',
    },
    {
      os: 'windows-enterprise',
      version: '11.25H2',
      name: 'Windows 11 25H2 (Enterprise/Education)',
      ends: '2028-10-10',
    },
    {
      os: 'windows-server',
      version: '2012',
      name: 'Windows Server 2012 / 2012 R2',
      ends: '2023-10-10',
      extendedEnds: '2026-10-13',
    },
    { os: 'windows-server', version: '2016', name: 'Windows Server 2016', ends: '2027-01-12' },
    { os: 'windows-server', version: '2019', name: 'Windows Server 2019', ends: '2029-01-09' },
    { os: 'windows-server', version: '2022', name: 'Windows Server 2022', ends: '2031-10-14' },
    { os: 'windows-server', version: '2025', name: 'Windows Server 2025', ends: '2034-10-10' },
  ] satisfies EolEntry[],
};
