/** Words for scan states, failure kinds and end-of-life states, and time in human terms. */
import type { EolState, ScanErrorKind, ScanHostState } from '../../../../shared/domain';

/** A short label per failure kind; the core's full message goes in the tooltip and the details. */
export const ERROR_LABEL: Record<ScanErrorKind, string> = {
  unreachable: 'Unreachable',
  dns: 'Name not found',
  refused: 'Connection refused',
  timeout: 'Timed out',
  'auth-failed': 'Login failed',
  'host-key-unknown': 'Host key not trusted',
  'host-key-changed': 'Host key changed',
  'sudo-failed': 'sudo refused',
  'command-failed': 'Command failed',
  'output-unparseable': 'Unreadable output',
  'no-credential': 'No credential',
  unsupported: 'Not supported yet',
  cancelled: 'Cancelled',
  busy: 'Being patched',
  internal: 'Internal error',
};

/** Shorter words where a table column is narrow; the others fit as they are. */
const SHORT_LABEL: Partial<Record<ScanErrorKind, string>> = {
  refused: 'Refused',
  'host-key-unknown': 'Unknown key',
  'host-key-changed': 'Key changed',
  'output-unparseable': 'Bad output',
  unsupported: 'Unsupported',
};

/** A label for a kind that may be empty or unknown (older data). */
export function errorLabel(kind: string | undefined, short = false): string {
  if (!kind) return 'Failed';
  return (short && SHORT_LABEL[kind as ScanErrorKind]) || ERROR_LABEL[kind as ScanErrorKind] || 'Failed';
}

/** Whether a failure is about a host key the user can review and trust. */
export function isHostKeyKind(kind: string | undefined): boolean {
  return kind === 'host-key-unknown' || kind === 'host-key-changed';
}

/** Per-host states in the progress list. */
export const STATE_LABEL: Record<ScanHostState, string> = {
  queued: 'Queued',
  connecting: 'Connecting',
  scanning: 'Scanning',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** End-of-life states worth a badge, with a short and a long label; "supported" and "unknown" get none. */
export const EOL_LABEL: Partial<Record<EolState, { short: string; long: string; tone: 'danger' | 'warn' }>> =
  {
    eol: { short: 'End of life', long: 'End of life', tone: 'danger' },
    extended: { short: 'Extended', long: 'Extended support only', tone: 'warn' },
    'ending-soon': { short: 'Ending soon', long: 'Support ending soon', tone: 'warn' },
  };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "5 min ago", "3 h ago", "yesterday", "12 days ago", then the date. */
export function relativeTime(at: number, now: number): string {
  const d = Math.max(0, now - at);
  if (d < MINUTE) return 'just now';
  if (d < HOUR) return `${Math.floor(d / MINUTE)} min ago`;
  if (d < DAY) return `${Math.floor(d / HOUR)} h ago`;
  if (d < 2 * DAY) return 'yesterday';
  if (d < 45 * DAY) return `${Math.floor(d / DAY)} days ago`;
  return shortDate(at);
}

/** 2026-11-25 in local time. */
export function shortDate(at: number): string {
  const t = new Date(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}`;
}

/** 2026-11-25 14:03 in local time, for tooltips and details. */
export function dateTime(at: number): string {
  const t = new Date(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${shortDate(at)} ${pad(t.getHours())}:${pad(t.getMinutes())}`;
}

/** "4 s", "1 min 12 s", "2 h 5 min". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  return m % 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${Math.floor(m / 60)} h`;
}

/** "10 days" from seconds, for the age of package lists. */
export function ageText(seconds: number): string {
  if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))} min`;
  if (seconds < 2 * 86_400) return `${Math.round(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86_400)} days`;
}

/** A WinRM HTTPS certificate pinned in place of an SSH host key (the core's key type for it). */
export const isCertificateKey = (keyType: string | undefined): boolean => keyType === 'x509-sha256';

/** A failure's label that says "certificate" when the key in question is a WinRM HTTPS certificate. */
export function keyErrorLabel(kind: string | undefined, keyType: string | undefined): string {
  if (isCertificateKey(keyType) && kind === 'host-key-unknown') return 'Certificate not trusted';
  if (isCertificateKey(keyType) && kind === 'host-key-changed') return 'Certificate changed';
  return errorLabel(kind);
}
