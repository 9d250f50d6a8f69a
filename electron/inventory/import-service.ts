import type {
  CsvMapping,
  DuplicatePolicy,
  ImportFormat,
  ImportPreview,
  ImportPreviewRow,
  ImportResult,
  MachineInput,
} from '../../shared/domain';
import type { EventSink } from '../../shared/ipc';
import { ApiError } from '../../shared/wire';
import type { AuditLog } from '../audit/audit-log';
import type { Clock } from '../core/clock';
import type { Db } from '../db/open';
import type { CredentialsRepo } from '../db/repos/credentials';
import type { MachinesRepo } from '../db/repos/machines';
import { parseAnsibleIni, parseAnsibleYaml } from './import/ansible';
import { parseCsv } from './import/csv';
import { parseSshConfig } from './import/ssh-config';
import { toMachineInput } from './import/to-machine';
import type { ParseResult } from './import/types';

/** What an import request carries (the same for preview and commit: commit re-parses, it trusts nothing). */
export interface ImportRequest {
  format: ImportFormat;
  text: string;
  mapping?: CsvMapping | undefined;
  credentialId?: number | null | undefined;
}

function parse(req: ImportRequest): ParseResult {
  switch (req.format) {
    case 'csv':
      return parseCsv(req.text, req.mapping);
    case 'ssh-config':
      return parseSshConfig(req.text);
    case 'ansible-ini':
      return parseAnsibleIni(req.text);
    case 'ansible-yaml':
      return parseAnsibleYaml(req.text);
  }
}

const endpointKey = (m: MachineInput) => `${m.address.toLowerCase()}\u0000${m.port}`;

/** Fields of an import that replace the stored ones when merging; tags are added, never removed. */
function mergeInto(existing: MachineInput, incoming: MachineInput): MachineInput {
  const pick = (a: string, b: string) => (b !== '' ? b : a);
  return {
    ...existing,
    displayName: pick(existing.displayName, incoming.displayName),
    username: pick(existing.username, incoming.username),
    transport: incoming.transport,
    credentialId: incoming.credentialId ?? existing.credentialId,
    tags: [...new Set([...existing.tags, ...incoming.tags])].slice(0, 50),
    client: pick(existing.client, incoming.client),
    site: pick(existing.site, incoming.site),
    notes: pick(existing.notes, incoming.notes),
    proxyJump: pick(existing.proxyJump, incoming.proxyJump),
    ...winrmOf(existing, incoming),
  };
}

/**
 * The WinRM HTTPS/Basic flags after a merge: the file's where it names them, else the stored ones; off for an
 * SSH machine, and Basic off whenever HTTPS ends up off (the database's CHECK would refuse the import).
 */
function winrmOf(
  existing: MachineInput,
  incoming: MachineInput,
): Pick<MachineInput, 'winrmHttps' | 'winrmBasic'> {
  if (incoming.transport !== 'winrm') return { winrmHttps: false, winrmBasic: false };
  const https = incoming.winrmHttps ?? existing.winrmHttps ?? false;
  const basic = incoming.winrmBasic ?? existing.winrmBasic ?? false;
  return { winrmHttps: https, winrmBasic: https && basic };
}

/** Import with a preview that writes nothing, then an all-or-nothing commit. */
export function importService(deps: {
  db: Db;
  machines: MachinesRepo;
  credentials: CredentialsRepo;
  audit: Pick<AuditLog, 'append'>;
  clock: Clock;
  events: EventSink;
}) {
  const { db, machines, credentials, audit, clock, events } = deps;

  function preview(req: ImportRequest): ImportPreview {
    const credential = req.credentialId != null ? credentials.get(req.credentialId) : null;
    if (req.credentialId != null && !credential) {
      throw new ApiError({ code: 'invalid', message: 'The chosen credential no longer exists.' });
    }
    const parsed = parse(req);
    const seen = new Map<string, ImportPreviewRow>();
    const rows: ImportPreviewRow[] = parsed.entries.map((entry) => {
      const { machine, errors } = toMachineInput(entry);
      if (
        machine &&
        credential &&
        (machine.transport === 'winrm') !== (credential.kind === 'winrm-password')
      ) {
        errors.push({
          field: 'credentialId',
          message: `the credential "${credential.name}" does not fit a ${machine.transport === 'winrm' ? 'WinRM' : 'SSH'} machine`,
        });
      }
      const row: ImportPreviewRow = {
        line: entry.line,
        machine: machine ? { ...machine, credentialId: req.credentialId ?? null } : null,
        errors,
        warnings: entry.warnings,
        raw: Object.fromEntries(Object.entries(entry.fields).map(([k, v]) => [k, String(v).slice(0, 200)])),
        duplicateOf: null,
      };
      if (row.machine) {
        const key = endpointKey(row.machine);
        const existing = machines.findByEndpoint(row.machine.address, row.machine.port);
        const earlier = seen.get(key);
        if (existing) {
          row.duplicateOf = { machineId: existing.id, line: null, displayName: existing.displayName };
        } else if (earlier?.machine) {
          row.duplicateOf = { machineId: null, line: earlier.line, displayName: earlier.machine.displayName };
        } else {
          seen.set(key, row);
        }
      }
      return row;
    });
    return {
      format: req.format,
      rows,
      skipped: parsed.skipped,
      headers: parsed.headers,
      mapping: parsed.mapping,
      fatal: parsed.fatal,
    };
  }

  function commit(req: ImportRequest, onDuplicate: DuplicatePolicy): ImportResult {
    const p = preview(req);
    if (p.fatal) throw new ApiError({ code: 'invalid', message: p.fatal });
    const result: ImportResult = { created: 0, merged: 0, skippedDuplicates: 0, skippedInvalid: 0 };
    const now = clock.now();
    db.transaction(() => {
      const createdByLine = new Map<number, { id: number; input: MachineInput }>();
      for (const row of p.rows) {
        if (!row.machine || row.errors.length > 0) {
          result.skippedInvalid++;
          continue;
        }
        const dup = row.duplicateOf;
        if (!dup) {
          const id = machines.insert(row.machine, now);
          createdByLine.set(row.line, { id, input: row.machine });
          result.created++;
        } else if (onDuplicate === 'skip') {
          result.skippedDuplicates++;
        } else {
          const target =
            dup.machineId !== null
              ? { id: dup.machineId, input: machines.get(dup.machineId) as MachineInput }
              : createdByLine.get(dup.line ?? -1);
          if (!target) {
            result.skippedDuplicates++;
            continue;
          }
          const merged = mergeInto(target.input, row.machine);
          machines.update(target.id, merged, now);
          target.input = merged;
          result.merged++;
        }
      }
      // One entry per import, with its counts (each machine is listed in the inventory itself).
      if (result.created + result.merged > 0) {
        audit.append({
          action: 'machines.imported',
          subject: `import of ${result.created + result.merged} machines`,
          detail: { format: req.format, credentialId: req.credentialId ?? null, onDuplicate, ...result },
        });
      }
    })();
    if (result.created + result.merged > 0) {
      events('machines.changed', { reason: 'imported', count: result.created + result.merged });
    }
    return result;
  }

  return { preview, commit };
}
