import { z } from 'zod';

import { FeedFormatError } from './json-members';

/** Where CISA publishes the Known Exploited Vulnerabilities catalog as JSON. */
export const KEV_URL = 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'is not a YYYY-MM-DD date');
const text = (max: number) => z.string().max(max);

// The catalog's published schema (cisa.gov, known_exploited_vulnerabilities_schema.json): a header and
// one record per CVE. Fields we do not use are allowed but bounded by the document size cap.
const kevSchema = z.object({
  title: text(1000).optional(),
  catalogVersion: text(64),
  dateReleased: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'is not a date'),
  count: z.number().int().nonnegative(),
  vulnerabilities: z.array(
    z.object({
      cveID: z.string().regex(/^CVE-\d{4}-\d{4,}$/, 'is not a CVE id'),
      vendorProject: text(1000),
      product: text(1000),
      vulnerabilityName: text(2000).optional(),
      dateAdded: isoDate,
      shortDescription: text(20_000).optional(),
      requiredAction: text(20_000).optional(),
      dueDate: isoDate,
      knownRansomwareCampaignUse: text(64).optional(),
      notes: text(20_000).optional(),
      cwes: z.array(text(64)).optional(),
    }),
  ),
});

/** One KEV entry, as the risk score and SLA need it. */
export interface KevEntry {
  cve: string;
  vendorProject: string;
  product: string;
  dateAdded: string;
  /** CISA's remediation due date for federal agencies (YYYY-MM-DD). */
  dueDate: string;
  knownRansomware: boolean;
}

/** The catalog: its version, release time and entries by CVE. */
export interface KevCatalog {
  catalogVersion: string;
  dateReleased: string;
  byCve: Map<string, KevEntry>;
}

/** The catalog is ~1.5 MB today; a document far larger than this is not the catalog. */
export const MAX_KEV_BYTES = 64 * 1024 * 1024;

/**
 * Parses and validates the KEV JSON. The header's `count` must match the records, which catches a
 * download cut at a record boundary that still happens to be valid JSON.
 */
export function parseKev(data: Buffer | string): KevCatalog {
  if (data.length > MAX_KEV_BYTES)
    throw new FeedFormatError(`the KEV document is larger than ${MAX_KEV_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(typeof data === 'string' ? data : data.toString('utf8'));
  } catch (e) {
    throw new FeedFormatError(`the KEV document is not valid JSON (truncated?): ${(e as Error).message}`);
  }
  const parsed = kevSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FeedFormatError(
      `the KEV document does not match CISA's format (${issue?.path.join('.')}: ${issue?.message})`,
    );
  }
  const { vulnerabilities, count } = parsed.data;
  if (vulnerabilities.length !== count)
    throw new FeedFormatError(
      `the KEV document says it has ${count} entries but holds ${vulnerabilities.length}`,
    );
  const byCve = new Map<string, KevEntry>();
  for (const v of vulnerabilities) {
    byCve.set(v.cveID, {
      cve: v.cveID,
      vendorProject: v.vendorProject,
      product: v.product,
      dateAdded: v.dateAdded,
      dueDate: v.dueDate,
      knownRansomware: v.knownRansomwareCampaignUse === 'Known',
    });
  }
  return { catalogVersion: parsed.data.catalogVersion, dateReleased: parsed.data.dateReleased, byCve };
}
