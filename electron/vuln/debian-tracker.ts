import { z } from 'zod';

import { FeedFormatError, forEachTopLevelMember } from './json-members';

/** Where the Debian security tracker publishes all its data as one JSON document. */
export const DEBIAN_TRACKER_URL = 'https://security-tracker.debian.org/tracker/data/json';

// The published shape (security-tracker.debian.org/tracker/data/json): source package → issue id
// (CVE-…, or TEMP-… for issues without a CVE yet) → { description, scope, debianbug, releases:
// codename → { status, repositories: suite → version, fixed_version, urgency, nodsa… } }.
// Unknown extra fields (nodsa, nodsa_reason…) are allowed, as the tracker adds some over time; the ones
// we read are checked. `repositories` and `urgency` are always published but only checked when present:
// one odd entry must not make the whole feed unusable when nothing we need is wrong.
const text = (max: number) => z.string().max(max);
const releaseSchema = z.object({
  status: z.enum(['resolved', 'open', 'undetermined']),
  repositories: z.record(text(64), text(256)).optional(),
  fixed_version: text(256).optional(),
  urgency: text(64).optional(),
});
const issueSchema = z.object({
  description: text(100_000).optional(),
  scope: text(64).optional(),
  debianbug: z.number().optional(),
  releases: z.record(text(64), releaseSchema),
});
const packageSchema = z.record(text(128), issueSchema);

const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]*$/;
const CVE_ID = /^CVE-\d{4}-\d{4,}$/;
/** One source package's entry may be a few MB (linux); anything far larger is not the real feed. */
const MAX_PACKAGE_CHARS = 64 * 1024 * 1024;

/** Debian's urgency for one CVE in one release, without the tracker's "**" (unconfirmed) marks. */
export type DebianUrgency =
  'unimportant' | 'low' | 'medium' | 'high' | 'not yet assigned' | 'end-of-life' | 'unknown';

/** A CVE fixed in a release at a version: what the lookup needs, nothing more. */
export interface DebianFix {
  cve: string;
  fixedVersion: string;
  urgency: DebianUrgency;
}

/** CVEs per release per source package, with the version that fixes each. */
export interface DebianIndex {
  /** release codename → source package → fixes. */
  releases: Map<string, Map<string, DebianFix[]>>;
  /** Source packages read (all releases). */
  packages: number;
  /** Fix records kept. */
  records: number;
}

function urgencyOf(raw: string): DebianUrgency {
  const u = raw.replace(/\*+$/, '').trim();
  switch (u) {
    case 'unimportant':
    case 'low':
    case 'medium':
    case 'high':
    case 'not yet assigned':
    case 'end-of-life':
      return u;
    default:
      return 'unknown';
  }
}

/**
 * Reads the tracker's JSON as a stream and keeps only what a lookup needs: resolved CVEs with the
 * version that fixes them, in the wanted releases (all when `releases` is omitted). Descriptions,
 * TEMP- issues, open issues (no fix to install yet) and "0" fixes (never affected) are dropped, which
 * keeps the index a small fraction of the document. Throws FeedFormatError naming the package at fault.
 */
export async function parseDebianTracker(
  chunks: AsyncIterable<Buffer | string>,
  options: { releases?: readonly string[] } = {},
): Promise<DebianIndex> {
  const wanted = options.releases ? new Set(options.releases) : null;
  const releases = new Map<string, Map<string, DebianFix[]>>();
  let packages = 0;
  let records = 0;
  await forEachTopLevelMember(
    chunks,
    (name, raw) => {
      if (!PACKAGE_NAME.test(name))
        throw new FeedFormatError(`"${name.slice(0, 80)}" is not a source package name`);
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        throw new FeedFormatError(`the entry of package ${name} is not valid JSON`);
      }
      const parsed = packageSchema.safeParse(value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new FeedFormatError(
          `the entry of package ${name} does not match the tracker's format (${issue?.path.join('.')}: ${issue?.message})`,
        );
      }
      packages++;
      for (const [id, issue] of Object.entries(parsed.data)) {
        if (!CVE_ID.test(id)) continue;
        for (const [release, r] of Object.entries(issue.releases)) {
          if (wanted && !wanted.has(release)) continue;
          if (r.status !== 'resolved' || !r.fixed_version || r.fixed_version === '0') continue;
          let byPackage = releases.get(release);
          if (!byPackage) releases.set(release, (byPackage = new Map()));
          let fixes = byPackage.get(name);
          if (!fixes) byPackage.set(name, (fixes = []));
          fixes.push({ cve: id, fixedVersion: r.fixed_version, urgency: urgencyOf(r.urgency ?? '') });
          records++;
        }
      }
    },
    MAX_PACKAGE_CHARS,
  );
  if (packages === 0) throw new FeedFormatError('the tracker data lists no packages');
  return { releases, packages, records };
}
