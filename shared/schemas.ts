/** Runtime schemas for every request that crosses the IPC boundary. */
import { z } from 'zod';

import { notificationsSetSchema } from './notifications';
import { maintenanceWindowSchema, planDefinitionSchema, windowScopeSchema } from './plans';
import { checkPeriod } from './reports';
import { ruleRequestSchemas } from './rules';
import {
  boundedString,
  id,
  ids,
  rolloutContentSchema,
  rolloutOptionsSchema,
  rolloutTargetsSchema,
  rule,
} from './schema-parts';
import {
  checkAddress,
  checkDisplayName,
  checkLabel,
  checkNotes,
  checkPort,
  checkProxyJump,
  checkTag,
  checkUsername,
  LIMITS,
} from './validation';

export const transportSchema = z.enum(['ssh', 'winrm']);

export const machineInputSchema = z.strictObject({
  displayName: boundedString(LIMITS.displayName).superRefine(rule(checkDisplayName)),
  address: boundedString(LIMITS.address).superRefine(rule(checkAddress)),
  port: z.number().superRefine((v, ctx) => {
    const problem = checkPort(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  transport: transportSchema,
  username: boundedString(LIMITS.username).superRefine(rule(checkUsername)),
  credentialId: id.nullable(),
  tags: z.array(boundedString(LIMITS.tag).superRefine(rule(checkTag))).max(LIMITS.tags),
  client: boundedString(LIMITS.client).superRefine(rule((v) => checkLabel(v, LIMITS.client))),
  site: boundedString(LIMITS.site).superRefine(rule((v) => checkLabel(v, LIMITS.site))),
  notes: boundedString(LIMITS.notes).superRefine(rule(checkNotes)),
  proxyJump: boundedString(LIMITS.proxyJump).superRefine(rule(checkProxyJump)),
  winrmHttps: z.boolean().optional(),
  winrmBasic: z.boolean().optional(),
});

const labelList = z.array(boundedString(LIMITS.client)).max(1000);

export const machineFilterSchema = z.strictObject({
  text: boundedString(200).optional(),
  tags: z.array(boundedString(LIMITS.tag)).max(LIMITS.tags).optional(),
  clients: labelList.optional(),
  sites: labelList.optional(),
  os: labelList.optional(),
  transport: transportSchema.optional(),
  groupId: id.optional(),
});

export const sortSchema = z.strictObject({
  key: z.enum([
    'displayName',
    'address',
    'os',
    'client',
    'site',
    'updatedAt',
    'missing',
    'security',
    'lastScan',
  ]),
  direction: z.enum(['asc', 'desc']),
});

const credentialKind = z.enum(['ssh-key', 'ssh-password', 'ssh-agent', 'winrm-password']);
const secret = boundedString(LIMITS.secret).optional();

export const credentialSecretsSchema = z.strictObject({
  privateKey: boundedString(LIMITS.privateKey).optional(),
  passphrase: secret,
  password: secret,
  sudoPassword: secret,
});

export const credentialInputSchema = z
  .strictObject({
    name: boundedString(LIMITS.credentialName).superRefine(rule(checkDisplayName)),
    kind: credentialKind,
    keyPath: boundedString(LIMITS.keyPath).superRefine(rule((v) => checkLabel(v, LIMITS.keyPath))),
    secrets: credentialSecretsSchema,
  })
  .superRefine((c, ctx) => {
    const s = c.secrets;
    if (c.kind === 'ssh-key' && !c.keyPath && !s.privateKey) {
      ctx.addIssue({
        code: 'custom',
        path: ['keyPath'],
        message: 'give the path of a private key file or paste the key',
      });
    }
    if (c.kind === 'ssh-key' && s.privateKey && !/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(s.privateKey)) {
      ctx.addIssue({
        code: 'custom',
        path: ['secrets', 'privateKey'],
        message: 'does not look like a private key (expected a "-----BEGIN … PRIVATE KEY-----" block)',
      });
    }
    if ((c.kind === 'ssh-password' || c.kind === 'winrm-password') && !s.password) {
      ctx.addIssue({ code: 'custom', path: ['secrets', 'password'], message: 'is required' });
    }
  });

export const importFormatSchema = z.enum(['csv', 'ssh-config', 'ansible-ini', 'ansible-yaml']);

export const importRequestSchema = z.strictObject({
  format: importFormatSchema,
  text: z.string().max(LIMITS.importText, `the file is larger than ${LIMITS.importText / 1024 / 1024} MB`),
  mapping: z
    .record(
      boundedString(200),
      z
        .enum([
          'displayName',
          'address',
          'port',
          'transport',
          'username',
          'tags',
          'client',
          'site',
          'notes',
          'proxyJump',
          'winrmHttps',
          'winrmBasic',
        ])
        .nullable(),
    )
    .optional(),
  /** Credential given to every imported machine (optional). */
  credentialId: id.nullable().optional(),
});

export const groupFilterSchema = machineFilterSchema.omit({ groupId: true });

// Names, versions and advisory ids are stored and compared, never run: printable text, bounded.
const patchText = boundedString(300)
  .min(1, 'is required')
  .superRefine(rule((v) => checkLabel(v, 300)));
const packageManager = z.string().regex(/^[a-z]{2,12}$/, 'must name a package manager (apt, dnf, …)');

export const patchRefSchema = z.strictObject({
  packageManager,
  kind: z.enum(['package', 'advisory']),
  name: patchText,
  version: z.union([patchText, z.literal('')]),
});

export const decisionScopeSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('all') }),
  z.strictObject({
    kind: z.literal('client'),
    client: boundedString(LIMITS.client).superRefine(rule((v) => checkLabel(v, LIMITS.client))),
  }),
  z.strictObject({ kind: z.literal('group'), groupId: id }),
  z.strictObject({ kind: z.literal('machine'), machineId: id }),
]);

export const patchSelectionSchema = z.strictObject({
  machineIds: ids.optional(),
  filter: machineFilterSchema.optional(),
  packageManager: packageManager.optional(),
  names: z.array(patchText).min(1).max(10_000).optional(),
  version: patchText.optional(),
  securityOnly: z.boolean().optional(),
  advisories: z.array(patchText).min(1).max(1000).optional(),
  refs: z.array(patchRefSchema).min(1).max(100_000).optional(),
});

const noteText = boundedString(LIMITS.notes).superRefine(rule(checkNotes));

/** A rollout's targets, content and options as a request gives them (options default per field). */
const slaDay = z.number().int().min(0).max(3650).nullable();
/** Days to fix by severity (null = no deadline), 0–3650. */
export const slaDaysSchema = z.strictObject({ critical: slaDay, high: slaDay, medium: slaDay, low: slaDay });

export const rolloutCreateSchema = z.strictObject({
  name: boundedString(LIMITS.displayName).optional(),
  targets: rolloutTargetsSchema,
  content: rolloutContentSchema,
  options: rolloutOptionsSchema.optional(),
});

/** A report's scope and period (issue 11): a client (null = the whole fleet), two YYYY-MM-DD days. */
const reportRequestSchema = z
  .strictObject({
    client: boundedString(LIMITS.client).min(1).nullable(),
    from: z.string().max(20),
    to: z.string().max(20),
  })
  .superRefine((v, ctx) => {
    const problem = checkPeriod(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['from'] });
  });

/** Compliance reads: the fleet (no name), a client or a site by name; days back, today included. */
export const complianceArgs = z
  .strictObject({
    scope: z.enum(['fleet', 'client', 'site']),
    name: boundedString(LIMITS.client).optional(),
    days: z.number().int().min(1).max(365),
  })
  .superRefine((v, ctx) => {
    if (v.scope !== 'fleet' && !v.name?.trim())
      ctx.addIssue({ code: 'custom', path: ['name'], message: `name the ${v.scope}` });
  });

/** Request schemas by channel: the main process and the browser host validate with these. */
export const requestSchemas = {
  'app.info': z.strictObject({}),
  'machines.list': z.strictObject({
    filter: machineFilterSchema,
    sort: sortSchema,
    /** A window of the result (the table fetches what is on screen); absent: every match. */
    page: z
      .strictObject({ offset: z.number().int().min(0), limit: z.number().int().min(1).max(5000) })
      .optional(),
    /** Also answer every match's id in order (cheap), so a paged table can select all and by range. */
    withIds: z.boolean().optional(),
  }),
  'machines.get': z.strictObject({ id }),
  'machines.create': z.strictObject({ machine: machineInputSchema }),
  'machines.update': z.strictObject({ id, machine: machineInputSchema }),
  'machines.delete': z.strictObject({ ids }),
  'machines.editTags': z.strictObject({
    ids,
    add: z.array(boundedString(LIMITS.tag).superRefine(rule(checkTag))).max(LIMITS.tags),
    remove: z.array(boundedString(LIMITS.tag)).max(LIMITS.tags),
  }),
  'machines.facets': z.strictObject({}),
  'machines.summary': z.strictObject({}),
  'machines.exportCsv': z.strictObject({ filter: machineFilterSchema }),
  'groups.list': z.strictObject({}),
  'groups.save': z.strictObject({
    id: id.optional(),
    name: boundedString(LIMITS.displayName).superRefine(rule(checkDisplayName)),
    filter: groupFilterSchema,
  }),
  'groups.delete': z.strictObject({ id }),
  'credentials.list': z.strictObject({}),
  'credentials.create': z.strictObject({ credential: credentialInputSchema }),
  'credentials.delete': z.strictObject({ id }),
  'import.preview': importRequestSchema,
  'scan.start': z.strictObject({
    /** Explicit machines, or every machine matching a filter (a group, or {} for all). */
    machineIds: ids.optional(),
    filter: machineFilterSchema.optional(),
    trustNewHostKeys: z.boolean().optional(),
    /** Refresh the package lists first (apt-get update as root). */
    refreshLists: z.boolean().optional(),
  }),
  'scan.cancel': z.strictObject({ jobId: z.string().uuid() }),
  'jobs.active': z.strictObject({}),
  'scan.trustHostKey': z.strictObject({ resultId: id }),
  'machines.scanDetails': z.strictObject({ id }),
  'hostKeys.list': z.strictObject({}),
  'hostKeys.forget': z.strictObject({
    address: boundedString(LIMITS.address).superRefine(rule(checkAddress)),
    port: z.number().int().min(1).max(65535),
  }),
  'hostKeys.importKnownHosts': z.strictObject({
    text: z.string().max(LIMITS.importText, `the file is larger than ${LIMITS.importText / 1024 / 1024} MB`),
  }),
  'patches.fleet': z.strictObject({ filter: machineFilterSchema }),
  'decisions.list': z.strictObject({
    packageManager: packageManager.optional(),
    name: patchText.optional(),
    decision: z.enum(['approved', 'declined']).optional(),
  }),
  'decisions.decide': z.strictObject({
    select: patchSelectionSchema,
    scope: decisionScopeSchema,
    decision: z.enum(['approved', 'declined']),
    note: noteText.optional(),
    /** Required (non-empty) for a decline; the service says so in words. */
    reason: noteText.optional(),
  }),
  'decisions.unapprove': z.strictObject({ select: patchSelectionSchema, scope: decisionScopeSchema }),
  'audit.list': z.strictObject({
    action: boundedString(100).optional(),
    offset: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).max(5000).optional(),
  }),
  'audit.exportCsv': z.strictObject({}),
  'audit.verify': z.strictObject({}),
  'settings.operator': z.strictObject({}),
  'settings.setOperator': z.strictObject({
    name: boundedString(LIMITS.displayName).superRefine(rule((v) => checkLabel(v, LIMITS.displayName))),
  }),
  'import.commit': importRequestSchema.extend({ onDuplicate: z.enum(['skip', 'merge']) }),
  'rollouts.create': rolloutCreateSchema,
  'rollouts.review': z.strictObject({ id }),
  'rollouts.start': z.strictObject({ id, confirmRemovals: z.boolean().optional() }),
  'rollouts.cancel': z.strictObject({ id }),
  'rollouts.pause': z.strictObject({ id }),
  'rollouts.resume': z.strictObject({ id }),
  'rollouts.retry': z.strictObject({ id, includeCancelled: z.boolean().optional() }),
  'rollouts.get': z.strictObject({ id }),
  'rollouts.list': z.strictObject({ limit: z.number().int().min(1).max(1000).optional() }),
  'rollouts.output': z.strictObject({
    id,
    machineId: id,
    afterId: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).max(10_000).optional(),
  }),
  'rollouts.evidence': z.strictObject({ id }),
  // Issue 9 (HEALTH): notification settings and "Send test".
  'notifications.get': z.strictObject({}),
  'notifications.set': notificationsSetSchema,
  'notifications.test': z.strictObject({}),
  // Plans and maintenance windows (issue 9).
  'plans.list': z.strictObject({}),
  'plans.get': z.union([z.strictObject({ id }), z.strictObject({ name: boundedString(120).min(1) })]),
  'plans.create': z.strictObject({ definition: planDefinitionSchema, enabled: z.boolean().optional() }),
  'plans.update': z.strictObject({ id, definition: planDefinitionSchema }),
  'plans.delete': z.strictObject({ id }),
  'plans.enable': z.strictObject({ id, enabled: z.boolean() }),
  /** The draft is checked by the handler, which answers its problems as data (the form shows them live). */
  'plans.preview': z.strictObject({
    definition: z.unknown(),
    count: z.number().int().min(1).max(50).optional(),
  }),
  'windows.list': z.strictObject({
    scope: windowScopeSchema.optional(),
    client: boundedString(LIMITS.client).optional(),
  }),
  'windows.set': z.strictObject({
    scope: windowScopeSchema,
    windows: z.array(maintenanceWindowSchema).max(50, { error: 'at most 50 windows per scope' }),
  }),
  'windows.remove': z.strictObject({ id }),
  'windows.calendar': z.strictObject({ days: z.number().int().min(1).max(90).optional() }),
  // Plan runs (issue 9): the runner's runs, promote and halt.
  'plans.runs': z.strictObject({ planId: id.optional(), limit: z.number().int().min(1).max(500).optional() }),
  'plans.run': z.strictObject({ id }),
  'plans.promote': z.strictObject({ id, note: noteText.optional() }),
  'plans.halt': z.strictObject({ id, note: noteText.optional() }),
  // Issue 11: risk, SLA policies, vulnerability data.
  'risk.fixFirst': z.strictObject({
    client: boundedString(LIMITS.client).optional(),
    machineId: id.optional(),
    overdue: z.boolean().optional(),
    offset: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).max(1000).optional(),
  }),
  'risk.summary': z.strictObject({}),
  'risk.overdueByMachine': z.strictObject({ ids: z.array(id).max(1000) }),
  'risk.overdueContent': z.strictObject({ client: boundedString(LIMITS.client) }),
  'sla.get': z.strictObject({}),
  'sla.set': z.strictObject({
    /** '' = the default policy. */
    client: boundedString(LIMITS.client).superRefine(rule((v) => (v ? checkLabel(v, LIMITS.client) : null))),
    /** null removes a client's own policy (it follows the default again). */
    days: slaDaysSchema.nullable(),
  }),
  'vuln.status': z.strictObject({}),
  'vuln.update': z.strictObject({}),
  // Issue 11: client and fleet reports.
  'reports.get': reportRequestSchema,
  'reports.csv': reportRequestSchema,
  'reports.pdf': reportRequestSchema,
  // Issue 9: auto-approval rules (shared/rules.ts).
  ...ruleRequestSchemas,
  // Compliance over time (issue 11): a scope, and how many days back (today included).
  'compliance.trend': complianceArgs,
  'compliance.mttr': complianceArgs,
} as const;
