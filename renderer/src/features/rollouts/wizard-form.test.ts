import { describe, expect, it } from 'vitest';

import { rolloutCreateSchema } from '../../../../shared/schemas';
import { failureLabel, stepText } from './labels';
import { addAdvisory, checkWizard, newWizardForm, refKey, wizardRequest } from './wizard-form';

describe('new-rollout form', () => {
  it('starts with the machines picked on the Machines page and sends what the core accepts', () => {
    const form = newWizardForm([3, 4]);
    expect(checkWizard(form)).toEqual({});
    const req = wizardRequest(form);
    expect(req.targets).toEqual({ kind: 'machines', machineIds: [3, 4] });
    expect(req.options?.failureThreshold).toEqual({ kind: 'count', value: 1 });
    expect(rolloutCreateSchema.safeParse(req).success).toBe(true);
  });

  it('says which field is wrong before the core is asked', () => {
    const form = {
      ...newWizardForm(),
      contentKind: 'named' as const,
      concurrency: '0',
      thresholdKind: 'percent' as const,
      thresholdValue: '150',
      hostTimeLimitMin: '2.5',
    };
    expect(Object.keys(checkWizard(form)).sort()).toEqual([
      'concurrency',
      'hostTimeLimitMin',
      'machineIds',
      'refs',
      'thresholdValue',
    ]);
  });

  it('builds a group rollout of named patches with no threshold and no reboot', () => {
    const form = {
      ...newWizardForm(),
      targetKind: 'group' as const,
      groupId: 9,
      contentKind: 'named' as const,
      refs: [{ packageManager: 'apt', kind: 'package' as const, name: 'openssl', version: '' }],
      thresholdKind: 'none' as const,
      reboot: 'never' as const,
      rebootReturnMin: '',
      hostTimeLimitMin: '30',
      name: '  March patches ',
    };
    expect(checkWizard(form)).toEqual({});
    const req = wizardRequest(form);
    expect(req).toMatchObject({
      name: 'March patches',
      targets: { kind: 'group', groupId: 9 },
      content: { kind: 'named', refs: [{ name: 'openssl' }] },
      options: { failureThreshold: null, reboot: 'never', hostTimeLimitMs: 30 * 60_000 },
    });
    expect(rolloutCreateSchema.safeParse(req).success).toBe(true);
  });
});

describe('naming advisories in the content step', () => {
  const named = { ...newWizardForm([1]), contentKind: 'named' as const };

  it('adds a typed advisory once, clears the field, and sends it as an advisory ref the core accepts', () => {
    const first = addAdvisory({ ...named, advisoryPm: 'zypper', advisoryId: ' SUSE-2024-1234 ' });
    if (!('form' in first)) throw new Error(first.problem);
    expect(first.form.advisoryId).toBe('');
    expect(first.form.refs).toEqual([
      { packageManager: 'zypper', kind: 'advisory', name: 'SUSE-2024-1234', version: '' },
    ]);
    // The same id again adds nothing; a package of the same name is another ref.
    const again = addAdvisory({ ...first.form, advisoryPm: 'zypper', advisoryId: 'SUSE-2024-1234' });
    expect('form' in again && again.form.refs).toHaveLength(1);
    expect(refKey({ packageManager: 'zypper', name: 'SUSE-2024-1234' })).not.toBe(
      refKey(first.form.refs[0]!),
    );
    expect(checkWizard(first.form)).toEqual({});
    const req = wizardRequest(first.form);
    expect(req.content).toEqual({ kind: 'named', refs: first.form.refs });
    expect(rolloutCreateSchema.safeParse(req).success).toBe(true);
  });

  it('refuses what is not an advisory id, and a typed id never added', () => {
    expect(addAdvisory({ ...named, advisoryId: 'RHSA 2024;rm -rf /' })).toEqual({
      problem: 'That is not an advisory id (e.g. RHSA-2024:2447, SUSE-2024-1234).',
    });
    expect(addAdvisory({ ...named, advisoryId: '  ' })).toEqual({
      problem: 'Type an advisory id, e.g. RHSA-2024:2447.',
    });
    const pending = { ...named, advisoryId: 'RHSA-2024:2447' };
    expect(checkWizard(pending)).toEqual({
      refs: 'Pick at least one patch or add an advisory.',
      advisoryId: 'Press Add to include this advisory, or clear the field.',
    });
    // Outside named content the field does not matter.
    expect(checkWizard({ ...pending, contentKind: 'all-approved' })).toEqual({});
  });
});

describe('rollout words', () => {
  it('names failure kinds and steps in plain words, unknown ones readable', () => {
    expect(failureLabel('lock-held')).toBe('Package manager busy');
    expect(failureLabel('reboot-hostkey')).toBe('Reboot failed');
    expect(failureLabel('something-new')).toBe('Something new');
    expect(stepText({ state: 'rebooting', step: 'wait-return' })).toBe('waiting for the host to come back');
    expect(stepText({ state: 'installing', step: '' })).toBe('');
    expect(stepText({ state: 'preflight', step: 'refresh' })).toBe('refreshing the package lists');
    expect(failureLabel('refresh-failed')).toBe('Package list refresh failed');
  });
});
