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
import { runCredentials } from './credentials';
import { runEvidenceExport, runEvidenceVerify } from './evidence';
import { formatImportPreview, formatMachineTable } from './format';
import { runNotifications } from './notifications';
import { listPatches, showMachine } from './patches';
import { runPlan, runWindow } from './plans';
import { resolveMachines } from './resolve';
import { runFixFirst, runSla, runVuln } from './risk';
import { runRollout } from './rollout';
import { processStopSignal, runUnattended, type StopSignal } from './run';
import { runScan } from './scan';
import { refuseSecretsInArgv } from './secret-input';

/** Where the CLI writes; tests pass buffers. */
export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

/** Exit codes scripts can rely on. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const USAGE = `Usage: patchbay [--data-dir DIR] machines <command> [options]
       patchbay [--data-dir DIR] scan [options]
       patchbay [--data-dir DIR] patches list [options]
       patchbay [--data-dir DIR] credentials <command> [options]
       patchbay [--data-dir DIR] rollout <command> [options]
       patchbay [--data-dir DIR] approve|decline|unapprove SCOPE [filters] [options]
       patchbay [--data-dir DIR] audit list|export|verify [options]
       patchbay [--data-dir DIR] evidence export|verify [options]
       patchbay [--data-dir DIR] notifications show|set|test [options]
       patchbay [--data-dir DIR] plan|window <command> [options]
       patchbay [--data-dir DIR] run

Commands:
  machines list    [--search TEXT] [--tag T]... [--client C]... [--site S]... [--os OS]...
                   [--group NAME] [--sort name|address|os|client|site|updated] [--desc] [--json]
  machines add     --address A --user U [--name N] [--port P] [--transport ssh|winrm]
                   [--tags "a,b"] [--client C] [--site S] [--notes TEXT] [--proxy-jump J] [--json]
                   [--winrm-https [--winrm-basic]]  WinRM over HTTPS (5986, certificate pinned on
                   first scan), optionally Basic instead of NTLM. Kerberos is not supported.
  machines import  FILE [--format csv|ssh-config|ansible-ini|ansible-yaml]
                   [--on-duplicate skip|merge] [--dry-run] [--json]
  machines export  [--out FILE] [the list filters]
  machines show    NAME|ID [--json]
                   OS, last scan, EOL, warnings, reboot reasons, held packages, removals and
                   the missing patches (installed → candidate, security, held).
  patches list     [--machine NAME|ID]... [the list filters] [--security] [--json]
                   Per machine with --machine; otherwise by package across the selected machines.
  credentials list [--json]                   Never prints secrets, only which ones are stored.
  credentials add  NAME --kind ssh-key|ssh-password|ssh-agent|winrm-password
                   [--key-file FILE | --key-path PATH] [--passphrase] [--sudo-password]
                   [--password-stdin] [--json]
                   Secrets are asked for at a prompt (not echoed). --password-stdin reads them from
                   stdin instead, one per line in this order: password, key passphrase, sudo
                   password. --key-file stores the private key read from FILE; --key-path only
                   remembers where the key is. Secrets are never accepted as arguments.
  credentials remove NAME|ID
  credentials assign NAME|ID|none --machine NAME|ID [--machine …]
  scan             [--machine NAME|ID]... [--group NAME] [the list filters]
                   [--trust-new-host-keys] [--refresh-lists] [--json]
                   Progress goes to stderr, the summary to stdout; Ctrl+C cancels.
  rollout create   --machine NAME|ID... | --group NAME | --client C
                   [--security | --pm PM (--package NAME[=VERSION] | --advisory ID)...]
                   [--concurrency N] [--max-failures N|N%] [--reboot never|if-required|always]
                   [--reboot-wait MIN] [--host-time-limit MIN] [--name N] [--json]
                   Only approved patches are ever installed (see \`patchbay approve\`): a named
                   package or advisory (dnf, yum, zypper) not approved on a host is left out there,
                   and the review says so.
  rollout review   ID [--json]      Runs each host's own dry run; shows upgrades, installs, REMOVALS.
  rollout start    ID [--confirm-removals] [--detach] [--json]
                   Runs in the foreground (progress on stderr); Ctrl+C cancels: no new hosts
                   start, running installs finish. Starting a running rollout resumes it.
  rollout status   ID [--follow] [--json]
  rollout pause    ID [--json]     No new hosts start; hosts already working finish theirs. Stays
                   paused (a restart too) until resumed.
  rollout resume   ID [--detach] [--json]   Continues with the waiting hosts (in the foreground).
  rollout cancel   ID               Works on a paused rollout too.
  rollout retry    ID [--include-cancelled] [--json]
                   A new rollout of a finished one's failed hosts (with --include-cancelled also
                   the cancelled and skipped ones), same content and options; review it as usual.
  rollout list     [--json]

  approve          --all | --client C | --group G | --machine M     (exactly one scope)
                   [--security] [--package NAME[=VERSION]]... [--advisory ID]... [--pm apt|dnf|…]
                   [--note TEXT] [--json]
                   Decides the patches pending on the scope's machines (a named version or
                   advisory may be decided before it is pending). The narrowest scope wins;
                   at the same scope a decline wins.
  decline          the same, with --reason TEXT (required; shown wherever the patch appears)
  unapprove        the same scope and filters: removes the decision made at exactly that scope
  audit list       [--action decision|rollout|…] [--limit N] [--json]   newest first
  audit export     --csv [--out FILE]
  audit verify     [--json]   checks the hash chain; exit 4 names the first broken entry
  evidence export  --rollout ID|NAME --out FILE.zip [--force] [--json]
                   The rollout's evidence pack: approvals, scans, reviewed plans, pre-flight, logs,
                   outcomes, verification and the audit span, with a manifest and SHA256SUMS.
  evidence verify  FILE.zip [--json]   Needs no data folder; exit 5 with one line per problem.
  notifications show [--json]
  notifications set  [--desktop on|off] [--webhook on|off|remove] [--format auto|slack|teams]
                   [--webhook-url [--password-stdin]] [--json]
                   --webhook-url asks for the URL (its path is a secret) or reads one line from
                   stdin with --password-stdin; it is stored sealed and never printed again.
  notifications test [--json]   one test notification to the desktop and the webhook; exit 1
                   when the webhook refused it
  plan list        [--json]   each plan's schedule and next run in words, rings, enabled
  plan show        NAME [--count N] [--json]   next runs, each ring's machines and their windows
  plan create      --file plan.json [--enable] [--json]   (the Plans page's JSON; checked first)
  plan update      NAME --file plan.json [--json]
  plan delete|enable|disable NAME [--json]
  plan next        NAME [--count N] [--json]   the next N runs (default 5)
  plan runs        [NAME] [--limit N] [--json]   plan runs, newest first: state, ring, batch, why
  plan promote     RUN_ID [--note TEXT] [--json]   at a gate (or after a gate halted it): the next
                   ring starts now. The Patchbay process driving the run (the app, \`patchbay run\`) acts.
  plan halt        RUN_ID [--note TEXT] [--json]   nothing new starts; running installs finish
  run              Drives the enabled plans unattended (see README, "Running plans unattended"):
                   one line per plan-run transition on stdout; SIGINT/SIGTERM stops it (exit 0).
  window list      [--client C [--site S] | --group G | --machine M] [--json]
  window add       --client C [--site S] | --group G | --machine M  --zone ZONE
                   --weekly "Sat 22:00-Sun 04:00" | --once 2025-03-01T22:00/2025-03-02T04:00
                   The narrowest level with a window decides for a machine (machine > group >
                   site > client); a machine with no window anywhere is never restricted.
  window remove    ID [--json]
  fix-first        [--client C] [--overdue] [--limit N] [--json]
                   Missing security fixes, riskiest first, with reasons, due day and data age.
  sla show         [--json]   SLA days by severity: the default and each client's own
  sla set          [--client C] [--critical N] [--high N] [--medium N] [--low N] [--remove] [--json]
                   Days from first seen ("none" = no deadline); no --client = the default;
                   --remove makes the client follow the default again. KEV fixes: CISA's date.
  vuln status      [--json]   How old the KEV, EPSS and Debian tracker data is
  vuln update      [--json]   Downloads the feeds; a bad download keeps the previous copy (exit 1)

The data folder is --data-dir, else $PATCHBAY_DATA_DIR, else the desktop app's own folder.
Exit codes: 0 done, 1 failed (message on stderr), 2 wrong usage, 3 scan finished but some
machines could not be scanned or a rollout ended with hosts not fully patched, 4 the audit
log's hash chain is broken, 5 an evidence pack does not verify.
`;

const SORT_KEYS: Record<string, MachineSortKey> = {
  name: 'displayName',
  address: 'address',
  os: 'os',
  client: 'client',
  site: 'site',
  updated: 'updatedAt',
};

const OPTIONS = {
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  search: { type: 'string' },
  tag: { type: 'string', multiple: true },
  client: { type: 'string', multiple: true },
  site: { type: 'string', multiple: true },
  os: { type: 'string', multiple: true },
  group: { type: 'string' },
  sort: { type: 'string' },
  desc: { type: 'boolean' },
  name: { type: 'string' },
  address: { type: 'string' },
  port: { type: 'string' },
  transport: { type: 'string' },
  user: { type: 'string' },
  tags: { type: 'string' },
  notes: { type: 'string' },
  'proxy-jump': { type: 'string' },
  'winrm-https': { type: 'boolean' },
  'winrm-basic': { type: 'boolean' },
  format: { type: 'string' },
  'on-duplicate': { type: 'string' },
  'dry-run': { type: 'boolean' },
  out: { type: 'string' },
  machine: { type: 'string', multiple: true },
  'trust-new-host-keys': { type: 'boolean' },
  'refresh-lists': { type: 'boolean' },
  security: { type: 'boolean' },
  kind: { type: 'string' },
  'key-file': { type: 'string' },
  'key-path': { type: 'string' },
  passphrase: { type: 'boolean' },
  'sudo-password': { type: 'boolean' },
  'password-stdin': { type: 'boolean' },
  all: { type: 'boolean' },
  package: { type: 'string', multiple: true },
  advisory: { type: 'string', multiple: true },
  pm: { type: 'string' },
  note: { type: 'string' },
  reason: { type: 'string' },
  action: { type: 'string' },
  limit: { type: 'string' },
  csv: { type: 'boolean' },
  concurrency: { type: 'string' },
  'max-failures': { type: 'string' },
  reboot: { type: 'string' },
  'reboot-wait': { type: 'string' },
  'host-time-limit': { type: 'string' },
  'confirm-removals': { type: 'boolean' },
  detach: { type: 'boolean' },
  follow: { type: 'boolean' },
  // Issue 9 (HEALTH): notifications.
  desktop: { type: 'string' },
  webhook: { type: 'string' },
  'webhook-url': { type: 'boolean' },
  'include-cancelled': { type: 'boolean' },
  rollout: { type: 'string' },
  force: { type: 'boolean' },
  file: { type: 'string' },
  count: { type: 'string' },
  enable: { type: 'boolean' },
  weekly: { type: 'string' },
  once: { type: 'string' },
  zone: { type: 'string' },
  overdue: { type: 'boolean' },
  critical: { type: 'string' },
  high: { type: 'string' },
  medium: { type: 'string' },
  low: { type: 'string' },
  remove: { type: 'boolean' },
} as const;

const COMMANDS: Record<string, string[]> = {
  machines: ['list', 'add', 'import', 'export', 'show'],
  patches: ['list'],
  credentials: ['add', 'list', 'remove', 'assign'],
  rollout: ['create', 'review', 'start', 'status', 'pause', 'resume', 'cancel', 'retry', 'list'],
  audit: ['list', 'export', 'verify'],
  evidence: ['export', 'verify'],
  notifications: ['show', 'set', 'test'],
  plan: [
    'list',
    'show',
    'create',
    'update',
    'delete',
    'enable',
    'disable',
    'next',
    'runs',
    'promote',
    'halt',
  ],
  window: ['list', 'add', 'remove'],
  sla: ['show', 'set'],
  vuln: ['status', 'update'],
};

// Commands without a sub-command.
const VERBS = new Set(['scan', 'approve', 'decline', 'unapprove', 'fix-first', 'run']);

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

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
    if (area === 'sla') return await runSla(core, command ?? '', v, io);
    if (area === 'vuln') return await runVuln(core, command ?? '', v, io);
    if (area === 'credentials') return await runCredentials(core, command ?? '', rest, v, io);
    if (area === 'rollout') return await runRollout(core, command ?? '', rest, v, io);
    if (area === 'plan') return await runPlan(core, command ?? '', rest, v, io);
    if (area === 'window') return await runWindow(core, command ?? '', rest, v, io);
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
