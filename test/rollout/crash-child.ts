// Patchbay's core in a process of its own, for the crash test (rollout-crash.test.ts): it opens the data
// folder (which resumes any running rollout), starts rollout $PATCHBAY_START_ID if it is still only
// reviewed, prints READY, then DONE once the rollout has ended. The test SIGKILLs it at random moments.
import { createCore } from '../../electron/core/create-core';
import { silentLogger } from '../../electron/core/logger';
import { dataFiles } from '../../electron/core/paths';
import { nodeSecretBox } from '../../electron/secrets/node-secrets';
import type { RolloutDetail } from '../../shared/domain';

const dir = process.env.PATCHBAY_DATA_DIR ?? '';
const id = Number(process.env.PATCHBAY_START_ID);
const files = dataFiles(dir);
const core = createCore({
  dbPath: files.db,
  secrets: nodeSecretBox(files.keyFile),
  logger: silentLogger,
  host: 'browser',
  dataDir: dir,
  version: 'crash-test',
  rollouts: { pollMs: 100, leaseMs: 400 },
});
const get = async (): Promise<RolloutDetail> => {
  const r = await core.dispatch('rollouts.get', { id });
  if (!r.ok) throw new Error(r.error.message);
  return r.res as RolloutDetail;
};
void (async () => {
  if ((await get()).state === 'reviewed') {
    const r = await core.dispatch('rollouts.start', { id });
    if (!r.ok) throw new Error(r.error.message);
  }
  process.stdout.write('READY\n');
  for (;;) {
    const d = await get();
    if (d.state === 'finished' || d.state === 'cancelled') break;
    await new Promise((res) => setTimeout(res, 100));
  }
  await core.close();
  process.stdout.write('DONE\n');
  process.exit(0);
})().catch((err: unknown) => {
  process.stderr.write(`crash-child: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
