/**
 * Auto-approval rules (issue 9): which pending patches Patchbay approves by itself, where, and after how
 * long a soak in a pilot group. Plain data and zod schemas; the evaluation lives in electron/rules.
 */
import { z } from 'zod';

import type { PatchRef } from './decisions';
import { boundedString, id } from './schema-parts';
import { checkLabel, LIMITS } from './validation';

/** Classifications a rule can name: Windows Update's own, and security / update for every other system. */
export const RULE_CLASSIFICATIONS = [
  'security',
  'critical',
  'definition',
  'update-rollup',
  'feature-pack',
  'driver',
  'update',
  'service-pack',
  'tool',
  'upgrade',
  'other',
] as const;

/** A classification id (see RULE_CLASSIFICATIONS). */
export type RuleClassification = (typeof RULE_CLASSIFICATIONS)[number];

/** Where a rule approves: a decision scope, never a single machine (that is a person's call). */
export type RuleScope =
  { kind: 'all' } | { kind: 'client'; client: string } | { kind: 'group'; groupId: number };

/** What a rule matches; every field given must hold (an empty match matches every pending patch). */
export interface RuleMatch {
  /** Only security fixes (the security version is approved when a newer non-security candidate exists). */
  securityOnly?: boolean;
  /** Severities as the package manager reports them (Critical, Important…), compared ignoring case. */
  severities?: string[];
  classifications?: RuleClassification[];
  /** apt, dnf, zypper, pacman, apk, brew, softwareupdate, wua… */
  packageManagers?: string[];
  /** A glob over the package name (or the Windows KB): `*` any run of characters, `?` one; case-insensitive. */
  namePattern?: string;
}

/** A rule as a technician writes it. */
export interface RuleDefinition {
  name: string;
  match: RuleMatch;
  scope: RuleScope;
  /**
   * Approve only once the same version has been installed in this group for `days` days without a failed
   * host (e.g. "everyone else after 7 days in pilot"); null approves at once.
   */
  soak: { groupId: number; days: number } | null;
}

/** A stored rule. */
export interface ApprovalRule extends RuleDefinition {
  id: number;
  enabled: boolean;
  createdAt: number;
  createdBy: string;
  /** The scope and soak group in words ("everywhere", "group Pilot"). */
  scopeLabel: string;
  soakLabel: string;
  /** How many approvals the rule has made so far. */
  approvals: number;
}

/** One approval a rule would make (dry run) or made (apply). */
export interface RuleApproval {
  ruleId: number | null;
  ruleName: string;
  ref: PatchRef;
  scope: RuleScope;
  scopeLabel: string;
  /** The machines of the scope on which the patch is pending and would become approved. */
  machines: { id: number; name: string }[];
}

/** A matching patch a rule does not approve (yet), and why, in words. */
export interface RuleHeld {
  ruleName: string;
  ref: PatchRef;
  reason: string;
}

/** What a dry run or an evaluation found. */
export interface RuleEvaluation {
  approvals: RuleApproval[];
  held: RuleHeld[];
}

/** Characters a name pattern may use: package-name characters plus the two wildcards. */
export const NAME_PATTERN = /^[A-Za-z0-9.+_:@~*?-]+$/;

const scopeSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('all') }),
  z.strictObject({
    kind: z.literal('client'),
    client: boundedString(LIMITS.client)
      .min(1, 'name the client')
      .refine((v) => checkLabel(v, LIMITS.client) === null, 'may not contain control characters'),
  }),
  z.strictObject({ kind: z.literal('group'), groupId: id }),
]);

const word = boundedString(40).regex(/^[A-Za-z0-9 _-]+$/, 'may use letters, digits, spaces, - and _');

/** A rule definition as requests carry it. */
export const ruleDefinitionSchema = z.strictObject({
  name: boundedString(LIMITS.displayName)
    .min(1, 'give the rule a name')
    .refine((v) => v.trim().length > 0 && checkLabel(v, LIMITS.displayName) === null, 'is not a usable name'),
  match: z.strictObject({
    securityOnly: z.boolean().optional(),
    severities: z.array(word).max(10).optional(),
    classifications: z.array(z.enum(RULE_CLASSIFICATIONS)).max(RULE_CLASSIFICATIONS.length).optional(),
    packageManagers: z
      .array(z.string().regex(/^[a-z]{2,16}$/, 'must name a package manager (apt, dnf, wua…)'))
      .max(16)
      .optional(),
    namePattern: boundedString(256)
      .regex(NAME_PATTERN, 'may use package-name characters and the wildcards * and ? only')
      .optional(),
  }),
  scope: scopeSchema,
  soak: z.strictObject({ groupId: id, days: z.number().int().min(0).max(365) }).nullable(),
});

/** Request schemas of the rules channels (spread into requestSchemas). */
export const ruleRequestSchemas = {
  'rules.list': z.strictObject({}),
  'rules.add': z.strictObject({ definition: ruleDefinitionSchema, enabled: z.boolean().optional() }),
  'rules.remove': z.strictObject({ id }),
  'rules.enable': z.strictObject({ id, enabled: z.boolean() }),
  /** Dry run: a stored rule by id, or a draft; nothing is written. */
  'rules.test': z.union([z.strictObject({ id }), z.strictObject({ definition: ruleDefinitionSchema })]),
  /** Evaluates every enabled rule now (also done after each scan and when a plan run starts a ring). */
  'rules.apply': z.strictObject({}),
} as const;

/** Responses of the rules channels (merged into ResponseMap). */
export interface RuleResponses {
  'rules.list': ApprovalRule[];
  'rules.add': ApprovalRule;
  'rules.remove': { removed: number };
  'rules.enable': ApprovalRule;
  'rules.test': RuleEvaluation;
  'rules.apply': RuleEvaluation;
}

/** The rules request channels, for REQUEST_CHANNELS. */
export const RULE_CHANNELS = [
  'rules.list',
  'rules.add',
  'rules.remove',
  'rules.enable',
  'rules.test',
  'rules.apply',
] as const;
