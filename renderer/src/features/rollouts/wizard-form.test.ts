import { describe, expect, it } from 'vitest';

import { rolloutCreateSchema } from '../../../../shared/schemas';
import { failureLabel, stepText } from './labels';
import { checkWizard, newWizardForm, wizardRequest } from './wizard-form';

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

describe('rollout words', () => {
  it('names failure kinds and steps in plain words, unknown ones readable', () => {
    expect(failureLabel('lock-held')).toBe('Package manager busy');
    expect(failureLabel('reboot-hostkey')).toBe('Reboot failed');
    expect(failureLabel('something-new')).toBe('Something new');
    expect(stepText({ state: 'rebooting', step: 'wait-return' })).toBe('waiting for the host to come back');
    expect(stepText({ state: 'installing', step: '' })).toBe('');
  });
});
