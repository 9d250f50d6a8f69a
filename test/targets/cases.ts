import crypto from 'node:crypto';

import type { Published } from './apt-archive';
import type { PackageSpec } from './debian-package';

/** The package states a target can be started in (see README.md). */
export type CaseName =
  | 'security-update'
  | 'normal-update'
  | 'new-dependency'
  | 'reboot-required'
  | 'held'
  | 'security-label-only'
  | 'security-suite-only'
  | 'security-behind-updates'
  | 'held-security'
  | 'uu-patchbay-rule'
  | 'epoch'
  | 'tilde'
  | 'conffile'
  | 'local-only'
  | 'stale-lists'
  | 'unreachable-repo'
  | 'removal'
  | 'slow-postinst'
  | 'interrupted'
  | 'big-download'
  | 'source-package';

/** What a case publishes in the archive and what the target has installed when it comes up. */
export interface CaseDef {
  publish: Published[];
  /** `name=version` installed with apt-get from the archive. */
  install: string[];
  /** Built here and installed with `dpkg -i`: no repository knows them. */
  localDebs?: PackageSpec[];
  /** Shell run as root in the target after the installs (constant text, no variables). */
  after?: string;
}

const pkg = (name: string, version: string, extra: Partial<PackageSpec> = {}): PackageSpec => ({
  name,
  version,
  ...extra,
});

// Of the original cases only pb-openssl has a version in bookworm-security, so unattended-upgrades (which
// allows the bookworm and bookworm-security origins but not bookworm-updates) must pick exactly that one on
// a target without the security-* cases below.
/**
 * A pb-slow version whose postinst waits until /run/pb-slow-go exists (at most 10 minutes): publish
 * more of them mid-test for further slow installs.
 */
export const slowPackage = (version: string): PackageSpec =>
  pkg('pb-slow', version, {
    postinst:
      '  echo "pb-slow: waiting for /run/pb-slow-go"; i=0\n' +
      '  while [ ! -e /run/pb-slow-go ] && [ $i -lt 3000 ]; do sleep 0.2; i=$((i+1)); done',
  });

// Random base64 compresses to about 3/4 of its length: the .deb stays near 1 MB.
const BIG_BLOB = crypto.randomBytes(1024 * 1024).toString('base64');

/** Every case, keyed by name. Package names start with `pb-` so they never shadow real packages. */
export const CASES: Record<CaseName, CaseDef> = {
  'security-update': {
    publish: [
      { pkg: pkg('pb-openssl', '3.0.11-1~deb12u1'), suite: 'bookworm' },
      { pkg: pkg('pb-openssl', '3.0.11-1~deb12u2'), suite: 'bookworm-security' },
    ],
    install: ['pb-openssl=3.0.11-1~deb12u1'],
  },
  'normal-update': {
    publish: [
      { pkg: pkg('pb-tzdata', '2024a-0+deb12u1'), suite: 'bookworm' },
      { pkg: pkg('pb-tzdata', '2025b-0+deb12u1'), suite: 'bookworm-updates' },
    ],
    install: ['pb-tzdata=2024a-0+deb12u1'],
  },
  'new-dependency': {
    publish: [
      { pkg: pkg('pb-app', '1.0-1'), suite: 'bookworm' },
      { pkg: pkg('pb-app', '2.0-1', { depends: ['pb-libnew (>= 1.0)'] }), suite: 'bookworm-updates' },
      { pkg: pkg('pb-libnew', '1.0-1'), suite: 'bookworm-updates' },
    ],
    install: ['pb-app=1.0-1'],
  },
  'reboot-required': {
    publish: [
      { pkg: pkg('pb-kernel', '6.1.0-1'), suite: 'bookworm' },
      { pkg: pkg('pb-kernel', '6.1.0-2', { rebootRequired: true }), suite: 'bookworm-updates' },
    ],
    install: ['pb-kernel=6.1.0-1'],
  },
  held: {
    publish: [
      { pkg: pkg('pb-held', '1.0-1'), suite: 'bookworm' },
      { pkg: pkg('pb-held', '1.1-1'), suite: 'bookworm-updates' },
    ],
    install: ['pb-held=1.0-1'],
    after: 'apt-mark hold pb-held >/dev/null',
  },
  // Security fixes that each match only one half of the rule (see apt-archive.ts), one behind a newer
  // version in -updates (u-u adjusts its candidate down to the security version), one held.
  'security-label-only': {
    publish: [
      { pkg: pkg('pb-labelsec', '1.0-1'), suite: 'bookworm' },
      { pkg: pkg('pb-labelsec', '1.0-2'), suite: 'bookworm-lts' },
    ],
    install: ['pb-labelsec=1.0-1'],
  },
  'security-suite-only': {
    publish: [
      { pkg: pkg('pb-suitesec', '2.0-1'), suite: 'bookworm' },
      { pkg: pkg('pb-suitesec', '2.0-2'), suite: 'vendor-security' },
    ],
    install: ['pb-suitesec=2.0-1'],
  },
  'security-behind-updates': {
    publish: [
      { pkg: pkg('pb-behind', '3.0-1'), suite: 'bookworm' },
      { pkg: pkg('pb-behind', '3.0-2'), suite: 'bookworm-security' },
      { pkg: pkg('pb-behind', '3.0-3'), suite: 'bookworm-updates' },
    ],
    install: ['pb-behind=3.0-1'],
  },
  'held-security': {
    publish: [
      { pkg: pkg('pb-heldsec', '4.0-1'), suite: 'bookworm' },
      { pkg: pkg('pb-heldsec', '4.0-2'), suite: 'bookworm-security' },
    ],
    install: ['pb-heldsec=4.0-1'],
    after: 'apt-mark hold pb-heldsec >/dev/null',
  },
  // Debian's default origins (codename + label) cannot express "label Debian-Security OR any *-security
  // suite", so unattended-upgrades gets exactly Patchbay's documented rule. Its patterns are fnmatch
  // globs over o, a (suite), n, l, c, site; `#clear` drops the defaults from 50unattended-upgrades.
  'uu-patchbay-rule': {
    publish: [],
    install: [],
    after:
      "printf '%s\\n' '#clear Unattended-Upgrade::Origins-Pattern;' " +
      '\'Unattended-Upgrade::Origins-Pattern { "label=Debian-Security"; "archive=*-security"; };\' ' +
      '> /etc/apt/apt.conf.d/51patchbay-security-rule',
  },
  epoch: {
    publish: [
      { pkg: pkg('pb-epoch', '1:1.0-1'), suite: 'bookworm' },
      { pkg: pkg('pb-epoch', '1:2.0-1'), suite: 'bookworm-updates' },
    ],
    install: ['pb-epoch=1:1.0-1'],
  },
  tilde: {
    publish: [
      { pkg: pkg('pb-tilde', '1.0~rc1-1'), suite: 'bookworm' },
      { pkg: pkg('pb-tilde', '1.0-1'), suite: 'bookworm-updates' },
    ],
    install: ['pb-tilde=1.0~rc1-1'],
  },
  conffile: {
    publish: [
      { pkg: pkg('pb-conf', '1.0-1', { files: { '/etc/pb-conf.conf': 'level = 1\n' } }), suite: 'bookworm' },
      {
        pkg: pkg('pb-conf', '1.1-1', { files: { '/etc/pb-conf.conf': 'level = 2\n' } }),
        suite: 'bookworm-updates',
      },
    ],
    install: ['pb-conf=1.0-1'],
    // The admin changed the file: upgrading without --force-confold/confdef now asks a question.
    after: "echo 'level = 9 # changed by the admin' > /etc/pb-conf.conf",
  },
  'local-only': { publish: [], install: [], localDebs: [pkg('pb-local', '0.9-1')] },
  // Rollout cases (test/rollout). Upgrading pb-core to 2.0-1 makes apt REMOVE pb-plugin (Breaks).
  removal: {
    publish: [
      { pkg: pkg('pb-core', '1.0-1'), suite: 'bookworm' },
      { pkg: pkg('pb-plugin', '1.0-1', { depends: ['pb-core'] }), suite: 'bookworm' },
      { pkg: pkg('pb-core', '2.0-1', { breaks: ['pb-plugin (<< 2.0)'] }), suite: 'bookworm-updates' },
    ],
    install: ['pb-core=1.0-1', 'pb-plugin=1.0-1'],
  },
  // pb-slow 1.1-1's postinst waits until /run/pb-slow-go exists (at most 10 minutes): dpkg holds its
  // lock meanwhile, and a test decides when (or whether) the install ends.
  'slow-postinst': {
    publish: [
      { pkg: pkg('pb-slow', '1.0-1'), suite: 'bookworm' },
      { pkg: slowPackage('1.1-1'), suite: 'bookworm-updates' },
    ],
    install: ['pb-slow=1.0-1'],
  },
  // pb-half 1.1-1 unpacked but never configured: what a dpkg killed mid-run leaves (`dpkg --audit`).
  interrupted: {
    publish: [
      { pkg: pkg('pb-half', '1.0-1'), suite: 'bookworm' },
      { pkg: pkg('pb-half', '1.1-1'), suite: 'bookworm-updates' },
    ],
    install: ['pb-half=1.0-1'],
    after:
      'cd /tmp && apt-get download -q pb-half=1.1-1 >/dev/null 2>&1 && ' +
      'dpkg --unpack pb-half_1.1-1_*.deb >/dev/null && rm -f pb-half_*.deb',
  },
  // pb-big 1.1-1 is about 1 MB of incompressible data: more than a small tmpfs on the apt cache holds.
  'big-download': {
    publish: [
      { pkg: pkg('pb-big', '1.0-1'), suite: 'bookworm' },
      {
        pkg: pkg('pb-big', '1.1-1', { files: { '/usr/share/pb-big/blob': BIG_BLOB } }),
        suite: 'bookworm-updates',
      },
    ],
    install: ['pb-big=1.0-1'],
  },
  // Set up by hosts.ts itself: they need a number (days) and a port.
  // A library whose source package has another name (as libssl3 comes from openssl): the Debian security
  // tracker is keyed by source, so the scan must report pb-libssl3's source to match its CVEs.
  'source-package': {
    publish: [
      { pkg: pkg('pb-libssl3', '3.0.11-1~deb12u1', { source: 'pb-openssl-src' }), suite: 'bookworm' },
      {
        pkg: pkg('pb-libssl3', '3.0.11-1~deb12u2', { source: 'pb-openssl-src' }),
        suite: 'bookworm-security',
      },
    ],
    install: ['pb-libssl3=3.0.11-1~deb12u1'],
  },
  'stale-lists': { publish: [], install: [] },
  'unreachable-repo': { publish: [], install: [] },
};

/** Everything the cases publish: the archive's seed. */
export const CASE_PACKAGES: Published[] = Object.values(CASES).flatMap((c) => c.publish);
