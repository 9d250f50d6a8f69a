/** What every platform adapter reports, whatever the package manager. */

/** Facts about a host, from /etc/os-release and uname (or the platform's equivalent). */
export interface HostFacts {
  /** os-release ID: debian, ubuntu, rocky… */
  osId: string;
  /** os-release ID_LIKE, space-separated. */
  osLike: string;
  /** Human name, e.g. "Debian GNU/Linux 12 (bookworm)". */
  prettyName: string;
  versionId: string;
  codename: string;
  kernel: string;
  arch: string;
  /** Changes at every boot; lets a rescan notice a reboot. */
  bootId: string;
  uptimeSeconds: number | null;
}

/** One pending update as the package manager reports it. */
export interface PendingPatch {
  name: string;
  arch: string;
  /** Empty when the update installs a package that is not installed yet (a new dependency). */
  installedVersion: string;
  candidateVersion: string;
  /** Where the candidate comes from, e.g. "Debian-Security:12/oldstable-security". */
  origin: string;
  /** True: a security fix; false: not one; null: the platform cannot tell. */
  security: boolean | null;
  severity: string | null;
  advisories: string[];
  cves: string[];
  /** A package that a full upgrade newly installs (apt: dist-upgrade `Inst` without an old version). */
  isNew: boolean;
  /** Not installed by a plain upgrade because it needs new packages (apt's "kept back"). */
  keptBack: boolean;
  /**
   * Set when the candidate itself is not a security release but a security fix exists in an older
   * version above the installed one (apt: -security has X, -updates or a point release has a newer Y;
   * dnf/zypper: an advisory fixes a version older than the newest available). `security` is then true
   * and a "security only" install must take at least this version. Undefined or '' otherwise.
   */
  securityVersion?: string;
  /**
   * The package is held or locked on the host (apt-mark hold, dnf versionlock, zypper lock): the update
   * exists but the package manager will not install it until the hold is lifted.
   */
  held?: boolean;
  /**
   * The binary's source package when the host named one (apt: dpkg's ${source:Package}); absent when
   * the scan did not collect it, and callers then use the binary's name (see sourceNameOf).
   */
  sourcePackage?: string;
}

/** Package managers (and OS update services) Patchbay reads. */
export type PackageManagerId = 'apt' | 'dnf' | 'yum' | 'zypper' | 'pacman' | 'apk' | 'macos' | 'wua';

/** A complete scan of one host. */
export interface ScanFindings {
  packageManager: PackageManagerId;
  facts: HostFacts;
  patches: PendingPatch[];
  /** Packages a full upgrade would remove. */
  removals: string[];
  held: string[];
  reboot: { required: boolean; reasons: string[] };
  /** Age of the package lists in seconds at scan time (host clock), null when unknown. */
  listsAgeSeconds: number | null;
  /** Things the technician should know that are not patches (stale lists, dropped hostile lines…). */
  warnings: string[];
  /**
   * Platform limits worth showing next to the results, e.g. "this repository carries no security metadata:
   * security is unknown" or "installing macOS updates on Apple silicon needs a volume owner".
   */
  notes?: string[];
}

/** Thrown when a host's output cannot be understood; the scan reports it as "output unparseable". */
export class UnparseableOutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnparseableOutputError';
  }
}
