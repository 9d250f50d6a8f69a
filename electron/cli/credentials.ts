import fs from 'node:fs';

import type { CredentialKind, CredentialSecrets, CredentialSummary } from '../../shared/domain';
import type { Core } from '../core/create-core';
import { call, UsageError } from './call';
import { resolveMachines } from './resolve';
import { secretSource } from './secret-input';

/** Options `patchbay credentials` reads. */
export interface CredentialOptions {
  kind?: string;
  'key-path'?: string;
  'key-file'?: string;
  passphrase?: boolean;
  'sudo-password'?: boolean;
  'password-stdin'?: boolean;
  machine?: string[];
  json?: boolean;
}

const KINDS: CredentialKind[] = ['ssh-key', 'ssh-password', 'ssh-agent', 'winrm-password'];

async function findCredential(core: Core, want: string | undefined): Promise<CredentialSummary> {
  if (!want) throw new UsageError('Name the credential (its name or id).');
  const all = await call(core, 'credentials.list', {});
  const c = all.find((x) => String(x.id) === want || x.name.toLowerCase() === want.toLowerCase());
  if (!c)
    throw new UsageError(
      `No credential named or numbered "${want}". Credentials: ${all.map((x) => x.name).join(', ') || 'none'}`,
    );
  return c;
}

function readKeyFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`Cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`, {
      cause: err,
    });
  }
}

async function add(core: Core, name: string | undefined, v: CredentialOptions, out: (s: string) => void) {
  if (!name) throw new UsageError('credentials add needs a NAME');
  const kind = (v.kind ?? (v['key-file'] || v['key-path'] ? 'ssh-key' : '')) as CredentialKind;
  if (!KINDS.includes(kind)) throw new UsageError(`--kind must be one of ${KINDS.join(', ')}`);
  if (kind !== 'ssh-key' && (v['key-file'] || v['key-path'] || v.passphrase))
    throw new UsageError('--key-file, --key-path and --passphrase belong to --kind ssh-key');
  const secrets: CredentialSecrets = {};
  // The source is chosen only when something must be read, so `--kind ssh-agent` needs no terminal.
  const needs: [keyof CredentialSecrets, string][] = [];
  if (kind === 'ssh-password' || kind === 'winrm-password') needs.push(['password', 'password']);
  if (v.passphrase) needs.push(['passphrase', 'key passphrase']);
  if (v['sudo-password']) needs.push(['sudoPassword', 'sudo password']);
  if (v['key-file']) secrets.privateKey = readKeyFile(v['key-file']);
  if (needs.length > 0) {
    const source = secretSource(v['password-stdin'] ?? false);
    for (const [field, label] of needs) secrets[field] = await source.next(label);
  } else if (v['password-stdin'])
    throw new UsageError('--password-stdin given, but this credential asks for no secret');
  const c = await call(core, 'credentials.create', {
    credential: { name, kind, keyPath: v['key-path'] ?? '', secrets },
  });
  out(v.json ? JSON.stringify(c, null, 2) + '\n' : `Stored credential ${c.name} (id ${c.id}, ${c.kind}).\n`);
}

function secretsOf(c: CredentialSummary): string {
  const has = [
    c.hasPrivateKey && 'private key',
    c.keyPath && `key file ${c.keyPath}`,
    c.hasPassphrase && 'passphrase',
    c.hasPassword && 'password',
    c.hasSudoPassword && 'sudo password',
  ].filter(Boolean);
  return (has.join(', ') || '-') + (c.unlockable ? '' : '  (LOCKED: sealed by another secret store)');
}

/** `patchbay credentials add|list|remove|assign`: secrets come from a prompt, stdin or a file, never argv. */
export async function runCredentials(
  core: Core,
  command: string,
  args: string[],
  v: CredentialOptions,
  io: { stdout: (s: string) => void; stderr: (s: string) => void },
): Promise<number> {
  switch (command) {
    case 'add':
      await add(core, args[0], v, io.stdout);
      return 0;
    case 'list': {
      const all = await call(core, 'credentials.list', {});
      if (v.json) io.stdout(JSON.stringify(all, null, 2) + '\n');
      else if (all.length === 0)
        io.stdout('No credentials. Add one with `patchbay credentials add NAME --kind …`.\n');
      else {
        io.stdout(
          `${'ID'.padEnd(6)} ${'NAME'.padEnd(24)} ${'KIND'.padEnd(15)} ${'MACHINES'.padStart(8)}  STORED\n`,
        );
        for (const c of all)
          io.stdout(
            `${String(c.id).padEnd(6)} ${c.name.padEnd(24)} ${c.kind.padEnd(15)} ${String(c.machineCount).padStart(8)}  ${secretsOf(c)}\n`,
          );
      }
      return 0;
    }
    case 'remove': {
      const c = await findCredential(core, args[0]);
      await call(core, 'credentials.delete', { id: c.id });
      io.stdout(
        v.json
          ? JSON.stringify({ removed: c.name, machinesLeftWithout: c.machineCount }) + '\n'
          : `Removed ${c.name}${c.machineCount ? `; ${c.machineCount} machine(s) now have no credential` : ''}.\n`,
      );
      return 0;
    }
    default: {
      // assign CRED|none --machine NAME…
      if (!v.machine?.length) throw new UsageError('credentials assign needs --machine NAME (repeatable)');
      const cred = args[0] === 'none' ? null : await findCredential(core, args[0]);
      const machines = await resolveMachines(core, v.machine);
      for (const m of machines) {
        // machines.update replaces the whole machine, so the other fields are sent back as they are.
        const machine = {
          displayName: m.displayName,
          address: m.address,
          port: m.port,
          transport: m.transport,
          username: m.username,
          credentialId: cred?.id ?? null,
          tags: m.tags,
          client: m.client,
          site: m.site,
          notes: m.notes,
          proxyJump: m.proxyJump,
        };
        await call(core, 'machines.update', { id: m.id, machine });
      }
      io.stdout(
        v.json
          ? JSON.stringify({ credential: cred?.name ?? null, machines: machines.map((m) => m.displayName) }) +
              '\n'
          : `${cred ? `Assigned ${cred.name} to` : 'Cleared the credential of'} ${machines.map((m) => m.displayName).join(', ')}.\n`,
      );
      return 0;
    }
  }
}
