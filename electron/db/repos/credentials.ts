import type { CredentialKind } from '../../../shared/domain';
import type { Db } from '../open';

/** A credential row as stored: the secrets stay sealed. */
export interface CredentialRecord {
  id: number;
  name: string;
  kind: CredentialKind;
  keyPath: string;
  hasPrivateKey: boolean;
  hasPassphrase: boolean;
  hasPassword: boolean;
  hasSudoPassword: boolean;
  sealed: Buffer | null;
  sealedBy: string;
  machineCount: number;
  createdAt: number;
  updatedAt: number;
}

interface Row {
  id: number;
  name: string;
  kind: CredentialKind;
  key_path: string;
  has_private_key: number;
  has_passphrase: number;
  has_password: number;
  has_sudo_password: number;
  sealed: Buffer | null;
  sealed_by: string;
  machine_count: number;
  created_at: number;
  updated_at: number;
}

const SELECT = `SELECT c.*, (SELECT count(*) FROM machines m WHERE m.credential_id = c.id) AS machine_count
  FROM credentials c`;

function toRecord(r: Row): CredentialRecord {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    keyPath: r.key_path,
    hasPrivateKey: r.has_private_key === 1,
    hasPassphrase: r.has_passphrase === 1,
    hasPassword: r.has_password === 1,
    hasSudoPassword: r.has_sudo_password === 1,
    sealed: r.sealed,
    sealedBy: r.sealed_by,
    machineCount: r.machine_count,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Named queries over credentials. */
export function credentialsRepo(db: Db) {
  const all = db.prepare<[], Row>(`${SELECT} ORDER BY c.name COLLATE NOCASE`);
  const byId = db.prepare<[number], Row>(`${SELECT} WHERE c.id = ?`);
  const byName = db.prepare<[string], Row>(`${SELECT} WHERE c.name = ?`);
  const insert = db.prepare(`INSERT INTO credentials (name, kind, key_path, has_private_key, has_passphrase,
    has_password, has_sudo_password, sealed, sealed_by, created_at, updated_at)
    VALUES (@name, @kind, @keyPath, @hasPrivateKey, @hasPassphrase, @hasPassword, @hasSudoPassword, @sealed,
    @sealedBy, @now, @now)`);
  const remove = db.prepare('DELETE FROM credentials WHERE id = ?');
  return {
    list: (): CredentialRecord[] => all.all().map(toRecord),
    get: (id: number): CredentialRecord | null => {
      const r = byId.get(id);
      return r ? toRecord(r) : null;
    },
    findByName: (name: string): CredentialRecord | null => {
      const r = byName.get(name);
      return r ? toRecord(r) : null;
    },
    insert(
      c: Omit<CredentialRecord, 'id' | 'machineCount' | 'createdAt' | 'updatedAt'>,
      now: number,
    ): number {
      const flag = (b: boolean) => (b ? 1 : 0);
      return Number(
        insert.run({
          ...c,
          hasPrivateKey: flag(c.hasPrivateKey),
          hasPassphrase: flag(c.hasPassphrase),
          hasPassword: flag(c.hasPassword),
          hasSudoPassword: flag(c.hasSudoPassword),
          now,
        }).lastInsertRowid,
      );
    },
    delete: (id: number): number => remove.run(id).changes,
  };
}

export type CredentialsRepo = ReturnType<typeof credentialsRepo>;
