import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import type {
  DuplicatePolicy,
  ImportFormat,
  Machine,
  MachineFilter,
  MachineSortKey,
} from '../../shared/domain';
import { guessImportFormat } from '../../shared/import-format';
import { splitTags } from '../../shared/validation';
import { ApiError } from '../../shared/wire';
import type { Core } from '../core/create-core';
import { openNodeCore } from '../core/node-core';
import { resolveDataDir } from '../core/paths';
import { runDecision } from './approvals';
import { runAudit } from './audit';
import { call, UsageError } from './call';
import { runCompliance } from './compliance';
import { runCredentials } from './credentials';
import { runEvidenceExport, runEvidenceVerify } from './evidence';
import { formatImportPreview, formatMachineTable } from './format';
import { COMMANDS, OPTIONS, type Values, VERBS } from './grammar';
import { runNotifications } from './notifications';
import { listPatches, showMachine } from './patches';
import { runPlan, runWindow } from './plans';
import { runReport } from './report';
import { resolveMachines } from './resolve';
import { runFixFirst, runSla, runVuln } from './risk';
import { runRollout } from './rollout';
import { runRules } from './rules';
import { processStopSignal, runUnattended, type StopSignal } from './run';
import { runScan } from './scan';
import { refuseSecretsInArgv } from './secret-input';
import { USAGE } from './usage';

/** Where the CLI writes; tests pass buffers. */
export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

/** Exit codes scripts can rely on. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const SORT_KEYS: Record<string, MachineSortKey> = {
  name: 'displayName',
  address: 'address',
  os: 'os',
  client: 'client',
  site: 'site',
  updated: 'updatedAt',
};

async function filterFrom(core: Core, v: Values): Promise<MachineFilter> {
  const filter: MachineFilter = {};
  if (v.search) filter.text = v.search;
  if (v.tag) filter.tags = v.tag;
  if (v.client) filter.clients = v.client;
  if (v.site) filter.sites = v.site;
  if (v.os) filter.os = v.os;
  if (v.group) {
    const groups = await call(core, 'groups.list', {});
    const g = groups.find((x) => x.name.toLowerCase() === v.group?.toLowerCase());
    if (!g)
      throw new UsageError(
        `No group named "${v.group}". Groups: ${groups.map((x) => x.name).join(', ') || 'none'}`,
      );
    filter.groupId = g.id;
  }
  return filter;
}

async function list(core: Core, v: Values, io: CliIo): Promise<number> {
  const key = SORT_KEYS[v.sort ?? 'name'];
  if (!key) throw new UsageError(`--sort must be one of ${Object.keys(SORT_KEYS).join(', ')}`);
  const { items } = await call(core, 'machines.list', {
    filter: await filterFrom(core, v),
    sort: { key, direction: v.desc ? 'desc' : 'asc' },
  });
  io.stdout(v.json ? JSON.stringify(items, null, 2) + '\n' : formatMachineTable(items));
  return EXIT.ok;
}

async function add(core: Core, v: Values, io: CliIo): Promise<number> {
  if (!v.address || !v.user) throw new UsageError('machines add needs --address and --user');
  const transport = v.transport ?? 'ssh';
  if (transport !== 'ssh' && transport !== 'winrm') throw new UsageError('--transport must be ssh or winrm');
  const https = v['winrm-https'] ?? false;
  if ((https || v['winrm-basic']) && transport !== 'winrm') {
    throw new UsageError('--winrm-https and --winrm-basic need --transport winrm');
  }
  const port = v.port === undefined ? (transport === 'ssh' ? 22 : https ? 5986 : 5985) : Number(v.port);
  const machine: Machine = await call(core, 'machines.create', {
    machine: {
      displayName: v.name ?? v.address,
      address: v.address,
      port,
      transport,
      username: v.user,
      credentialId: null,
      tags: splitTags(v.tags ?? ''),
      client: v.client?.[0] ?? '',
      site: v.site?.[0] ?? '',
      notes: v.notes ?? '',
      proxyJump: v['proxy-jump'] ?? '',
      winrmHttps: https,
      winrmBasic: v['winrm-basic'] ?? false,
    },
  });
  io.stdout(
    v.json ? JSON.stringify(machine, null, 2) + '\n' : `Added ${machine.displayName} (id ${machine.id}).\n`,
  );
  return EXIT.ok;
}

async function importFile(core: Core, file: string | undefined, v: Values, io: CliIo): Promise<number> {
  if (!file) throw new UsageError('machines import needs a FILE');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`Cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`, {
      cause: err,
    });
  }
  const format = (v.format ?? guessImportFormat(path.basename(file), text)) as ImportFormat | null;
  if (!format)
    throw new UsageError(
      `Cannot tell the format of ${file}; pass --format csv|ssh-config|ansible-ini|ansible-yaml`,
    );
  const policy = (v['on-duplicate'] ?? 'skip') as DuplicatePolicy;
  if (policy !== 'skip' && policy !== 'merge') throw new UsageError('--on-duplicate must be skip or merge');
  const preview = await call(core, 'import.preview', { format, text });
  if (preview.fatal) throw new ApiError({ code: 'invalid', message: `${file}: ${preview.fatal}` });
  if (v['dry-run']) {
    io.stdout(v.json ? JSON.stringify(preview, null, 2) + '\n' : formatImportPreview(preview));
    return EXIT.ok;
  }
  const result = await call(core, 'import.commit', { format, text, onDuplicate: policy });
  // Only the rows that need attention: a 10,000-row import should not print 10,000 rows back.
  const problems = preview.rows.filter((r) => r.errors.length > 0 || r.duplicateOf || r.warnings.length > 0);
  if (v.json) io.stdout(JSON.stringify({ ...result, problems, skipped: preview.skipped }, null, 2) + '\n');
  else {
    io.stdout(formatImportPreview(preview));
    io.stdout(
      `Imported ${result.created} new, merged ${result.merged}, skipped ${result.skippedDuplicates} duplicates ` +
        `and ${result.skippedInvalid} rows with errors.\n`,
    );
  }
  return EXIT.ok;
}

async function exportCsv(core: Core, v: Values, io: CliIo): Promise<number> {
  const { csv, count } = await call(core, 'machines.exportCsv', { filter: await filterFrom(core, v) });
  if (v.out) {
    fs.writeFileSync(v.out, csv);
    io.stderr(`Wrote ${count} machines to ${v.out}\n`);
  } else io.stdout(csv);
  return EXIT.ok;
}

async function scan(core: Core, v: Values, io: CliIo): Promise<number> {
  const filter = await filterFrom(core, v);
  let machineIds: number[] | undefined;
  if (v.machine) {
    machineIds = (await resolveMachines(core, v.machine)).map((m) => m.id);
  }
  return runScan(
    core,
    {
      filter,
      ...(machineIds ? { machineIds } : {}),
      trustNewHostKeys: v['trust-new-host-keys'] ?? false,
      refreshLists: v['refresh-lists'] ?? false,
      json: v.json ?? false,
    },
    io,
  );
}

/** Runs the CLI; returns the exit code instead of exiting so tests can call it in-process. */
export async function runCli(
  argv: string[],
  io: CliIo,
  openCore = openNodeCore,
  stopSignal: StopSignal = processStopSignal,
): Promise<number> {
  let parsed;
  try {
    refuseSecretsInArgv(argv);
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    io.stderr(`patchbay: ${(err as Error).message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const { values: v, positionals } = parsed;
  const [area, command, ...rest] = positionals;
  if (v.help || !area) {
    io.stdout(USAGE);
    return v.help ? EXIT.ok : EXIT.usage;
  }
  const isVerb = VERBS.has(area) && command === undefined;
  const known = COMMANDS[area];
  if (known && !known.includes(command ?? '')) {
    const what = command === undefined ? 'needs a command' : `has no command "${command}"`;
    io.stderr(`patchbay: \`patchbay ${area}\` ${what}: ${known.join(', ')}. See \`patchbay --help\`.\n`);
    return EXIT.usage;
  }
  if (!isVerb && !COMMANDS[area]?.includes(command ?? '')) {
    io.stderr(`patchbay: unknown command "${positionals.join(' ')}"\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (area === 'evidence' && command === 'verify') {
    try {
      return runEvidenceVerify(rest[0], v, io);
    } catch (err) {
      io.stderr(`patchbay: ${err instanceof Error ? err.message : String(err)}\n`);
      return err instanceof UsageError ? EXIT.usage : EXIT.failed;
    }
  }
  if (area === 'run') {
    // The one long-running command: rollouts resume here and the plan runner starts once its lines print.
    const dataDir = resolveDataDir(v['data-dir']);
    try {
      return await runUnattended(openCore(dataDir, 'browser'), dataDir, io, stopSignal);
    } catch (err) {
      io.stderr(`patchbay: ${err instanceof Error ? err.message : String(err)}\n`);
      return EXIT.failed;
    }
  }
  let core: Core | null = null;
  try {
    // A one-shot command must not pick up the app's running rollouts (it would drop them on exit):
    // `rollout start` on a running rollout resumes it explicitly, in the foreground.
    core = openCore(resolveDataDir(v['data-dir']), 'browser', { resumeRollouts: false });
    if (area === 'scan') return await scan(core, v, io);
    if (area === 'approve' || area === 'decline' || area === 'unapprove') {
      await runDecision(core, area, v, io.stdout);
      return EXIT.ok;
    }
    if (area === 'audit') return await runAudit(core, command ?? '', v, io);
    if (area === 'evidence') return await runEvidenceExport(core, v, io);
    if (area === 'notifications') return await runNotifications(core, command ?? '', v, io);
    if (area === 'fix-first') return await runFixFirst(core, v, io);
    if (area === 'report') return await runReport(core, v, io);
    if (area === 'sla') return await runSla(core, command ?? '', v, io);
    if (area === 'vuln') return await runVuln(core, command ?? '', v, io);
    if (area === 'compliance') return await runCompliance(core, v, io);
    if (area === 'credentials') return await runCredentials(core, command ?? '', rest, v, io);
    if (area === 'rollout') return await runRollout(core, command ?? '', rest, v, io);
    if (area === 'plan') return await runPlan(core, command ?? '', rest, v, io);
    if (area === 'window') return await runWindow(core, command ?? '', rest, v, io);
    if (area === 'rules') return await runRules(core, command ?? '', rest, v, io);
    if (area === 'patches') {
      const filter = await filterFrom(core, v);
      const opts = { filter, securityOnly: v.security ?? false, json: v.json ?? false };
      await listPatches(core, v.machine ? { ...opts, machines: v.machine } : opts, io.stdout);
      return EXIT.ok;
    }
    switch (command) {
      case 'show':
        if (!rest[0]) throw new UsageError('machines show needs a machine NAME or ID');
        await showMachine(core, rest[0], v.json ?? false, io.stdout);
        return EXIT.ok;
      case 'list':
        return await list(core, v, io);
      case 'add':
        return await add(core, v, io);
      case 'import':
        return await importFile(core, rest[0], v, io);
      default:
        return await exportCsv(core, v, io);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`patchbay: ${err.message}\n`);
      return EXIT.usage;
    }
    const fields = err instanceof ApiError && err.fields?.length ? err.fields : [];
    io.stderr(`patchbay: ${err instanceof Error ? err.message : String(err)}\n`);
    for (const f of fields.slice(1)) io.stderr(`  ${f.path}: ${f.message}\n`);
    return EXIT.failed;
  } finally {
    await core?.close();
  }
}
