import { afterEach, describe, expect, it, vi } from 'vitest';

import { type EventMap, mergeEvents } from '../../shared/ipc';
import { BATCH_OUTPUT_BYTES, ROLLOUT_PROGRESS_INTERVAL_MS, rolloutProgress } from './progress';

describe('rollout progress', () => {
  afterEach(() => vi.useRealTimers());

  it('sends one message per interval for every host and rollout together, latest state per host', () => {
    vi.useFakeTimers();
    const sent: EventMap['rollout.progress'][] = [];
    const p = rolloutProgress(
      (ch, payload) => ch === 'rollout.progress' && sent.push(payload as EventMap['rollout.progress']),
      (id) => ({ rolloutId: id, state: 'running', stopReason: '', counts: {} as never }),
    );
    for (let host = 1; host <= 500; host++) {
      p.host(1, { machineId: host, state: 'preflight', step: '' });
      p.host(1, { machineId: host, state: 'installing', step: 'follow' });
      p.output(1, host, 'installing', 'follow', 'Unpacking…\n');
      p.host(2, { machineId: host, state: 'verifying', step: '' });
    }
    expect(sent).toHaveLength(0);
    vi.advanceTimersByTime(ROLLOUT_PROGRESS_INTERVAL_MS);
    expect(sent).toHaveLength(1);
    const [one, two] = sent[0]?.rollouts ?? [];
    expect(one?.hosts).toHaveLength(500);
    expect(one?.hosts[0]).toEqual({
      machineId: 1,
      state: 'installing',
      step: 'follow',
      output: 'Unpacking…\n',
    });
    expect(two?.hosts[499]?.state).toBe('verifying');
    vi.advanceTimersByTime(10 * ROLLOUT_PROGRESS_INTERVAL_MS);
    expect(sent).toHaveLength(1);
  });

  it('keeps only the tail of a host output in a message', () => {
    vi.useFakeTimers();
    const sent: EventMap['rollout.progress'][] = [];
    const p = rolloutProgress(
      (_ch, payload) => sent.push(payload as EventMap['rollout.progress']),
      (id) => ({ rolloutId: id, state: 'running', stopReason: '', counts: {} as never }),
    );
    p.output(1, 1, 'installing', 'follow', 'a'.repeat(BATCH_OUTPUT_BYTES));
    p.output(1, 1, 'installing', 'follow', 'END');
    p.flush();
    const out = sent[0]?.rollouts[0]?.hosts[0]?.output ?? '';
    expect(out).toHaveLength(BATCH_OUTPUT_BYTES);
    expect(out.endsWith('END')).toBe(true);
  });

  it('merges two waiting messages: per host the latest state and the output joined', () => {
    const counts = {} as never;
    const a: EventMap['rollout.progress'] = {
      rollouts: [
        {
          rolloutId: 1,
          state: 'running',
          stopReason: '',
          counts,
          hosts: [{ machineId: 1, state: 'installing', step: 'follow', output: 'one\n' }],
        },
      ],
    };
    const b: EventMap['rollout.progress'] = {
      rollouts: [
        {
          rolloutId: 1,
          state: 'running',
          stopReason: '',
          counts,
          hosts: [{ machineId: 1, state: 'verifying', step: '', output: 'two\n' }],
        },
        { rolloutId: 2, state: 'running', stopReason: '', counts, hosts: [] },
      ],
    };
    const m = mergeEvents('rollout.progress', a, b);
    expect(m.rollouts.map((r) => r.rolloutId)).toEqual([1, 2]);
    expect(m.rollouts[0]?.hosts).toEqual([
      { machineId: 1, state: 'verifying', step: '', output: 'one\ntwo\n' },
    ]);
  });
});
