import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { runCli } from '../../electron/cli/main';
import { readZip, writeZip } from '../../electron/evidence/zip';
import type { ResponseMap } from '../../shared/ipc';
import { fileCore, tempDir } from '../helpers/temp';

async function cli(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

// The CLI's own answers around packs; a real rollout's pack is exported and verified in
// test/rollout/evidence.test.ts.
describe('patchbay evidence', () => {
  it('verifies without a data folder and names each problem on its own line, as text and JSON', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'odd.zip');
    const evil = writeZip([{ path: 'aa/passwd', data: Buffer.from('x') }], 0);
    fs.writeFileSync(
      file,
      Buffer.from(evil.toString('latin1').replaceAll('aa/passwd', '../passwd'), 'latin1'),
    );
    const r = await cli('evidence', 'verify', file);
    expect(r).toEqual({
      code: 5,
      stdout: `${file}: the zip is unsafe or damaged: entry "../passwd" climbs out of the folder (path traversal)\n`,
      stderr: '',
    });
    const j = await cli('evidence', 'verify', file, '--json');
    expect(j.code).toBe(5);
    expect(JSON.parse(j.stdout)).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/path traversal/)],
    });
    // Nothing was created: verify never opens (or makes) a data folder.
    expect(fs.readdirSync(dir)).toEqual(['odd.zip']);
  });

  it('says what is missing: the file, the argument, the rollout', async () => {
    expect(await cli('evidence', 'verify', '/nonexistent/pack.zip')).toMatchObject({
      code: 1,
      stderr: 'patchbay: Cannot read /nonexistent/pack.zip: no such file\n',
    });
    expect(await cli('evidence', 'verify')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/needs the pack/),
    });
    const dir = tempDir();
    const out = path.join(dir, 'p.zip');
    expect(await cli('--data-dir', dir, 'evidence', 'export', '--rollout', '42', '--out', out)).toMatchObject(
      {
        code: 1,
        stderr: 'patchbay: No rollout 42.\n',
      },
    );
    expect(
      await cli('--data-dir', dir, 'evidence', 'export', '--rollout', 'friday', '--out', out),
    ).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/No rollout named "friday"/),
    });
    expect(await cli('--data-dir', dir, 'evidence', 'export', '--rollout', '1')).toMatchObject({ code: 2 });
    expect(fs.existsSync(out)).toBe(false);
  });

  it('exports a rollout not yet reviewed as a partial pack that still verifies, and --json says where', async () => {
    const { core, dataDir } = fileCore();
    const m = await core.dispatch('machines.create', {
      machine: {
        displayName: '../../etc',
        address: '192.0.2.9',
        port: 22,
        transport: 'ssh',
        username: 'root',
        credentialId: null,
        tags: [],
        client: 'Acme',
        site: '',
        notes: '',
        proxyJump: '',
      },
    });
    if (!m.ok) throw new Error(m.error.message);
    const machineId = (m.res as ResponseMap['machines.create']).id;
    const r = await core.dispatch('rollouts.create', {
      targets: { kind: 'machines', machineIds: [machineId] },
      content: { kind: 'all-approved' },
      options: {},
    });
    if (!r.ok) throw new Error(r.error.message);
    const rolloutId = (r.res as ResponseMap['rollouts.create']).id;
    await core.close();
    const out = path.join(dataDir, 'partial.zip');
    const e = await cli(
      '--data-dir',
      dataDir,
      'evidence',
      'export',
      '--rollout',
      String(rolloutId),
      '--out',
      out,
      '--json',
    );
    expect(e.code).toBe(0);
    expect(JSON.parse(e.stdout)).toMatchObject({ path: out, fileName: expect.stringMatching(/\.zip$/) });
    const v = await cli('evidence', 'verify', out, '--json');
    expect(v.code).toBe(0);
    const report = JSON.parse(v.stdout) as { ok: boolean; auditEntries: number };
    expect(report).toMatchObject({ ok: true, rollout: { id: rolloutId, state: 'created' } });
    // Only the rollout's own entry: the machine's creation came before it and is nobody's evidence here.
    expect(report.auditEntries).toBe(1);
    const manifest = JSON.parse(
      readZip(fs.readFileSync(out))
        .find((f) => f.path === 'manifest.json')
        ?.data.toString() ?? '{}',
    ) as { notes: string[]; files: { path: string }[] };
    expect(manifest.notes).toContain('The rollout was created when this pack was made: it is partial.');
    // A machine named "../../etc" gets a folder inside the pack.
    expect(manifest.files.map((f) => f.path)).toContain(`hosts/${machineId}-etc/host.json`);
  });
});
