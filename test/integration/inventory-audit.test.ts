import { spawnSync } from 'node:child_process';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import type { AuditEntry } from '../../shared/decisions';
import type { MachineInput } from '../../shared/domain';
import { ed25519, sshMachine } from '../helpers/inventory';
import { fileCore, tempDir } from '../helpers/temp';

// Inventory deletions and host-key trust changes leave exactly one audit entry each, written in the same
// transaction as the change, through the handlers the UI and the CLI use; the chain still verifies.

const machine = (displayName: string, address: string, over: Partial<MachineInput> = {}) =>
  sshMachine(displayName, address, { client: 'Acme', ...over });

async function setup() {
  const { core, dataDir } = fileCore();
  const add = async (displayName: string, address: string) =>
    (await core.handlers['machines.create']({ machine: machine(displayName, address) })).id;
  const web = await add('web01', '192.0.2.10');
  const db = await add('db01', '192.0.2.11');
  const ref = (name: string) => ({
    refs: [{ packageManager: 'apt', kind: 'package' as const, name, version: '1.0' }],
  });
  /** The entries appended by `fn`, oldest first. */
  const appended = async (fn: () => Promise<unknown>): Promise<AuditEntry[]> => {
    const before = core.services.audit.list({}).total;
    await fn();
    const { items, total } = core.services.audit.list({ limit: 1000 });
    return items.slice(0, total - before).reverse();
  };
  const verified = () => expect(core.services.audit.verify()).toMatchObject({ ok: true, broken: null });
  return { core, dataDir, web, db, ref, appended, verified };
}

describe('audit of inventory deletions', () => {
  it('records a deleted machine with the decisions that went with it', async () => {
    const { core, web, db, ref, appended, verified } = await setup();
    core.services.operator.set('Dana');
    core.services.approvals.decide(ref('openssl'), { kind: 'machine', machineId: web }, 'approved');
    core.services.approvals.decide(ref('curl'), { kind: 'machine', machineId: web }, 'declined', '', 'CAB');
    core.services.approvals.decide(ref('curl'), { kind: 'all' }, 'approved');
    const entries = await appended(() => core.handlers['machines.delete']({ ids: [web] }));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      actor: 'Dana',
      action: 'machine.deleted',
      subject: 'machine web01',
      detail: { machineId: web, address: '192.0.2.10', port: 22, client: 'Acme', decisionsRemoved: 2 },
    });
    // The decision everywhere stays; the machine's own went.
    expect(core.services.approvals.list({})).toHaveLength(1);
    // Several at once: one entry each; an id that is gone already: none.
    const more = await appended(() => core.handlers['machines.delete']({ ids: [db, web, 999] }));
    expect(more.map((e) => [e.action, e.subject, e.detail.decisionsRemoved])).toEqual([
      ['machine.deleted', 'machine db01', 0],
    ]);
    verified();
  });

  it('never deletes a machine without its entry: a failing audit append rolls the deletion back', async () => {
    const { core, web } = await setup();
    core.db.exec(
      "CREATE TEMP TRIGGER no_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit disk full'); END",
    );
    const r = await core.dispatch('machines.delete', { ids: [web] });
    expect(r.ok).toBe(false);
    expect(core.repos.machines.get(web)?.displayName).toBe('web01');
    core.db.exec('DROP TRIGGER no_audit');
    expect(await core.handlers['machines.delete']({ ids: [web] })).toEqual({ deleted: 1 });
  });

  it('records a deleted group with its scoped decisions, and a deleted credential by name only', async () => {
    const { core, web, ref, appended, verified } = await setup();
    const group = await core.handlers['groups.save']({ name: 'Acme web', filter: { clients: ['Acme'] } });
    core.services.approvals.decide(ref('openssl'), { kind: 'group', groupId: group.id }, 'approved');
    const g = await appended(() => core.handlers['groups.delete']({ id: group.id }));
    expect(g).toHaveLength(1);
    expect(g[0]).toMatchObject({
      action: 'group.deleted',
      subject: 'group Acme web',
      detail: { groupId: group.id, decisionsRemoved: 1, filter: { clients: ['Acme'] } },
    });

    const secret = 'hunter2-very-secret';
    const cred = await core.handlers['credentials.create']({
      credential: { name: 'root password', kind: 'ssh-password', keyPath: '', secrets: { password: secret } },
    });
    await core.handlers['machines.update']({
      id: web,
      machine: machine('web01', '192.0.2.10', { credentialId: cred.id }),
    });
    const c = await appended(() => core.handlers['credentials.delete']({ id: cred.id }));
    expect(c).toHaveLength(1);
    expect(c[0]).toMatchObject({
      action: 'credential.deleted',
      subject: 'credential root password',
      detail: { credentialId: cred.id, kind: 'ssh-password', machinesLeftWithout: 1 },
    });
    // No secret anywhere in the log, not even in the creation entry.
    expect(JSON.stringify(core.services.audit.all())).not.toContain(secret);
    // Unknown ids change nothing and record nothing.
    expect(await appended(() => core.dispatch('groups.delete', { id: group.id }))).toEqual([]);
    expect(await appended(() => core.dispatch('credentials.delete', { id: cred.id }))).toEqual([]);
    verified();
  });
});

describe('audit of host-key trust', () => {
  it('records imported, trusted, replaced and forgotten keys with their fingerprints', async () => {
    const { core, web, appended, verified } = await setup();
    const first = ed25519();
    const imported = await appended(() =>
      core.handlers['hostKeys.importKnownHosts']({ text: `192.0.2.10 ssh-ed25519 ${first.b64}` }),
    );
    expect(imported).toHaveLength(1);
    expect(imported[0]).toMatchObject({
      action: 'hostkey.imported',
      detail: {
        imported: 1,
        keys: [{ address: '192.0.2.10', port: 22, keyType: 'ssh-ed25519', fingerprint: first.fingerprint }],
      },
    });

    // A scan saw a different key: the user compares and trusts it, replacing the pinned one.
    const seen = (k: { b64: string; fingerprint: string }, changed: boolean) => {
      const run = core.repos.scans.startRun(1, 1);
      return core.repos.scans.recordFailure(
        run,
        web,
        {
          kind: changed ? 'host-key-changed' : 'host-key-unknown',
          message: 'host key',
          hostKey: {
            address: '192.0.2.10',
            port: 22,
            keyType: 'ssh-ed25519',
            fingerprint: k.fingerprint,
            key: k.b64,
            changed,
          },
        },
        5,
        2,
      );
    };
    const second = ed25519();
    const replaced = await appended(() =>
      core.handlers['scan.trustHostKey']({ resultId: seen(second, true) }),
    );
    expect(replaced).toHaveLength(1);
    expect(replaced[0]).toMatchObject({
      action: 'hostkey.replaced',
      subject: 'host key of 192.0.2.10:22',
      detail: {
        fingerprint: second.fingerprint,
        replaced: [{ keyType: 'ssh-ed25519', fingerprint: first.fingerprint }],
      },
    });

    const forgotten = await appended(() =>
      core.handlers['hostKeys.forget']({ address: '192.0.2.10', port: 22 }),
    );
    expect(forgotten).toHaveLength(1);
    expect(forgotten[0]).toMatchObject({
      action: 'hostkey.forgotten',
      subject: 'host key of 192.0.2.10:22',
      detail: {
        address: '192.0.2.10',
        port: 22,
        keys: [{ keyType: 'ssh-ed25519', fingerprint: second.fingerprint }],
      },
    });
    // Nothing left to forget: nothing recorded.
    expect(
      await appended(() => core.handlers['hostKeys.forget']({ address: '192.0.2.10', port: 22 })),
    ).toEqual([]);

    const third = ed25519();
    const trusted = await appended(() =>
      core.handlers['scan.trustHostKey']({ resultId: seen(third, false) }),
    );
    expect(trusted.map((e) => [e.action, e.detail.fingerprint, e.detail.replaced])).toEqual([
      ['hostkey.trusted', third.fingerprint, undefined],
    ]);
    verified();
  });
});

describe('audit of inventory configuration', () => {
  it('records machine creation, edits (what changed) and imports (counts)', async () => {
    const { core, web, appended, verified } = await setup();
    expect(core.services.audit.list({ action: 'machine.created' }).items[0]).toMatchObject({
      subject: 'machine db01',
      detail: { address: '192.0.2.11', port: 22, transport: 'ssh', client: 'Acme' },
    });
    const edit = await appended(() =>
      core.handlers['machines.update']({
        id: web,
        machine: machine('web01', '192.0.2.20', { notes: 'moved racks' }),
      }),
    );
    expect(edit).toHaveLength(1);
    expect(edit[0]).toMatchObject({
      action: 'machine.updated',
      detail: {
        machineId: web,
        changed: { address: { from: '192.0.2.10', to: '192.0.2.20' }, notes: 'edited' },
      },
    });
    // Saving without a change records nothing.
    expect(
      await appended(() =>
        core.handlers['machines.update']({
          id: web,
          machine: machine('web01', '192.0.2.20', { notes: 'moved racks' }),
        }),
      ),
    ).toEqual([]);
    const imported = await appended(() =>
      core.handlers['import.commit']({
        format: 'csv',
        text: 'name,address,port,user\nnew01,192.0.2.30,22,root\nnew02,192.0.2.31,22,root\nbad,192.0.2.32,70000,root\n',
        onDuplicate: 'skip',
      }),
    );
    expect(imported.map((e) => [e.action, e.detail.created, e.detail.skippedInvalid])).toEqual([
      ['machines.imported', 2, 1],
    ]);
    verified();
  });
});

describe('audit through the CLI', () => {
  it('records `credentials remove` and the machine edit of `credentials assign` as the operator', async () => {
    const dir = tempDir();
    const { core } = fileCore(dir);
    await core.handlers['machines.create']({ machine: machine('web01', '192.0.2.10') });
    await core.handlers['credentials.create']({
      credential: { name: 'deploy', kind: 'ssh-agent', keyPath: '', secrets: {} },
    });
    core.services.operator.set('Sam');
    await core.close();
    const run = (args: string[]) =>
      spawnSync(process.execPath, [path.resolve('bin/patchbay.cjs'), '--data-dir', dir, ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    expect(run(['credentials', 'assign', 'deploy', '--machine', 'web01']).status).toBe(0);
    expect(run(['credentials', 'remove', 'deploy']).status).toBe(0);
    const list = JSON.parse(run(['audit', 'list', '--json']).stdout) as { items: AuditEntry[] };
    expect(list.items.slice(0, 2).map((e) => [e.action, e.subject, e.actor])).toEqual([
      ['credential.deleted', 'credential deploy', 'Sam'],
      ['machine.updated', 'machine web01', 'Sam'],
    ]);
    expect(run(['audit', 'verify']).status).toBe(0);
  });
});
