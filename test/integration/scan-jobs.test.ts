import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { fileCore } from '../helpers/temp';

describe('scan jobs without reaching any host', () => {
  // No ssh-agent: a machine without a credential then has no way to log in.
  const saved = process.env.SSH_AUTH_SOCK;
  beforeEach(() => {
    delete process.env.SSH_AUTH_SOCK;
  });
  afterEach(() => {
    if (saved !== undefined) process.env.SSH_AUTH_SOCK = saved;
  });

  it('classifies a machine with no credential and no ssh-agent, and a WinRM machine as unsupported', async () => {
    const { core } = fileCore();
    try {
      const base = {
        username: 'root',
        credentialId: null,
        tags: [],
        client: '',
        site: '',
        notes: '',
        proxyJump: '',
      };
      const a = await core.handlers['machines.create']({
        machine: { ...base, displayName: 'a', address: '192.0.2.1', port: 22, transport: 'ssh' },
      });
      const w = await core.handlers['machines.create']({
        machine: { ...base, displayName: 'w', address: '192.0.2.2', port: 5985, transport: 'winrm' },
      });
      const { jobId } = await core.handlers['scan.start']({ machineIds: [a.id, w.id] });
      await core.services.scanner.wait(jobId);
      expect((await core.handlers['machines.scanDetails']({ id: a.id })).lastError).toMatchObject({
        kind: 'no-credential',
        message: expect.stringMatching(/assign a credential/),
      });
      expect((await core.handlers['machines.scanDetails']({ id: w.id })).lastError?.kind).toBe('unsupported');
    } finally {
      await core.close();
    }
  });

  it('finishes the job even when a host result cannot be stored', async () => {
    const { core } = fileCore();
    try {
      const base = {
        username: 'root',
        credentialId: null,
        tags: [],
        client: '',
        site: '',
        notes: '',
        proxyJump: '',
      };
      const a = await core.handlers['machines.create']({
        machine: { ...base, displayName: 'a', address: '192.0.2.1', port: 22, transport: 'ssh' },
      });
      core.db.exec(
        "CREATE TRIGGER full BEFORE INSERT ON scan_results BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END",
      );
      const finished: string[] = [];
      core.subscribe((channel, payload) => {
        if (channel === 'scan.finished' && 'state' in payload) finished.push(payload.state);
      });
      const { jobId, runId } = await core.handlers['scan.start']({ machineIds: [a.id] });
      await core.services.scanner.wait(jobId);
      await new Promise((r) => setTimeout(r, 50));
      expect(finished).toEqual(['done']);
      expect(core.db.prepare('SELECT state FROM scan_runs WHERE id = ?').pluck().get(runId)).toBe('done');
      expect(await core.handlers['scan.active']({})).toEqual([]);
    } finally {
      await core.close();
    }
  });
});
