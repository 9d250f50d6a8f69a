/** Domain types shared by the core, the IPC contract and the renderer. Plain serialisable data only. */
import type { PatchDecision, ResolvedDecision } from './decisions';

export * from './imports';
export * from './jobs';
export * from './rollout';

/** How Patchbay reaches a machine. */
export type Transport = 'ssh' | 'winrm';

/** A machine in the inventory. Times are epoch milliseconds. */
export interface Machine {
  id: number;
  displayName: string;
  address: string;
  port: number;
  transport: Transport;
  username: string;
  credentialId: number | null;
  /** OS as last detected by a scan; empty until the machine is scanned. */
  os: string;
  tags: string[];
  client: string;
  site: string;
  notes: string;
  /** ProxyJump chain from an ssh_config import (`user@host:port,...`), empty when direct. */
  proxyJump: string;
  /** WinRM machines: HTTPS (5986, certificate pinned like a host key) instead of HTTP; absent = false. */
  winrmHttps?: boolean;
  /** WinRM over HTTPS only: Basic authentication instead of NTLM (off on Windows by default); absent = false. */
  winrmBasic?: boolean;
  createdAt: number;
  updatedAt: number;
  /** Scan status; null until the machine is first scanned. */
  status: MachineScanStatus | null;
}

/** What a user supplies to create or replace a machine. */
export interface MachineInput {
  displayName: string;
  address: string;
  port: number;
  transport: Transport;
  username: string;
  credentialId: number | null;
  tags: string[];
  client: string;
  site: string;
  notes: string;
  proxyJump: string;
  /** See Machine.winrmHttps; absent on an edit keeps the stored value. */
  winrmHttps?: boolean;
  /** See Machine.winrmBasic; absent on an edit keeps the stored value. */
  winrmBasic?: boolean;
}

/** Columns the machine list can be sorted by. */
export type MachineSortKey =
  'displayName' | 'address' | 'os' | 'client' | 'site' | 'updatedAt' | 'missing' | 'security' | 'lastScan';

/** A filter over the inventory. Every present field narrows the set (AND); lists match any (OR). */
export interface MachineFilter {
  /** Free text matched against name, address, username, client, site, OS, tags and notes. */
  text?: string;
  tags?: string[];
  clients?: string[];
  sites?: string[];
  os?: string[];
  transport?: Transport;
  /** Restrict to the machines of a saved group (combined with the other fields). */
  groupId?: number;
}

/** A group is a saved filter; its members are computed whenever it is used. */
export interface Group {
  id: number;
  name: string;
  filter: Omit<MachineFilter, 'groupId'>;
  createdAt: number;
  updatedAt: number;
}

/** Fleet counts for the dashboard, computed by the database rather than by walking every row. */
export interface InventorySummary {
  machines: number;
  ssh: number;
  winrm: number;
  /** Machines never scanned (no scan result at all, not even a failed one). */
  notScanned: number;
  clients: number;
  sites: number;
  tags: number;
  /** Scan counts, kept by database triggers (constant-time whatever the fleet size). */
  scanned: number;
  needsSecurity: number;
  needsReboot: number;
  endOfLife: number;
  extendedSupportOnly: number;
  failedLastScan: number;
  missingPatches: number;
  securityPatches: number;
  /** Pending updates held back on their hosts, counted apart from missing. */
  heldPatches: number;
  /** Security fixes among the held ones. */
  heldSecurityPatches: number;
}

/** Values present in the inventory, for filter menus. */
export interface Facets {
  tags: string[];
  clients: string[];
  sites: string[];
  os: string[];
}

/** The kinds of credential Patchbay can store. */
export type CredentialKind = 'ssh-key' | 'ssh-password' | 'ssh-agent' | 'winrm-password';

/** A credential as the UI sees it: never any secret, only whether one is stored. */
export interface CredentialSummary {
  id: number;
  name: string;
  kind: CredentialKind;
  /** For `ssh-key` credentials that read the key from disk. */
  keyPath: string;
  hasPrivateKey: boolean;
  hasPassphrase: boolean;
  hasPassword: boolean;
  hasSudoPassword: boolean;
  /** False when the secrets were sealed by a different secret store than the running one. */
  unlockable: boolean;
  /** How many machines use it. */
  machineCount: number;
  createdAt: number;
  updatedAt: number;
}

/** Secrets a user supplies with a credential; empty or absent fields are not stored. */
export interface CredentialSecrets {
  privateKey?: string;
  passphrase?: string;
  password?: string;
  sudoPassword?: string;
}

/** What a user supplies to create a credential. */
export interface CredentialInput {
  name: string;
  kind: CredentialKind;
  keyPath: string;
  secrets: CredentialSecrets;
}

/** Where the app runs and how it keeps secrets. */
export interface AppInfo {
  version: string;
  host: 'electron' | 'browser';
  dataDir: string;
  dbPath: string;
  secretStore: string;
}

/** Why a host could not be scanned, as the SSH transport and the parsers classify it. */
export type ScanErrorKind =
  | 'unreachable'
  | 'dns'
  | 'refused'
  | 'timeout'
  | 'auth-failed'
  | 'host-key-unknown'
  | 'host-key-changed'
  | 'sudo-failed'
  | 'command-failed'
  | 'output-unparseable'
  | 'no-credential'
  | 'unsupported'
  | 'cancelled'
  /** Skipped: a rollout holds the machine (it is being patched) — scan it again when that ends. */
  | 'busy'
  | 'internal';

/** Where an OS release stands against the end-of-life table. */
export type EolState = 'supported' | 'ending-soon' | 'extended' | 'eol' | 'unknown';

/** The status columns of a machine, kept by each scan. */
export interface MachineScanStatus {
  lastScanAt: number;
  lastOkAt: number | null;
  lastStatus: 'ok' | 'failed' | 'cancelled';
  lastErrorKind: ScanErrorKind | '';
  /** Pending updates that can be installed (held ones excluded). */
  missing: number;
  /** Security fixes among `missing` (held ones excluded). */
  security: number;
  /** Pending updates held back on the host (apt-mark hold, versionlock, zypper lock). */
  held: number;
  /** Security fixes among `held`. */
  heldSecurity: number;
  rebootRequired: boolean;
  eolState: EolState;
  eolName: string;
  eolEnds: string;
}

/** A host key seen on first contact, for the trust prompt. */
export interface SeenHostKeyInfo {
  address: string;
  port: number;
  keyType: string;
  fingerprint: string;
}

/** One missing patch on one machine. */
export interface MachinePatch {
  /** The ecosystem that reported it (apt, dnf, zypper…): patches are keyed by it. */
  packageManager: string;
  name: string;
  arch: string;
  installedVersion: string;
  candidateVersion: string;
  /** A security fix older than the candidate (security is then true), or null. */
  securityVersion: string | null;
  /** Held or locked on the host: pending, but not installable until the hold is lifted. */
  held: boolean;
  origin: string;
  security: boolean | null;
  severity: string | null;
  advisories: string[];
  cves: string[];
  isNew: boolean;
  keptBack: boolean;
  firstSeenAt: number;
  /** Approved / declined / not reviewed on this machine (set on the machine page's patches). */
  decision?: ResolvedDecision;
}

/** A patch across the fleet: how many machines miss it. */
export interface FleetPatch {
  packageManager: string;
  name: string;
  security: boolean | null;
  /** Machines that miss it, held ones included. */
  machines: number;
  /** Machines where it is held back. */
  heldMachines: number;
  /** Newest candidate, by the package manager's own version order. */
  newestVersion: string;
  /** Newest security version older than a candidate (by the package manager's order), or null. */
  securityVersion: string | null;
  /** Decisions recorded for the versions shown (any scope), newest first; absent when there are none. */
  decisions?: PatchDecision[];
}

/** Where one host of a scan job is. */
export type ScanHostState = 'queued' | 'connecting' | 'scanning' | 'done' | 'failed' | 'cancelled';

/** One host's progress in a scan job. */
export interface ScanHostProgress {
  machineId: number;
  state: ScanHostState;
  errorKind?: ScanErrorKind;
  message?: string;
  missing?: number;
  security?: number;
  rebootRequired?: boolean;
  /** Set with a host-key failure: the result to pass to `scan.trustHostKey` after the user compared it. */
  resultId?: number;
  hostKey?: SeenHostKeyInfo & { changed: boolean; previousFingerprint?: string };
}

/** Counts of a scan job, sent with every progress batch. */
export interface ScanTotals {
  total: number;
  queued: number;
  running: number;
  done: number;
  failed: number;
  cancelled: number;
}

/** The latest scan of one machine, for its page. */
export interface MachineScanDetails {
  machineId: number;
  status: MachineScanStatus | null;
  patches: MachinePatch[];
  /** From the last successful scan. */
  lastOk: {
    at: number;
    osName: string;
    kernel: string;
    packageManager: string;
    listsAgeSeconds: number | null;
    rebootReasons: string[];
    held: string[];
    removals: string[];
    warnings: string[];
    /** Platform limits worth knowing (no security data, installs that need someone at the Mac…). */
    notes: string[];
    eol: {
      state: EolState;
      name: string;
      ends: string | null;
      extendedEnds: string | null;
      estimated: boolean;
      tableDate: string;
    };
  } | null;
  /** From the last scan if it failed. */
  lastError: {
    at: number;
    kind: ScanErrorKind;
    message: string;
    resultId: number;
    hostKey: (SeenHostKeyInfo & { changed: boolean; previousFingerprint?: string }) | null;
  } | null;
  /** Patch changes from recent scans, newest first. */
  history: {
    at: number;
    kind: 'appeared' | 'fixed';
    name: string;
    version: string;
    security: boolean | null;
  }[];
}

/** A pinned SSH host key, as the Settings page lists it (public data: no secret). */
export interface PinnedHostKeyInfo {
  address: string;
  port: number;
  keyType: string;
  fingerprint: string;
  trustedAt: number;
  source: 'user' | 'tofu' | 'known_hosts';
}

/** What importing a known_hosts file did, for the machines in the inventory. */
export interface KnownHostsImportReport {
  imported: number;
  unchanged: number;
  conflicts: {
    address: string;
    port: number;
    keyType: string;
    pinnedFingerprint: string;
    knownHostsFingerprint: string;
  }[];
  notFound: number;
  revoked: { address: string; port: number; line: number; fingerprint: string }[];
  skipped: { line: number; reason: string }[];
}
