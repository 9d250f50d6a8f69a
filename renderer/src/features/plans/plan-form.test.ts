import { describe, expect, it } from 'vitest';

import { planDefinitionSchema } from '../../../../shared/plans';
import { fromDefinition, newPlanForm, toDefinition } from './plan-form';

describe('plan form', () => {
  it('turns a filled-in new form into a definition the core accepts', () => {
    const f = newPlanForm('Europe/Berlin');
    f.name = 'Patch night';
    f.rings[0]!.client = 'Acme';
    f.checks.push({ kind: 'tcp', value: '443', rest: {} });
    const parsed = planDefinitionSchema.safeParse(toDefinition(f));
    expect(parsed.success).toBe(true);
    expect(parsed.data?.healthChecks).toEqual([
      { kind: 'tcp', port: 443, host: '127.0.0.1', timeoutSec: 10 },
    ]);
  });

  it('keeps what the form does not show when a stored plan is edited and saved back', () => {
    const stored = planDefinitionSchema.parse({
      name: 'Servers',
      content: { kind: 'all-approved' },
      options: { concurrency: 3, reboot: 'never' },
      failureThreshold: { kind: 'count', value: 2 },
      schedule: { kind: 'cron', zone: 'America/New_York', cron: '0 2 * * 6' },
      rings: [
        {
          name: 'db',
          targets: { kind: 'machines', machineIds: [4, 5] },
          batch: { kind: 'percent', value: 50 },
          batchFailureThreshold: { kind: 'count', value: 1 },
          gate: { soakMinutes: 30, manual: true },
        },
      ],
      healthChecks: [{ kind: 'command', command: 'pg_isready', asRoot: true, timeoutSec: 5 }],
      scripts: { post: 'systemctl restart app' },
    });
    expect(planDefinitionSchema.parse(toDefinition(fromDefinition(stored)))).toEqual(stored);
  });

  it('leaves an empty number as NaN so the core names the field instead of saving a zero', () => {
    const f = newPlanForm('UTC');
    f.rings[0]!.batchValue = '';
    const r = planDefinitionSchema.safeParse(toDefinition(f));
    expect(r.error?.issues.map((i) => i.path.join('.'))).toContain('rings.0.batch.value');
  });
});

describe('plan form options (the fields the rollout wizard shares)', () => {
  it('sends the batches options, the plan threshold and each ring batch threshold as edited', () => {
    const f = newPlanForm('UTC');
    f.name = 'Night';
    f.rings[0]!.client = 'Acme';
    f.options = {
      ...f.options,
      concurrency: '8',
      reboot: 'never',
      thresholdKind: 'percent',
      thresholdValue: '20',
    };
    f.rings[0]!.threshold = { thresholdKind: 'count', thresholdValue: '2' };
    const d = planDefinitionSchema.parse(toDefinition(f));
    // Options left at their defaults stay left out, as a plan written by hand would have them.
    expect(d.options).toEqual({ concurrency: 8, reboot: 'never' });
    expect(d.failureThreshold).toEqual({ kind: 'percent', value: 20 });
    expect(d.rings[0]?.batchFailureThreshold).toEqual({ kind: 'count', value: 2 });
    const back = fromDefinition(d);
    expect(back.options).toMatchObject({ concurrency: '8', reboot: 'never', thresholdKind: 'percent' });
    expect(back.rings[0]?.threshold).toEqual({ thresholdKind: 'count', thresholdValue: '2' });
  });

  it('a new plan has no thresholds and default options', () => {
    const f = newPlanForm('UTC');
    f.rings[0]!.client = 'Acme';
    f.name = 'x';
    const d = planDefinitionSchema.parse(toDefinition(f));
    expect(d.options).toEqual({});
    expect(d.failureThreshold).toBeNull();
    expect(d.rings[0]?.batchFailureThreshold).toBeNull();
  });
});
