// `npm run bench:scan`: scan N real Debian targets (test/targets) with Patchbay, and in the same run
// (1) plain parallel `ssh` running the same detection script — the floor; (2) one plain `ssh … true` round
// trip per host; (3) Ansible (Debian's `ansible`, forks=N) listing upgradable packages over the same hosts.
// Reports ratios, not absolute times: these machines are noisy. Needs root (the targets).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { COLLECT_COMMAND, COLLECT_SCRIPT } from '../../electron/platforms/collect-script';
import type { Target } from '../targets/hosts';
import { startTargets, stopAll } from '../targets/hosts';
import { benchCore } from './bench-fleet';

const N = Number(process.env.BENCH_N ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** Runs a command, feeding `input`; resolves with its exit code. */
function run(cmd: string, args: string[], input?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    if (input !== undefined) child.stdin?.end(input);
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(0) : reject(new Error(`${cmd} exited ${code}: ${err.slice(0, 300)}`)),
    );
  });
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

function which(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench:scan needs root (it stands up real Debian targets)');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-bench-scan-'));
  const specs = Array.from({ length: N }, (_, i) => ({
    name: `bench-${String(i).padStart(2, '0')}`,
    cases: ['security-update' as const, 'normal-update' as const],
  }));
  console.log(`Standing up ${N} targets…`);
  const t0 = performance.now();
  const targets: Target[] = await startTargets(specs);
  console.log(`  up in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const core = benchCore(work, { ssh: { concurrency: N } });
  try {
    const key = targets[0]?.privateKeyPath ?? '';
    const cred = await core.handlers['credentials.create']({
      credential: { name: 'bench', kind: 'ssh-key', keyPath: key, secrets: {} },
    });
    const ids: number[] = [];
    for (const t of targets) {
      const m = await core.handlers['machines.create']({
        machine: {
          displayName: t.name,
          address: t.address,
          port: t.port,
          transport: 'ssh',
          username: 'patch',
          credentialId: cred.id,
          tags: [],
          client: '',
          site: '',
          notes: '',
          proxyJump: '',
        },
      });
      ids.push(m.id);
    }
    const knownHosts = path.join(work, 'known_hosts');
    const sshArgs = (t: Target) => [
      '-i',
      key,
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=accept-new',
      '-o',
      `UserKnownHostsFile=${knownHosts}`,
      '-p',
      String(t.port),
      `patch@${t.address}`,
    ];
    const patchbay = async (trust: boolean) => {
      const r = await core.dispatch('scan.start', { machineIds: ids, trustNewHostKeys: trust });
      if (!r.ok) throw new Error(r.error.message);
      await core.services.scanner.wait((r.res as { jobId: string }).jobId);
    };
    const floor = () =>
      Promise.all(targets.map((t) => run('ssh', [...sshArgs(t), COLLECT_COMMAND], COLLECT_SCRIPT)));
    const roundTrip = () => Promise.all(targets.map((t) => run('ssh', [...sshArgs(t), 'true'])));
    // Warm-up: pins host keys on both sides, warms the targets' page cache and apt's.
    await patchbay(true);
    await floor();
    const failed = core.services.machines.list({}).items.filter((m) => m.status?.lastStatus !== 'ok');
    if (failed.length)
      throw new Error(`warm-up scan failed on ${failed.map((m) => m.displayName).join(', ')}`);

    const samples = {
      patchbay: [] as number[],
      floor: [] as number[],
      trip: [] as number[],
      ansible: [] as number[],
    };
    let ansible: (() => Promise<unknown>) | null = null;
    if (which('ansible')) {
      const inventory = path.join(work, 'inventory.ini');
      fs.writeFileSync(
        inventory,
        [
          '[targets]',
          ...targets.map((t) => `${t.name} ansible_host=${t.address} ansible_port=${t.port}`),
        ].join('\n') + '\n',
      );
      const env = { ...process.env, ANSIBLE_HOST_KEY_CHECKING: 'False', ANSIBLE_NOCOLOR: '1' };
      ansible = () =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(
            'ansible',
            [
              'targets',
              '-i',
              inventory,
              '-f',
              String(N),
              '-u',
              'patch',
              '--private-key',
              key,
              '-m',
              'shell',
              '-a',
              'apt list --upgradable',
            ],
            { env, stdio: ['ignore', 'ignore', 'pipe'] },
          );
          child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ansible exited ${code}`))));
        });
      await ansible();
    }
    // Interleaved rounds so that load drifting on this noisy machine hits every contender alike.
    for (let r = 0; r < ROUNDS; r++) {
      samples.patchbay.push(await time(() => patchbay(false)));
      samples.floor.push(await time(floor));
      samples.trip.push(await time(roundTrip));
      if (ansible) samples.ansible.push(await time(ansible));
    }
    const [pb, fl, rt, an] = [
      median(samples.patchbay),
      median(samples.floor),
      median(samples.trip),
      median(samples.ansible),
    ];
    console.log(`\nScan of ${N} real targets (median of ${ROUNDS} interleaved rounds):`);
    console.log(`  Patchbay scan (connect, detect + collect, parse, store):  ${pb.toFixed(0)} ms`);
    console.log(`  plain parallel ssh, same script (the floor):               ${fl.toFixed(0)} ms`);
    console.log(`  plain parallel ssh, one round trip ("true"):               ${rt.toFixed(0)} ms`);
    if (ansible)
      console.log(`  Ansible shell "apt list --upgradable", forks=${N}:          ${an.toFixed(0)} ms`);
    console.log(`\n  Patchbay / floor:         ${(pb / fl).toFixed(2)}x   (target <= 1.10x)`);
    console.log(`  Patchbay / one round trip: ${(pb / rt).toFixed(2)}x`);
    if (ansible) console.log(`  Ansible / Patchbay:       ${(an / pb).toFixed(2)}x`);
    else console.log('  Ansible: not installed (apt-get install ansible) — skipped');
  } finally {
    await core.close();
    await stopAll();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
