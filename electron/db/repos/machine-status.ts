import type { MachineScanStatus } from '../../../shared/domain';

/** Maps a machine_status row (or the m.s_* columns of the machines list) to the shared shape. */
export function toStatus(r: Record<string, unknown>): MachineScanStatus {
  return {
    lastScanAt: Number(r.last_scan_at),
    lastOkAt: r.last_ok_at === null ? null : Number(r.last_ok_at),
    lastStatus: r.last_status as MachineScanStatus['lastStatus'],
    lastErrorKind: r.last_error_kind as MachineScanStatus['lastErrorKind'],
    missing: Number(r.missing_count),
    security: Number(r.security_count),
    held: Number(r.held_count ?? 0),
    heldSecurity: Number(r.held_security_count ?? 0),
    rebootRequired: r.reboot_required === 1,
    eolState: r.eol_state as MachineScanStatus['eolState'],
    eolName: String(r.eol_name),
    eolEnds: String(r.eol_ends),
  };
}
