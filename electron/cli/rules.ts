/**
 * `patchbay rules …`: auto-approval rules through the same requests as the Rules section of the Patches
 * page (the CLI never reaches into services). Errors are the requests' own words.
 */
import type {
  ApprovalRule,
  RuleClassification,
  RuleDefinition,
  RuleEvaluation,
  RuleScope,
} from '../../shared/rules';
import { ApiError } from '../../shared/wire';
import type { Core } from '../core/create-core';
import { call, UsageError } from './call';

/** Options `patchbay rules` reads. */
export interface RulesCliOptions {
  name?: string | undefined;
  all?: boolean | undefined;
  client?: string[] | undefined;
  group?: string | undefined;
  security?: boolean | undefined;
  severity?: string[] | undefined;
  classification?: string[] | undefined;
  pm?: string | undefined;
  pattern?: string | undefined;
  pilot?: string | undefined;
  'after-days'?: string | undefined;
  json?: boolean | undefined;
}

type Io = { stdout: (s: string) => void; stderr: (s: string) => void };

const json = (x: unknown) => JSON.stringify(x, null, 2) + '\n';

async function groupId(core: Core, name: string): Promise<number> {
  const groups = await call(core, 'groups.list', {});
  const g = groups.find((x) => x.name.toLowerCase() === name.toLowerCase());
  if (!g)
    throw new UsageError(
      `No group named "${name}". Groups: ${groups.map((x) => x.name).join(', ') || 'none'}`,
    );
  return g.id;
}

/** A rule definition from the command line (the request's schema checks the rest). */
async function definitionFrom(core: Core, o: RulesCliOptions): Promise<RuleDefinition> {
  if (!o.name) throw new UsageError('name the rule: --name "Security fixes: pilot at once"');
  const scopes = [o.all, o.client, o.group].filter((x) => x !== undefined).length;
  if (scopes !== 1) throw new UsageError('Give exactly one scope: --all, --client C or --group G.');
  if ((o.client?.length ?? 0) > 1)
    throw new UsageError('A rule approves for one client: give --client once.');
  const scope: RuleScope = o.all
    ? { kind: 'all' }
    : o.group !== undefined
      ? { kind: 'group', groupId: await groupId(core, o.group) }
      : { kind: 'client', client: o.client?.[0] ?? '' };
  if ((o.pilot === undefined) !== (o['after-days'] === undefined))
    throw new UsageError('A soak needs both --pilot GROUP and --after-days N.');
  let soak: RuleDefinition['soak'] = null;
  if (o.pilot !== undefined) {
    const days = Number(o['after-days']);
    if (!/^\d+$/.test(o['after-days'] ?? '') || days > 365)
      throw new UsageError('--after-days takes a whole number of days, 0 to 365.');
    soak = { groupId: await groupId(core, o.pilot), days };
  }
  const split = (xs: string[] | undefined) =>
    xs
      ?.flatMap((x) => x.split(','))
      .map((x) => x.trim())
      .filter(Boolean);
  return {
    name: o.name,
    match: {
      ...(o.security ? { securityOnly: true } : {}),
      ...(o.severity ? { severities: split(o.severity) } : {}),
      ...(o.classification ? { classifications: split(o.classification) as RuleClassification[] } : {}),
      ...(o.pm ? { packageManagers: split([o.pm]) } : {}),
      ...(o.pattern !== undefined ? { namePattern: o.pattern } : {}),
    },
    scope,
    soak,
  };
}

async function findRule(core: Core, ref: string | undefined): Promise<ApprovalRule> {
  if (!ref) throw new UsageError('name the rule: patchbay rules <command> NAME|ID');
  const rules = await call(core, 'rules.list', {});
  const r =
    rules.find((x) => x.name.toLowerCase() === ref.toLowerCase()) ?? rules.find((x) => String(x.id) === ref);
  if (!r) throw new ApiError({ code: 'not-found', message: `No rule named or numbered "${ref}".` });
  return r;
}

function matchText(r: RuleDefinition): string {
  const m = r.match;
  const parts = [
    m.securityOnly ? 'security fixes' : '',
    m.severities ? `severity ${m.severities.join('/')}` : '',
    m.classifications ? `classification ${m.classifications.join('/')}` : '',
    m.packageManagers ? m.packageManagers.join('/') : '',
    m.namePattern ? `named ${m.namePattern}` : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'every pending patch';
}

const ruleLine = (r: ApprovalRule) =>
  `${String(r.id).padStart(4)}  ${r.enabled ? 'enabled ' : 'disabled'}  ${r.name}  —  ${matchText(r)}; ` +
  `${r.scopeLabel}, ${r.soakLabel}; ${r.approvals} approved so far\n`;

function evaluationText(e: RuleEvaluation, verb: string): string {
  const lines: string[] = [];
  for (const a of e.approvals) {
    const names = a.machines.map((m) => m.name);
    const shown = names.slice(0, 8).join(', ') + (names.length > 8 ? `, … (${names.length})` : '');
    lines.push(
      `${verb} ${a.ref.packageManager} ${a.ref.name} ${a.ref.version} for ${a.scopeLabel} (rule "${a.ruleName}"): ${shown}`,
    );
  }
  for (const h of e.held)
    lines.push(
      `held   ${h.ref.packageManager} ${h.ref.name} ${h.ref.version} (rule "${h.ruleName}"): ${h.reason}`,
    );
  if (lines.length === 0) lines.push('Nothing pending matches.');
  return lines.join('\n') + '\n';
}

/** Runs `patchbay rules <command>`. */
export async function runRules(
  core: Core,
  command: string,
  rest: string[],
  o: RulesCliOptions,
  io: Io,
): Promise<number> {
  switch (command) {
    case 'list': {
      const rules = await call(core, 'rules.list', {});
      io.stdout(o.json ? json(rules) : rules.length > 0 ? rules.map(ruleLine).join('') : 'No rules yet.\n');
      return 0;
    }
    case 'add': {
      const rule = await call(core, 'rules.add', { definition: await definitionFrom(core, o) });
      io.stdout(o.json ? json(rule) : `Added:\n${ruleLine(rule)}`);
      return 0;
    }
    case 'remove': {
      const rule = await findRule(core, rest[0]);
      await call(core, 'rules.remove', { id: rule.id });
      io.stdout(
        o.json
          ? json({ removed: 1, id: rule.id })
          : `Removed rule "${rule.name}" (its ${rule.approvals} approvals stay).\n`,
      );
      return 0;
    }
    case 'enable':
    case 'disable': {
      const rule = await findRule(core, rest[0]);
      const r = await call(core, 'rules.enable', { id: rule.id, enabled: command === 'enable' });
      io.stdout(o.json ? json(r) : ruleLine(r));
      return 0;
    }
    case 'test': {
      const req = rest[0]
        ? { id: (await findRule(core, rest[0])).id }
        : { definition: await definitionFrom(core, o) };
      const e = await call(core, 'rules.test', req);
      io.stdout(o.json ? json(e) : evaluationText(e, 'would approve'));
      return 0;
    }
    default: {
      const e = await call(core, 'rules.apply', {});
      io.stdout(o.json ? json(e) : evaluationText(e, 'approved'));
      return 0;
    }
  }
}
