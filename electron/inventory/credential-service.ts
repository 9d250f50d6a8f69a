import type { CredentialInput, CredentialSecrets, CredentialSummary } from '../../shared/domain';
import type { EventSink } from '../../shared/ipc';
import { ApiError } from '../../shared/wire';
import type { AuditLog } from '../audit/audit-log';
import type { Clock } from '../core/clock';
import type { Db } from '../db/open';
import type { CredentialRecord, CredentialsRepo } from '../db/repos/credentials';
import type { SecretBox } from '../secrets/secret-box';

/** Keeps only non-empty secrets, so "has a passphrase" means one was really given. */
function presentSecrets(s: CredentialSecrets): CredentialSecrets {
  return Object.fromEntries(Object.entries(s).filter(([, v]) => typeof v === 'string' && v.length > 0));
}

/** Credentials: secrets are sealed before they reach the database and never leave the core. */
export function credentialService(deps: {
  db: Db;
  credentials: CredentialsRepo;
  /** Records creation and deletion by name and kind: never a secret, nor whether one was given. */
  audit: Pick<AuditLog, 'append'>;
  secrets: SecretBox;
  clock: Clock;
  events: EventSink;
}) {
  const { db, credentials, audit, secrets, clock, events } = deps;

  const summary = (r: CredentialRecord): CredentialSummary => ({
    id: r.id,
    name: r.name,
    kind: r.kind,
    keyPath: r.keyPath,
    hasPrivateKey: r.hasPrivateKey,
    hasPassphrase: r.hasPassphrase,
    hasPassword: r.hasPassword,
    hasSudoPassword: r.hasSudoPassword,
    unlockable: r.sealed === null || r.sealedBy === secrets.id,
    machineCount: r.machineCount,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  });

  return {
    list: (): CredentialSummary[] => credentials.list().map(summary),
    create(input: CredentialInput): CredentialSummary {
      if (credentials.findByName(input.name)) {
        throw new ApiError({
          code: 'conflict',
          message: `A credential named "${input.name}" already exists.`,
          fields: [{ path: 'credential.name', message: 'already used' }],
        });
      }
      const s = presentSecrets(input.secrets);
      const hasAny = Object.keys(s).length > 0;
      const sealed = hasAny ? secrets.seal(JSON.stringify(s)) : null;
      const id = db.transaction(() => {
        const created = credentials.insert(
          {
            name: input.name,
            kind: input.kind,
            keyPath: input.kind === 'ssh-key' ? input.keyPath : '',
            hasPrivateKey: Boolean(s.privateKey),
            hasPassphrase: Boolean(s.passphrase),
            hasPassword: Boolean(s.password),
            hasSudoPassword: Boolean(s.sudoPassword),
            sealed,
            sealedBy: hasAny ? secrets.id : '',
          },
          clock.now(),
        );
        audit.append({
          action: 'credential.created',
          subject: `credential ${input.name}`,
          detail: { credentialId: created, kind: input.kind },
        });
        return created;
      })();
      events('credentials.changed', { count: 1 });
      const created = credentials.get(id);
      if (!created) throw new Error('credential vanished after insert');
      return summary(created);
    },
    delete(id: number): { deleted: number } {
      const deleted = db.transaction(() => {
        const c = credentials.get(id);
        if (!c) return 0;
        const n = credentials.delete(id);
        // Machines that used it keep existing without a credential (foreign key): say how many.
        audit.append({
          action: 'credential.deleted',
          subject: `credential ${c.name}`,
          detail: { credentialId: id, kind: c.kind, machinesLeftWithout: c.machineCount },
        });
        return n;
      })();
      if (deleted === 0)
        throw new ApiError({ code: 'not-found', message: 'That credential no longer exists.' });
      events('credentials.changed', { count: deleted });
      return { deleted };
    },
    /** The secrets, for the transports only; never sent to the UI or logged. */
    unlock(id: number): CredentialSecrets & { kind: CredentialRecord['kind']; keyPath: string } {
      const r = credentials.get(id);
      if (!r) throw new ApiError({ code: 'not-found', message: 'That credential no longer exists.' });
      if (!r.sealed) return { kind: r.kind, keyPath: r.keyPath };
      if (r.sealedBy !== secrets.id) {
        throw new ApiError({
          code: 'locked',
          message:
            `The secrets of "${r.name}" were stored by a different secret store than this session's ` +
            `(${secrets.description}). Enter them again, or start Patchbay the way it was when they were stored.`,
        });
      }
      return {
        kind: r.kind,
        keyPath: r.keyPath,
        ...(JSON.parse(secrets.open(r.sealed)) as CredentialSecrets),
      };
    },
  };
}

export type CredentialService = ReturnType<typeof credentialService>;
