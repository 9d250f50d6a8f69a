/**
 * The packages and advisories behind the dnf and zypper fixtures: old versions to install, newer ones in a
 * repository with updateinfo ("baseos"), the same newer ones in a repository without it ("noinfo", as on
 * CentOS 7), and a third-party repository without updateinfo ("vendor"). Each package exercises something:
 * multilib, several pending versions, every severity, epoch bumps, `~` and `+`, obsoletes, a core library
 * (reboot), a locked package.
 */
import type { Advisory, Pkg } from './rpm-build';

const pkg = (name: string, version: string, release: string, more: Partial<Pkg> = {}): Pkg => ({
  name,
  version,
  release,
  arch: 'noarch',
  ...more,
});

/** Installed before each scan (the old versions). */
export const OLD: Pkg[] = [
  pkg('pb-release', '9.4', '1', {
    extra: ['Provides: system-release', 'Provides: system-release(releasever) = 9'],
  }),
  pkg('pb-openssl', '1.0', '1', { arch: 'x86_64' }),
  pkg('pb-openssl', '1.0', '1', { arch: 'i686' }),
  pkg('pb-libxml', '2.9', '1'),
  pkg('pb-curl', '7.76', '1'),
  pkg('pb-sudo', '1.9', '1'),
  pkg('pb-tzdata', '2024a', '1'),
  pkg('glibc', '2.34', '1'),
  pkg('pb-plain', '1.0', '1'),
  pkg('pb-g++', '1.0~rc1', '1'),
  pkg('pb-a-very-long-package-name-to-stretch-the-columns', '1.0', '1', { epoch: 1 }),
  pkg('pb-oldname', '1.0', '1'),
  pkg('pb-vendor-agent', '1.0', '1'),
];

const openssl = [
  pkg('pb-openssl', '1.0', '2', { arch: 'x86_64' }),
  pkg('pb-openssl', '1.0', '2', { arch: 'i686' }),
];
const libxml2 = pkg('pb-libxml', '2.9', '2');
const libxml3 = pkg('pb-libxml', '2.9', '3');
const curl = pkg('pb-curl', '7.76', '2');
const sudo = pkg('pb-sudo', '1.9', '2');
const tzdata = pkg('pb-tzdata', '2024b', '1');
const glibc = pkg('glibc', '2.34', '2');

/** Newer versions published by the distribution ("baseos" with updateinfo, "noinfo" without). */
export const NEW: Pkg[] = [
  ...openssl,
  libxml2,
  libxml3,
  curl,
  sudo,
  tzdata,
  glibc,
  pkg('pb-plain', '1.1', '1'),
  pkg('pb-g++', '1.0', '1'),
  pkg('pb-a-very-long-package-name-to-stretch-the-columns', '0.9', '1', { epoch: 2 }),
  pkg('pb-newname', '2.0', '1', { extra: ['Obsoletes: pb-oldname < 2.0', 'Provides: pb-oldname = 2.0'] }),
];

/** A third-party repository that publishes no updateinfo. */
export const VENDOR: Pkg[] = [pkg('pb-vendor-agent', '2.0', '1')];

/** baseos's updateinfo: every severity Red Hat uses, one without severity, bugfix and enhancement. */
export const ADVISORIES: Advisory[] = [
  {
    id: 'PBSA-2024:0001',
    type: 'security',
    title: 'Critical: pb-openssl security update',
    severity: 'Critical',
    cves: ['CVE-2024-0001', 'CVE-2024-0002'],
    bugs: ['1001'],
    rebootSuggested: true,
    packages: openssl,
  },
  {
    id: 'PBSA-2024:0002',
    type: 'security',
    title: 'Important: pb-libxml security update',
    severity: 'Important',
    cves: ['CVE-2024-1111'],
    packages: [libxml2],
  },
  {
    id: 'PBSA-2024:0003',
    type: 'security',
    title: 'Moderate: pb-libxml security update',
    severity: 'Moderate',
    cves: ['CVE-2024-2222'],
    packages: [libxml3],
  },
  {
    id: 'PBSA-2024:0006',
    type: 'security',
    title: 'Low: pb-curl security update',
    severity: 'Low',
    cves: ['CVE-2024-3333'],
    packages: [curl],
  },
  {
    id: 'PBSA-2024:0007',
    type: 'security',
    title: 'pb-sudo security update',
    cves: ['CVE-2024-4444'],
    packages: [sudo],
  },
  {
    id: 'PBEA-2024:0004',
    type: 'enhancement',
    title: 'pb-tzdata enhancement update',
    severity: 'None',
    packages: [tzdata],
  },
  { id: 'PBBA-2024:0005', type: 'bugfix', title: 'glibc bug fix update', packages: [glibc] },
];

/**
 * The newest of each package, for an up-to-date host. glibc and pb-openssl (reboot_suggested) are left out:
 * nothing that asks for a reboot was installed since boot.
 */
export const NEWEST: Pkg[] = [
  pkg('pb-release', '9.4', '1', {
    extra: ['Provides: system-release', 'Provides: system-release(releasever) = 9'],
  }),
  libxml3,
  curl,
  sudo,
  tzdata,
  pkg('pb-plain', '1.1', '1'),
];

/** /etc/os-release of the emulated hosts (the only host files the capture writes rather than a tool). */
export const OS_RELEASE = {
  rocky: [
    'NAME="Rocky Linux"',
    'VERSION="9.4 (Blue Onyx)"',
    'ID="rocky"',
    'ID_LIKE="rhel centos fedora"',
    'VERSION_ID="9.4"',
    'PLATFORM_ID="platform:el9"',
    'PRETTY_NAME="Rocky Linux 9.4 (Blue Onyx)"',
    'ANSI_COLOR="0;32"',
    'CPE_NAME="cpe:/o:rocky:rocky:9::baseos"',
    '',
  ].join('\n'),
  leap: [
    'NAME="openSUSE Leap"',
    'VERSION="15.6"',
    'ID="opensuse-leap"',
    'ID_LIKE="suse opensuse"',
    'VERSION_ID="15.6"',
    'PRETTY_NAME="openSUSE Leap 15.6"',
    'CPE_NAME="cpe:/o:opensuse:leap:15.6"',
    '',
  ].join('\n'),
};
