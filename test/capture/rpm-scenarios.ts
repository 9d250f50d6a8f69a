/**
 * The hosts the fixtures are captured from. Each setup script runs as root inside the capture's mount
 * namespace, with the real dnf or zypper, before the adapter's collection script; everything it says goes to
 * a log, not to the fixture.
 */
import { OLD } from './rpm-fixture-set';

/** Repository directories built by the capture. */
export type Repos = Record<'baseos' | 'noinfo' | 'vendor' | 'old' | 'newest', string>;

/** One captured host. */
export interface Scenario {
  /** Fixture file name without .txt. */
  name: string;
  /** dnf only: whether dnf-plugins-core (needs-restarting, versionlock) is installed. */
  plugins?: boolean;
  setup(repos: Repos): string;
}

/** A local file repository: a dnf .repo section. */
const dnfRepo = (id: string, dir: string, extra: string[] = []): string =>
  [`[${id}]`, `name=Patchbay ${id}`, `baseurl=file://${dir}`, 'gpgcheck=0', ...extra, ''].join('\n');

/** Installs the old packages from local files, writes the .repo file, fetches metadata. */
function dnfHost(repos: Repos, repoFile: string, opts: { from?: 'old' | 'newest'; lock?: boolean } = {}) {
  const from = repos[opts.from ?? 'old'];
  return [
    'set -e',
    `dnf -y -q install ${from}/*/*.rpm`,
    'mkdir -p /etc/yum.repos.d',
    `cat > /etc/yum.repos.d/patchbay.repo <<'EOF'`,
    repoFile + 'EOF',
    'dnf -q makecache',
    ...(opts.lock ? ['dnf -q versionlock add pb-tzdata'] : []),
    '',
  ].join('\n');
}

const BROKEN = '/nonexistent/patchbay-repo';

/** dnf hosts: a Rocky 9-like host with updates; CentOS 7-like repositories; broken repositories; none. */
export const DNF_SCENARIOS: Scenario[] = [
  {
    name: 'updates',
    plugins: true,
    setup: (r) => dnfHost(r, dnfRepo('pb-baseos', r.baseos) + dnfRepo('pb-vendor', r.vendor), { lock: true }),
  },
  {
    // The repositories carry no updateinfo (as CentOS 7's never did), and dnf-utils is not installed.
    name: 'no-updateinfo',
    plugins: false,
    setup: (r) => dnfHost(r, dnfRepo('pb-noinfo', r.noinfo) + dnfRepo('pb-vendor', r.vendor)),
  },
  {
    // skip_if_unavailable=True (Fedora's default): dnf warns and goes on without the repository.
    name: 'broken-repo',
    plugins: true,
    setup: (r) =>
      dnfHost(r, dnfRepo('pb-baseos', r.baseos)) +
      `cat >> /etc/yum.repos.d/patchbay.repo <<'EOF'\n${dnfRepo('pb-broken', BROKEN, ['skip_if_unavailable=True'])}EOF\n`,
  },
  {
    // skip_if_unavailable=False (RHEL's default): check-update fails with exit 1.
    name: 'broken-repo-strict',
    plugins: true,
    setup: (r) =>
      dnfHost(r, dnfRepo('pb-baseos', r.baseos)) +
      `cat >> /etc/yum.repos.d/patchbay.repo <<'EOF'\n${dnfRepo('pb-broken', BROKEN, ['skip_if_unavailable=False'])}EOF\n`,
  },
  {
    name: 'up-to-date',
    plugins: true,
    setup: (r) => dnfHost(r, dnfRepo('pb-baseos', r.baseos), { from: 'newest' }),
  },
];

// zypper installs by name from a temporary repository. SUSE does multilib with separately named -32bit
// packages, not a second arch of one name, so the i686 build is left to dnf.
const OLD_NAMES = OLD.filter((p) => p.arch !== 'i686')
  .map((p) => p.name)
  .join(' ');

// libzypp's /etc/zypp/systemCheck requires glibc (as on SUSE): the up-to-date host gets the newest one.
const NEWEST_NAMES = 'pb-release pb-libxml pb-curl pb-sudo pb-tzdata pb-plain glibc';

function zypperHost(repos: Repos, aliases: [string, string][], opts: { newest?: boolean } = {}): string {
  return [
    'set -e',
    `zypper -q -n ar -G file://${opts.newest ? repos.newest : repos.old} pb-install`,
    ...(opts.newest ? [`zypper -q -n ar -G file://${repos.baseos} pb-install2`] : []),
    `zypper -q -n in ${opts.newest ? NEWEST_NAMES : OLD_NAMES}`,
    'zypper -q -n rr pb-install',
    ...(opts.newest ? ['zypper -q -n rr pb-install2'] : []),
    ...aliases.map(([alias, dir]) => `zypper -q -n ar -G file://${dir} ${alias}`),
    'zypper -q -n ref',
    '',
  ].join('\n');
}

/** zypper hosts: an openSUSE Leap-like host with updates, patches and a lock; locked zypp; and the rest. */
export const ZYPPER_SCENARIOS: Scenario[] = [
  {
    name: 'updates',
    setup: (r) =>
      zypperHost(r, [
        ['pb-baseos', r.baseos],
        ['pb-vendor', r.vendor],
      ]) + 'zypper -q -n addlock pb-tzdata\n',
  },
  {
    // Another process holds the zypp lock for the whole scan (YaST, PackageKit, a stuck zypper).
    name: 'locked',
    setup: (r) =>
      zypperHost(r, [['pb-baseos', r.baseos]]) +
      'sleep 900 </dev/null >/dev/null 2>&1 &\necho $! > /run/zypp.pid\necho $! > "$PB_HOST/lock.pid"\n',
  },
  {
    name: 'no-updateinfo',
    setup: (r) =>
      zypperHost(r, [
        ['pb-noinfo', r.noinfo],
        ['pb-vendor', r.vendor],
      ]),
  },
  {
    name: 'broken-repo',
    setup: (r) =>
      zypperHost(r, [['pb-baseos', r.baseos]]) + `zypper -q -n ar -G file://${BROKEN} pb-broken\n`,
  },
  {
    name: 'up-to-date',
    // glibc was updated, then the host rebooted: the flag is gone.
    setup: (r) => zypperHost(r, [['pb-baseos', r.baseos]], { newest: true }) + 'rm -f /run/reboot-needed\n',
  },
];
