import { describe, expect, it } from 'vitest';

import { createAppStore } from './store';
import { stubApi } from './stub-api.test-helper';

describe('decisions slice', () => {
  it('sends one request per selection, drops an empty note, and refetches the fleet it shows', async () => {
    const { api, calls } = stubApi({
      'decisions.decide': () => ({ decided: 2, refs: [] }),
      'patches.fleet': () => [],
    });
    const store = createAppStore(api);
    await store.getState().loadFleet();
    const n = await store.getState().decide({
      selections: [
        { packageManager: 'apt', names: ['openssl'] },
        { packageManager: 'dnf', names: ['openssl'] },
      ],
      scope: { kind: 'client', client: 'Acme' },
      decision: 'declined',
      note: '  ',
      reason: ' breaks ERP ',
    });
    expect(n).toBe(4);
    expect(calls.filter(([c]) => c === 'decisions.decide').map(([, r]) => r)).toEqual([
      {
        select: { packageManager: 'apt', names: ['openssl'] },
        scope: { kind: 'client', client: 'Acme' },
        decision: 'declined',
        reason: 'breaks ERP',
      },
      {
        select: { packageManager: 'dnf', names: ['openssl'] },
        scope: { kind: 'client', client: 'Acme' },
        decision: 'declined',
        reason: 'breaks ERP',
      },
    ]);
    expect(calls.filter(([c]) => c === 'patches.fleet')).toHaveLength(2);
  });

  it('reloads the audit list after the operator name changes (the change is an entry)', async () => {
    let total = 0;
    const { api } = stubApi({
      'audit.list': () => ({ items: [], total }),
      'settings.setOperator': () => ({ name: 'Dana', osUser: 'root', actor: 'Dana' }),
    });
    const store = createAppStore(api);
    await store.getState().loadAudit();
    total = 1;
    await store.getState().setOperator('Dana');
    await expect.poll(() => store.getState().audit?.total).toBe(1);
    expect(store.getState().operator?.actor).toBe('Dana');
  });
});
