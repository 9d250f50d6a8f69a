import type { AuditLog } from '../audit/audit-log';
import type { HostKeysRepo } from '../db/repos/host-keys';

/**
 * The pinned host keys as scans use them: a key pinned on first contact (a scan the operator let trust
 * machines contacted for the first time) is a trust decision like any other, so it is recorded in the
 * audit log in the same transaction as the pin. Keys the user trusts, forgets or imports are recorded by
 * their requests (scan handlers), which know what was replaced.
 */
export function auditedHostKeys(hostKeys: HostKeysRepo, audit: Pick<AuditLog, 'append'>): HostKeysRepo {
  return {
    ...hostKeys,
    pin: (k) =>
      hostKeys.transaction(() => {
        hostKeys.pin(k);
        if (k.source !== 'tofu') return;
        audit.append({
          action: 'hostkey.trusted',
          subject: `host key of ${k.address}:${k.port}`,
          detail: {
            address: k.address,
            port: k.port,
            keyType: k.keyType,
            fingerprint: k.fingerprint,
            firstUse: true,
          },
        });
      }),
  };
}
