/**
 * Zod pieces shared by the request schemas (shared/schemas.ts) and the plan schemas (shared/plans.ts): field
 * helpers and a rollout's targets, content and options. In a file of their own so the two can import them
 * without importing each other.
 */
import { z } from 'zod';

import { type Check, LIMITS } from './validation';

/** Turns a field rule into a zod refinement whose message is the rule's own words. */
export function rule(check: (v: string) => Check) {
  return (v: string, ctx: z.RefinementCtx) => {
    const problem = check(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  };
}

/** A database row id. */
export const id = z.number().int().positive();
/** A non-empty list of row ids. */
export const ids = z.array(id).min(1).max(100_000);
/** A string of at most `max` characters; the max() runs before any regex so a 10 MB field is rejected cheaply. */
export const boundedString = (max: number) =>
  z.string().max(max, { error: `must be at most ${max} characters`, abort: true });

/** A named patch: a package (name, version) or a dnf/yum/zypper advisory id. */
export const rolloutRefSchema = z
  .strictObject({
    packageManager: boundedString(16).regex(/^[a-z]{2,16}$/, 'is not a package manager'),
    kind: z.enum(['package', 'advisory']),
    name: boundedString(256).regex(/^[A-Za-z0-9][A-Za-z0-9.+_:@~-]*$/, 'is not a package or advisory name'),
    version: boundedString(256).regex(/^[A-Za-z0-9.+_:~-]*$/, 'is not a version'),
  })
  // Only dnf, yum and zypper install by advisory; elsewhere an advisory id names no installable thing.
  .refine(
    (r) => r.kind !== 'advisory' || (['dnf', 'yum', 'zypper'].includes(r.packageManager) && r.version === ''),
    {
      message: 'advisories can be named for dnf, yum and zypper only, without a version',
      path: ['kind'],
    },
  );

/** Which machines a rollout (or a plan's ring) patches. */
export const rolloutTargetsSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('machines'), machineIds: ids }),
  z.strictObject({ kind: z.literal('group'), groupId: id }),
  z.strictObject({ kind: z.literal('client'), client: boundedString(LIMITS.client).min(1) }),
]);

/** What a rollout installs (always cut down to what is approved for each host). */
export const rolloutContentSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('all-approved') }),
  z.strictObject({ kind: z.literal('security-approved') }),
  z.strictObject({ kind: z.literal('named'), refs: z.array(rolloutRefSchema).min(1).max(10_000) }),
]);

/** Stop starting new hosts after this many failed hosts, or this share of the finished hosts. */
export const failureThresholdSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('count'), value: z.number().int().min(1).max(100_000) }),
  z.strictObject({ kind: z.literal('percent'), value: z.number().min(1).max(100) }),
]);

const limitMs = z
  .number()
  .int()
  .min(10_000)
  .max(24 * 3_600_000);

/** A rollout's options as a request gives them; each left out takes its default (DEFAULT_ROLLOUT_OPTIONS). */
export const rolloutOptionsSchema = z.strictObject({
  concurrency: z.number().int().min(1).max(256).optional(),
  failureThreshold: failureThresholdSchema.nullable().optional(),
  reboot: z.enum(['never', 'if-required', 'always']).optional(),
  rebootReturnMs: limitMs.optional(),
  hostTimeLimitMs: limitMs.optional(),
});
