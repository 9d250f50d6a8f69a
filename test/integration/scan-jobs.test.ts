import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { sshMachine } from '../helpers/inventory';
import { fileCore } from '../helpers/temp';

/** A machine with no credential, on an address no test reaches (TEST-NET-1). */
function add(
  core: ReturnType<typeof fileCore>['core'],
  name: string,
  address: string,
  transport: 'ssh' | 'winrm',
) {
  return core.handlers['machines.create']({
    machine: sshMachine(name, address, transport === 'ssh' ? {} : { port: 5985, transport }),
  });
}

describe('scan jobs without reaching any host', () => {
  // No ssh-agent: a machine without a credential then has no way to log in.
  const saved = process.env.SSH_AUTH_SOCK;
  beforeEach(() => {
    delete process.env.SSH_AUTH_SOCK;
  });
  afterEach(() => {
    if (saved !== undefined) process.env.SSH_AUTH_SOCK = saved;
  });

  it('classifies SSH and WinRM machines with no credential (and no ssh-agent) as lacking one', async () => {
    const { core } = fileCore();
    try {
      const a = await add(core, 'a', '192.0.2.1', 'ssh');
      const w = await add(core, 'w', '192.0.2.2', 'winrm');
      const { jobId } = await core.handlers['scan.start']({ machineIds: [a.id, w.id] });
      await core.services.scanner.wait(jobId);
      expect((await core.handlers['machines.scanDetails']({ id: a.id })).lastError).toMatchObject({
        kind: 'no-credential',
        message: expect.stringMatching(/assign a credential/),
      });
      // WinRM has no agent to fall back on: it needs its password credential.
      expect((await core.handlers['machines.scanDetails']({ id: w.id })).lastError).toMatchObject({
        kind: 'no-credential',
        message: expect.stringMatching(/assign a WinRM password credential/),
      });
    } finally {
      await core.close();
    }
  });

  it('finishes the job even when a host result cannot be stored', async () => {
    const { core } = fileCore();
    try {
      const a = await add(core, 'a', '192.0.2.1', 'ssh');
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
      expect(await core.handlers['jobs.active']({})).toEqual([]);
    } finally {
      await core.close();
    }
  });
});
