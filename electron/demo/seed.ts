import type { RequestChannel, RequestOf, ResponseMap } from '../../shared/ipc';
import type { Core } from '../core/create-core';
import { type DemoMachine, demoPlan } from './demo-plan';
import type { Fleet } from './sim-fleet';
import { generateKey } from './sim-keys';

/** What seeding produced. */
export interface DemoSummary {
  machines: number;
  ok: number;
  failed: number;
}

/** The account the demo logs in as. */
const DEMO_USER = 'patchbay';

/** A request through the core's own validation, as the UI would send it; a refusal is a bug here. */
async function call<C extends RequestChannel>(
  core: Core,
  channel: C,
  req: RequestOf<C>,
): Promise<ResponseMap[C]> {
  const r = await core.dispatch(channel, req);
  if (!r.ok) throw new Error(`demo seeding: ${channel} refused: ${r.error.message}`);
  return r.res as ResponseMap[C];
}

/**
 * Fills a throwaway data folder for demo mode: one credential holding the fleet's client key, a machine
 * per simulated host (inventory fields from `plan`), their host keys trusted, two saved groups, and a
 * first scan. Never run it on a real data folder: it trusts host keys without asking anyone.
 */
export async function seedDemo(
  core: Core,
  fleet: Fleet,
  plan: DemoMachine[] = demoPlan(fleet.hosts.length),
): Promise<DemoSummary> {
  const privateKey = fleet.clientKey?.privateKey;
  if (!privateKey) throw new Error('seedDemo needs a fleet that made its own client key');
  const byName = new Map(plan.map((m) => [m.name, m]));
  const credential = await call(core, 'credentials.create', {
    credential: {
      name: 'Demo fleet key (simulated)',
      kind: 'ssh-key',
      keyPath: '',
      secrets: { privateKey },
    },
  });
  const ids: number[] = [];
  for (const h of fleet.hosts) {
    const m = byName.get(h.name);
    const created = await call(core, 'machines.create', {
      machine: {
        displayName: h.name,
        address: h.address,
        port: h.port,
        transport: 'ssh',
        username: DEMO_USER,
        credentialId: credential.id,
        tags: m?.tags ?? [],
        client: m?.client ?? '',
        site: m?.site ?? '',
        notes: m?.notes ?? '',
        proxyJump: '',
      },
    });
    ids.push(created.id);
  }
  core.repos.hostKeys.transaction(() => {
    for (const h of fleet.hosts) {
      // A host marked staleKey gets some other key pinned: its scan then shows the "host key changed" prompt.
      const key = byName.get(h.name)?.staleKey ? generateKey() : h.hostKey;
      core.repos.hostKeys.pin({
        address: h.address,
        port: h.port,
        keyType: key.keyType,
        key: key.key,
        fingerprint: key.fingerprint,
        trustedAt: Date.now(),
        source: 'user',
      });
    }
  });
  await call(core, 'groups.save', { name: 'PCI scope', filter: { tags: ['pci'] } });
  await call(core, 'groups.save', { name: 'Database servers', filter: { tags: ['database'] } });

  const { jobId } = await call(core, 'scan.start', { machineIds: ids });
  let totals = { done: 0, failed: 0 };
  const off = core.subscribe((channel, payload) => {
    if (channel === 'scan.finished') totals = (payload as { totals: typeof totals }).totals;
  });
  await core.services.scanner.wait(jobId);
  off();
  return { machines: ids.length, ok: totals.done, failed: totals.failed };
}
