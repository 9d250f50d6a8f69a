import type { MachinePatch } from '../../shared/domain';
import type { RuleClassification, RuleMatch } from '../../shared/rules';
import { NAME_PATTERN, RULE_CLASSIFICATIONS } from '../../shared/rules';
import { WUA_CLASSIFICATIONS } from '../platforms/windows/wua-parse';

/**
 * A name glob as a regular expression: `*` any run of characters, `?` one, everything else literal,
 * whole name, ignoring case. Throws on characters a package name cannot hold (the schema refuses them
 * first; this keeps the function safe on its own).
 */
export function globToRegExp(pattern: string): RegExp {
  if (!NAME_PATTERN.test(pattern)) throw new Error(`"${pattern}" is not a name pattern`);
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

const known = new Set<string>(RULE_CLASSIFICATIONS);

/**
 * A pending patch's classification: a Windows update's from its Windows Update category (the label the
 * scan put before the title in `origin`); elsewhere 'security' for a security fix, else 'update'.
 */
export function classificationOf(p: MachinePatch): RuleClassification {
  if (p.packageManager === 'wua') {
    const label = p.origin.split(':', 1)[0] ?? '';
    const id = WUA_CLASSIFICATIONS[label] ?? 'other';
    return (known.has(id) ? id : 'other') as RuleClassification;
  }
  return p.security === true ? 'security' : 'update';
}

/** A compiled match: the glob is turned into a regular expression once per evaluation. */
export function compileMatch(m: RuleMatch): (p: MachinePatch) => boolean {
  const name = m.namePattern ? globToRegExp(m.namePattern) : null;
  const severities = m.severities ? new Set(m.severities.map((s) => s.toLowerCase())) : null;
  const classes = m.classifications ? new Set<string>(m.classifications) : null;
  const pms = m.packageManagers ? new Set(m.packageManagers) : null;
  return (p) =>
    (!m.securityOnly || p.security === true) &&
    (!severities || (p.severity !== null && severities.has(p.severity.toLowerCase()))) &&
    (!classes || classes.has(classificationOf(p))) &&
    (!pms || pms.has(p.packageManager)) &&
    (!name || name.test(p.name));
}

/**
 * The version a rule approves: the candidate, or for a security-only rule the security fix itself when a
 * newer non-security candidate sits on top of it (as the Patches page's "approve security fixes" does).
 */
export function ruleVersion(m: RuleMatch, p: MachinePatch): string {
  return m.securityOnly && p.securityVersion ? p.securityVersion : p.candidateVersion;
}
