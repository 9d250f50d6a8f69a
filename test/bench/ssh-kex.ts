// Part of bench:ssh (BENCH_KEX=1): the CPU of one connection per key-exchange algorithm ssh2 offers, made with
// ssh2's Client directly (connect, log in with a key parsed once, one plain command, close), only that
// algorithm offered. Everything else is ssh2's default, so the differences between lines are the kex's.
import ssh2 from 'ssh2';

import type { FleetHost } from '../../electron/demo/sim-fleet';
import type { PinnedHostKey } from '../../electron/ssh/host-keys';
import { median } from './bench-fleet';

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** One connection with only `kex` offered; resolves once it is closed. */
function once(h: FleetHost, hostKey: string, privateKey: ssh2.ParsedKey, kex: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    let tried = false;
    client
      .on('ready', () =>
        client.exec('exit 0', (err, ch) => {
          if (err) return reject(err);
          ch.on('close', () => client.end()).resume();
          ch.stderr.resume();
          ch.end();
        }),
      )
      .on('error', reject)
      .on('close', () => resolve());
    client.connect({
      host: h.address,
      port: h.port,
      username: 'patch',
      authHandler: (_left, _partial, done) => {
        done(
          tried
            ? (false as unknown as ssh2.AnyAuthMethod)
            : { type: 'publickey', username: 'patch', key: privateKey },
        );
        tried = true;
      },
      algorithms: { kex: [kex as never] },
      hostVerifier: (blob: Buffer) => blob.toString('base64') === hostKey,
      readyTimeout: 20_000,
    });
  });
}

/** Prints the median CPU per connection of each kex ssh2 offers, over `n` connections per round, 3 rounds. */
export async function kexCpu(
  hosts: FleetHost[],
  pinned: PinnedHostKey[],
  privateKeyText: string,
  n: number,
  c: number,
): Promise<void> {
  const parsed = ssh2.utils.parseKey(privateKeyText);
  const key = (Array.isArray(parsed) ? parsed[0] : parsed) as ssh2.ParsedKey;
  // ssh2's own offer (lib/protocol/constants.js DEFAULT_KEX), without curve25519-sha256@libssh.org (the
  // same algorithm under its older name) and diffie-hellman-group-exchange-sha256 (ssh2's server, the
  // simulator, does not offer it).
  const kexes = [
    'curve25519-sha256',
    'ecdh-sha2-nistp256',
    'ecdh-sha2-nistp384',
    'ecdh-sha2-nistp521',
    'diffie-hellman-group14-sha256',
    'diffie-hellman-group15-sha512',
    'diffie-hellman-group16-sha512',
  ];
  const run = async (kex: string) => {
    let next = 0;
    let failures = 0;
    const lane = async () => {
      while (next < n) {
        const i = next++ % hosts.length;
        try {
          await once(hosts[i] as FleetHost, (pinned[i] as PinnedHostKey).key, key, kex);
        } catch {
          failures++;
        }
      }
    };
    const before = cpuMs();
    await Promise.all(Array.from({ length: c }, lane));
    return { ms: (cpuMs() - before) / n, failures };
  };
  const rows = new Map(kexes.map((k) => [k, [] as number[]]));
  const failed = new Map<string, number>();
  for (const k of kexes) await run(k);
  for (let r = 0; r < 3; r++) {
    for (const k of kexes) {
      const { ms, failures } = await run(k);
      rows.get(k)?.push(ms);
      if (failures) failed.set(k, (failed.get(k) ?? 0) + failures);
    }
  }
  console.log(`  kex: CPU per connection (ssh2 Client alone, ${n} connections × 3 rounds: median (rounds))`);
  for (const [k, xs] of rows) {
    const f = failed.get(k);
    const rounds = xs.map((x) => x.toFixed(3)).join(' ');
    console.log(`    ${k.padEnd(38)} ${median(xs).toFixed(3)} ms (${rounds})${f ? ` (${f} failed)` : ''}`);
  }
}
