/**
 * The Patchbay process the crash test kills (run with tsx): opens the core on a data folder and drives one
 * rollout to its end — review when it is created (or a review was cut short), start when reviewed, resume
 * when it is running (a killed predecessor's lease runs out first) — then closes and exits 0.
 *
 *   tsx test/rollout/crash-patchbay.ts <dataDir> <rolloutId> <leaseMs>
 *
 * Each line on stdout is JSON: {"t":"ready"} once the core is open, then what it does, then {"t":"done"}.
 */
import { createCore } from '../../electron/core/create-core';
import { silentLogger } from '../../electron/core/logger';
import { dataFiles } from '../../electron/core/paths';
import { nodeSecretBox } from '../../electron/secrets/node-secrets';
import type { RolloutDetail } from '../../shared/domain';

const [dataDir, idText, leaseText] = process.argv.slice(2);
const id = Number(idText);
const leaseMs = Number(leaseText);
if (!dataDir || !Number.isInteger(id) || id < 1 || !Number.isInteger(leaseMs)) {
  process.stderr.write('usage: crash-patchbay.ts <dataDir> <rolloutId> <leaseMs>\n');
  process.exit(2);
}

const say = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const files = dataFiles(dataDir as string);
  const core = createCore({
    dbPath: files.db,
    secrets: nodeSecretBox(files.keyFile),
    logger: silentLogger,
    host: 'browser',
    dataDir: dataDir as string,
    version: 'crash-test',
    rollouts: { leaseMs, pollMs: 200 },
  });
  say({ t: 'ready', pid: process.pid });
  const call = async <T>(channel: string, payload: object): Promise<T> => {
    const r = await core.dispatch(channel, payload);
    if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
    return r.res as T;
  };
  for (;;) {
    const r = await call<RolloutDetail>('rollouts.get', { id });
    if (r.state === 'finished' || r.state === 'cancelled') {
      say({ t: 'done', state: r.state, hosts: r.hosts.map((h) => [h.machineName, h.state, h.reason]) });
      break;
    }
    try {
      if (r.state === 'created') {
        say({ t: 'review' });
        await call('rollouts.review', { id });
      } else if (r.state === 'reviewed') {
        say({ t: 'start' });
        await call('rollouts.start', { id });
      } else if (r.state === 'running' && !core.services.rollouts.busy()) {
        // Not ours: the core's own resume at start may be waiting for a dead process's lease to end.
        say({ t: 'resume' });
        await call('rollouts.start', { id });
      }
    } catch (err) {
      // 'conflict': the killed process's lease still holds; try again once it may have run out.
      if ((err as { code?: string }).code !== 'conflict') throw err;
      say({ t: 'lease-held' });
    }
    await sleep(200);
  }
  await core.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`crash-patchbay: ${String(err)}\n`);
    process.exit(1);
  },
);
