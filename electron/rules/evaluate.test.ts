import { describe, expect, it } from 'vitest';

import type { PatchDecision, PatchRef, ResolvedDecision } from '../../shared/decisions';
import type { MachinePatch } from '../../shared/domain';
import type { RuleDefinition } from '../../shared/rules';
import type { DecidedPatch } from '../approvals/approvals-service';
import { evaluateRule, type EvaluationContext, type SoakHistory } from './evaluate';
import { classificationOf, compileMatch, globToRegExp } from './match';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 6, 4, 0);

const patch = (name: string, extra: Partial<MachinePatch> = {}): MachinePatch => ({
  packageManager: 'apt',
  name,
  arch: 'amd64',
  installedVersion: '1.0-1',
  candidateVersion: '1.0-2',
  securityVersion: null,
  held: false,
  origin: 'Debian:12.8/stable',
  security: false,
  severity: null,
  advisories: [],
  cves: [],
  isNew: false,
  keptBack: false,
  firstSeenAt: 0,
  ...extra,
});
const open: ResolvedDecision = { state: 'not-reviewed', by: null, version: null };
const declined = (): ResolvedDecision => ({
  state: 'declined',
  by: { decision: 'declined', reason: 'breaks the till' } as PatchDecision,
  version: null,
});
const decided = (p: MachinePatch, decision: ResolvedDecision = open): DecidedPatch => ({ ...p, decision });

const rule = (over: Partial<RuleDefinition> = {}): RuleDefinition & { id: number | null } => ({
  id: 1,
  name: 'security at once',
  match: { securityOnly: true },
  scope: { kind: 'all' },
  soak: null,
  ...over,
});

const ctx = (over: Partial<EvaluationContext> = {}): EvaluationContext => ({
  now: NOW,
  machines: [],
  approvedBefore: () => false,
  decidedAtScope: () => false,
  soak: () => ({ firstInstalledAt: null, failedHosts: [] }),
  soakGroupName: 'group Pilot',
  ...over,
});

describe('rule matching', () => {
  it('matches a name glob whole and ignoring case, with * and ? only', () => {
    expect(globToRegExp('openssl*').test('OpenSSL-libs')).toBe(true);
    expect(globToRegExp('openssl*').test('libopenssl')).toBe(false);
    expect(globToRegExp('lib?.so').test('libc.so')).toBe(true);
    expect(globToRegExp('lib?.so').test('libcxso')).toBe(false);
    expect(globToRegExp('a+b').test('aab')).toBe(false);
    expect(() => globToRegExp('(.*)')).toThrow(/not a name pattern/);
    expect(() => globToRegExp('a;rm')).toThrow(/not a name pattern/);
  });

  it('classifies Windows updates by their category and other systems by security', () => {
    const defender = patch('KB2267602', {
      packageManager: 'wua',
      origin: 'Definition Updates: Security Intelligence Update for Microsoft Defender (never reboots)',
    });
    expect(classificationOf(defender)).toBe('definition');
    expect(classificationOf(patch('x', { packageManager: 'wua', origin: 'Weird: x' }))).toBe('other');
    expect(classificationOf(patch('openssl', { security: true }))).toBe('security');
    expect(classificationOf(patch('curl'))).toBe('update');
  });

  it('needs every given field to hold', () => {
    const m = compileMatch({ securityOnly: true, severities: ['critical'], packageManagers: ['wua'] });
    const kb = patch('KB1', { packageManager: 'wua', security: true, severity: 'Critical' });
    expect(m(kb)).toBe(true);
    expect(m({ ...kb, severity: 'Low' })).toBe(false);
    expect(m({ ...kb, severity: null })).toBe(false);
    expect(m({ ...kb, packageManager: 'apt' })).toBe(false);
    expect(m({ ...kb, security: null })).toBe(false);
    expect(compileMatch({})(patch('anything'))).toBe(true);
  });
});

describe('rule evaluation', () => {
  const ssl = patch('openssl', { security: true, candidateVersion: '3.0.15-1', securityVersion: '3.0.14-1' });
  const curl = patch('curl');

  it('approves matching, not reviewed patches and names the machines, at the security version', () => {
    const r = evaluateRule(
      rule(),
      'everywhere',
      ctx({
        machines: [
          { id: 1, name: 'web1', patches: [decided(ssl), decided(curl)] },
          { id: 2, name: 'web2', patches: [decided(ssl)] },
        ],
      }),
    );
    expect(r.approvals).toEqual([
      {
        ruleId: 1,
        ruleName: 'security at once',
        ref: { packageManager: 'apt', kind: 'package', name: 'openssl', version: '3.0.14-1' },
        scope: { kind: 'all' },
        scopeLabel: 'everywhere',
        machines: [
          { id: 1, name: 'web1' },
          { id: 2, name: 'web2' },
        ],
      },
    ]);
  });

  it('never counts a machine where the patch is declined; declined everywhere, nothing is approved', () => {
    const some = evaluateRule(
      rule(),
      'everywhere',
      ctx({
        machines: [
          { id: 1, name: 'web1', patches: [decided(ssl, declined())] },
          { id: 2, name: 'web2', patches: [decided(ssl)] },
        ],
      }),
    );
    expect(some.approvals.map((a) => a.machines)).toEqual([[{ id: 2, name: 'web2' }]]);
    const all = evaluateRule(
      rule(),
      'everywhere',
      ctx({ machines: [{ id: 1, name: 'web1', patches: [decided(ssl, declined())] }] }),
    );
    expect(all.approvals).toEqual([]);
    expect(all.held).toEqual([expect.objectContaining({ reason: 'declined on 1 machine' })]);
  });

  it('leaves patches already approved alone and never overrides a decision at its own scope', () => {
    const approved: ResolvedDecision = { state: 'approved', by: null, version: '3.0.14-1' };
    const r = evaluateRule(
      rule(),
      'everywhere',
      ctx({ machines: [{ id: 1, name: 'web1', patches: [decided(ssl, approved)] }] }),
    );
    expect(r).toEqual({ approvals: [], held: [] });
    const atScope = evaluateRule(
      rule(),
      'everywhere',
      ctx({ machines: [{ id: 1, name: 'web1', patches: [decided(ssl)] }], decidedAtScope: () => true }),
    );
    expect(atScope.approvals).toEqual([]);
    expect(atScope.held[0]?.reason).toBe('a decision is already recorded for everywhere');
  });

  it('approves an identity once: an approval removed by a person stays removed', () => {
    const r = evaluateRule(
      rule(),
      'everywhere',
      ctx({ machines: [{ id: 1, name: 'web1', patches: [decided(ssl)] }], approvedBefore: () => true }),
    );
    expect(r.approvals).toEqual([]);
    expect(r.held[0]?.reason).toMatch(/approved it once/);
  });

  describe('the pilot soak (7 days in pilot without a failed host), on an injected clock', () => {
    const soakRule = rule({ name: 'everyone after pilot', soak: { groupId: 9, days: 7 } });
    const run = (now: number, history: SoakHistory) =>
      evaluateRule(
        soakRule,
        'everywhere',
        ctx({
          now,
          machines: [{ id: 3, name: 'office1', patches: [decided(ssl)] }],
          soak: (ref: PatchRef) => {
            expect(ref.version).toBe('3.0.14-1');
            return history;
          },
        }),
      );
    const installed = NOW - 3 * DAY;

    it('waits while the patch is not installed in pilot', () => {
      const r = run(NOW, { firstInstalledAt: null, failedHosts: [] });
      expect(r.approvals).toEqual([]);
      expect(r.held[0]?.reason).toBe('not installed in group Pilot yet');
    });

    it('counts the days left, then approves exactly when 7 days have passed', () => {
      const early = run(NOW, { firstInstalledAt: installed, failedHosts: [] });
      expect(early.held[0]?.reason).toMatch(/4 days of the 7-day soak left$/);
      const almost = run(installed + 7 * DAY - 1, { firstInstalledAt: installed, failedHosts: [] });
      expect(almost.approvals).toEqual([]);
      expect(almost.held[0]?.reason).toMatch(/1 day of the 7-day soak left$/);
      const due = run(installed + 7 * DAY, { firstInstalledAt: installed, failedHosts: [] });
      expect(due.approvals).toHaveLength(1);
    });

    it('never approves after a failed pilot host, however long ago', () => {
      const r = run(installed + 70 * DAY, { firstInstalledAt: installed, failedHosts: ['pilot2'] });
      expect(r.approvals).toEqual([]);
      expect(r.held[0]?.reason).toBe('failed in group Pilot (pilot2)');
    });
  });
});
