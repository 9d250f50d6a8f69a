import type { RefreshStep } from './adapter';
import type { PackageManagerId } from './types';

/**
 * The install side of a platform: what a rollout asks of each package manager. Every command here is a
 * POSIX shell script run as root (sudo as in scanning) and built only from validated names and versions
 * (see `validItem`): nothing a host printed is ever spliced into a command. Readers are pure functions of
 * the output, so they are unit-tested against captures of the real tools.
 *
 * The rollout engine runs `install` detached on the host (electron/rollout/remote-op.ts), so a dropped
 * connection or a crash of Patchbay never kills a package manager mid-operation; everything else runs as
 * an ordinary bounded command.
 */

/** One package to bring to a version: the version approved for it (exact for apt/dnf/zypper). */
export interface InstallItem {
  name: string;
  /** Architecture where the package manager needs it (dnf/zypper multilib); '' when not. */
  arch: string;
  /** The version to install (the approved target: the candidate or the security version). */
  version: string;
}

/** What to install on one host. */
export interface InstallRequest {
  items: InstallItem[];
  /** dnf/zypper: install by advisory / patch id instead of (or beside) items. */
  advisories: string[];
  /** Whether updates that need a reboot may go in (zypper patches flagged reboot, macOS restart labels). */
  allowReboot: boolean;
}

/** One package change the package manager says it would make. */
export interface PlannedChange {
  name: string;
  arch: string;
  /** '' for a newly installed package. */
  fromVersion: string;
  /** '' for a removal. */
  toVersion: string;
}

/** The dry run's answer: exactly what the package manager would do, read from its own simulation. */
export interface DryRunPlan {
  upgrades: PlannedChange[];
  /** Packages newly installed (new dependencies). */
  installs: PlannedChange[];
  /** Packages removed: a rollout with removals needs an explicit confirmation. */
  removals: PlannedChange[];
  /** Bytes to download, when the tool says; null when unknown. */
  downloadBytes: number | null;
  /** The tool refused (dependency problem, unknown version…): the host cannot be patched as asked. */
  problems: string[];
  /** Things to show beside the plan (e.g. "pacman upgrades everything: partial upgrades are unsupported"). */
  notes: string[];
  /**
   * Requested item names and advisory ids the installer leaves out (zypper: a patch that needs a reboot the
   * policy does not allow, and packages such a patch updates). The engine drops them from the host's
   * request, so they are neither installed nor expected by verification.
   */
  leftOut?: string[];
}

/** One pre-flight check's outcome. */
export interface PreflightCheck {
  id: 'root' | 'space' | 'lock' | 'interrupted' | 'lists' | 'reboot-pending' | 'tool';
  ok: boolean;
  /** Plain words for the technician, e.g. "only 80 MB free on /var, 312 MB needed". */
  message: string;
}

/** What the pre-flight script found on the host. */
export interface PreflightReport {
  checks: PreflightCheck[];
  /** /proc/sys/kernel/random/boot_id (or the platform's equivalent) before anything changes. */
  bootId: string;
  /** Whether the host already needed a reboot before the rollout. */
  rebootPending: boolean;
  /**
   * Package lists or repository metadata missing or older than STALE_LISTS_SECONDS (lists-age.ts): the
   * engine then runs `refresh` before installing. Absent when the reader cannot tell.
   */
  listsStale?: boolean;
}

/** Why an install failed, in a form a rollout can branch on and a technician can read. */
export type InstallFailureKind =
  | 'lock-held'
  | 'disk-full'
  | 'conffile-prompt'
  | 'dependency-problem'
  | 'repository-unreachable'
  | 'interrupted'
  | 'timeout'
  | 'unknown';

/** A classified failure: kind plus the tool's own line that shows it (bounded). */
export interface InstallFailure {
  kind: InstallFailureKind;
  message: string;
}

/** The install side of one package manager. */
export interface PlatformInstaller {
  id: PackageManagerId;
  /** False for pacman (Arch supports full upgrades only): content that is partial must say so. */
  partialUpgrades: boolean;
  /** Whether this installer can install the item (name/version pass the package manager's grammar). */
  validItem(item: InstallItem): boolean;
  /** Shell (root) that prints the package manager's own simulation of the install. */
  dryRunCommand(req: InstallRequest): string;
  /** Reads the simulation; throws UnparseableOutputError when the output makes no sense. */
  parseDryRun(output: string, exitCode: number | null): DryRunPlan;
  /**
   * Shell (root) for the pre-flight checks: free space on / and /var (and /boot when `kernel`) against
   * `downloadBytes` from the dry run, locks, interrupted operations, list age, boot id, pending reboot.
   */
  preflightCommand(opts: { downloadBytes: number | null; kernel: boolean }): string;
  parsePreflight(output: string, exitCode: number | null): PreflightReport;
  /** Shell (root) that installs, non-interactively; run detached through remote-op. */
  installCommand(req: InstallRequest): string;
  /** Reads an install's output and exit code: null when it succeeded. */
  classifyFailure(output: string, exitCode: number | null): InstallFailure | null;
  /**
   * Shell (root) that refreshes the package lists, with its reader (the scan's own refresh where there is
   * one: adapter.ts). Run by pre-flight when `listsStale`, before anything changes; absent when the
   * install refreshes by itself (pacman -Syu) or there are no lists (macOS).
   */
  refresh?: RefreshStep;
  /**
   * Shell (root) that finishes an operation interrupted earlier (dpkg --configure -a, …), or null when the
   * platform has none. Run only after `preflight` reported `interrupted` or a resume found it needed.
   */
  recoverCommand: string | null;
  /** Shell that prints the installed version of each named package (for resume re-checks). */
  installedVersionsCommand(names: string[]): string;
  /** name (or name.arch) → installed version; missing names are not installed. */
  parseInstalledVersions(output: string): Map<string, string>;
}
