/** A normalised severity across vendors (Red Hat/SUSE names, Debian urgencies, CVSS ranges). */
export type Severity = 'critical' | 'high' | 'medium' | 'low';

/** Severities from the most to the least severe. */
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

/**
 * Maps a vendor's word to one scale: Red Hat/SUSE "Important" and "Moderate", Debian's urgencies
 * ("unimportant" is low), Ubuntu's priorities ("negligible" is low). Unknown or unassigned → null.
 */
export function normalizeSeverity(raw: string | null | undefined): Severity | null {
  const s = (raw ?? '').replace(/\*+$/, '').trim().toLowerCase();
  switch (s) {
    case 'critical':
      return 'critical';
    case 'high':
    case 'important':
      return 'high';
    case 'medium':
    case 'moderate':
      return 'medium';
    case 'low':
    case 'unimportant':
    case 'negligible':
      return 'low';
    default:
      return null;
  }
}

/** CVSS v3/v4 qualitative ranges: 9.0–10 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low. */
export function severityOfCvss(score: number | null | undefined): Severity | null {
  if (score == null || !(score > 0)) return null;
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  return 'low';
}

/** The more severe of two, null counting as nothing. */
export function worseSeverity(a: Severity | null, b: Severity | null): Severity | null {
  if (!a) return b;
  if (!b) return a;
  return SEVERITIES.indexOf(a) <= SEVERITIES.indexOf(b) ? a : b;
}
