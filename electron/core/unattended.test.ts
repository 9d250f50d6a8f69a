import { describe, expect, it } from 'vitest';

import type { EventChannel } from '../../shared/ipc';
import type { PlanDefinition } from '../../shared/plans';
import { sshMachine } from '../../test/helpers/inventory';
import { fileCore } from '../../test/helpers/temp';
import {
  blockSleep,
  keepInTray,
  trayAction,
  trayMenu,
  trayNotice,
  unattendedMonitor,
  type UnattendedState,
} from './unattended';

const idle: UnattendedState = { scheduled: [], activeRuns: [], rolloutRunning: false };
const weekly = { name: 'Weekly', nextRunAt: 1, nextRunText: 'next: Thu 13 Feb 22:00 Europe/Berlin' };

describe('tray and sleep decisions', () => {
  it('quits on close when nothing is scheduled or running', () => {
    expect(keepInTray(idle)).toBe(false);
    expect(blockSleep(idle)).toBe(false);
  });

  it('stays in the tray while a plan is scheduled, under way or a rollout runs; a halted run alone does not', () => {
    expect(keepInTray({ ...idle, scheduled: [weekly] })).toBe(true);
    expect(keepInTray({ ...idle, activeRuns: [{ planName: 'Weekly', state: 'soaking' }] })).toBe(true);
    expect(keepInTray({ ...idle, activeRuns: [{ planName: 'Weekly', state: 'halted' }] })).toBe(false);
    expect(keepInTray({ ...idle, rolloutRunning: true })).toBe(true);
  });

  it('shows the tray while there is work; when it is over, removes it, or quits if the window was closed', () => {
    expect(trayAction({ ...idle, scheduled: [weekly] }, false)).toBe('show');
    expect(trayAction(idle, false)).toBe('remove');
    expect(trayAction(idle, true)).toBe('quit');
  });

  it('blocks sleep only while a rollout runs', () => {
    expect(blockSleep({ ...idle, scheduled: [weekly] })).toBe(false);
    expect(blockSleep({ ...idle, rolloutRunning: true })).toBe(true);
  });

  it('says why it stays and how to quit, in plain words', () => {
    expect(trayNotice({ ...idle, scheduled: [weekly] })).toEqual({
      title: 'Patchbay keeps running in the tray',
      body: 'Plan Weekly runs Thu 13 Feb 22:00 Europe/Berlin. Patchbay stays in the tray to run it; choose Quit from the tray icon to stop.',
    });
    expect(trayMenu({ ...idle, rolloutRunning: true })).toEqual({
      status: 'Rollout running — sleep is blocked',
      items: ['open', 'quit'],
    });
    expect(trayMenu({ ...idle, scheduled: [weekly] }).status).toBe(
      'Weekly — next: Thu 13 Feb 22:00 Europe/Berlin',
    );
  });
});

describe('the monitor on a real core', () => {
  const plan = (at: string): PlanDefinition =>
    ({
      name: 'Weekly',
      content: { kind: 'security-approved' },
      schedule: { kind: 'once', zone: 'Europe/Berlin', at },
      rings: [
        {
          name: 'all',
          targets: { kind: 'client', client: 'Acme' },
          batch: { kind: 'count', value: 1 },
          gate: {},
        },
      ],
    }) as PlanDefinition;

  it('flips the tray when a plan is enabled and the sleep block when a rollout starts and ends', async () => {
    const { core } = fileCore();
    try {
      await core.handlers['machines.create']({
        machine: sshMachine('w1', 'w1.example.test', { client: 'Acme' }),
      });
      let running = false;
      const sinks = new Set<(c: EventChannel, p: unknown) => void>();
      const changes: { tray: boolean; sleep: boolean; keep: boolean; block: boolean }[] = [];
      const monitor = unattendedMonitor(
        {
          plans: () => core.handlers['plans.list']({}),
          runs: () => core.handlers['plans.runs']({}),
          rolloutRunning: () => running,
          subscribe: (l) => {
            sinks.add(l);
            const off = core.subscribe(l);
            return () => {
              sinks.delete(l);
              off();
            };
          },
        },
        (s, changed) => changes.push({ ...changed, keep: keepInTray(s), block: blockSleep(s) }),
      );
      await monitor.refresh();
      expect(changes).toEqual([]);
      // A plan saved disabled changes nothing; enabling it keeps Patchbay in the tray.
      const p = await core.handlers['plans.create']({ definition: plan('2030-03-05T22:00') });
      await monitor.refresh();
      expect(changes).toEqual([]);
      await core.handlers['plans.enable']({ id: p.id, enabled: true });
      await monitor.refresh();
      expect(changes).toEqual([{ tray: true, sleep: false, keep: true, block: false }]);
      // Rollout progress flips the sleep block (and only when it changes).
      running = true;
      for (const l of sinks) l('rollout.progress', { rollouts: [] });
      await monitor.refresh();
      for (const l of sinks) l('rollout.progress', { rollouts: [] });
      await monitor.refresh();
      running = false;
      for (const l of sinks) l('rollout.progress', { rollouts: [] });
      await monitor.refresh();
      expect(changes.slice(1)).toEqual([
        { tray: false, sleep: true, keep: true, block: true },
        { tray: false, sleep: true, keep: true, block: false },
      ]);
      monitor.dispose();
    } finally {
      await core.close();
    }
  });
});
